/**
 * Where committed (sealed-block) state lives. `StateStore` is what the
 * sequencer needs: a synchronous reader of the last applied block, and
 * `commit(diff)` that applies a block's diff at once (reads see it on
 * return) and resolves with the block's state root once durable.
 *
 * - `QmdbStateStore`: `QmdbState` of `src/state/qmdb/store.ts` (the DESIGN.md
 *   key layout: account = 0x00‖address, storage = 0x01‖address‖slot,
 *   code = 0x02‖codeHash) plus what the sequencer adds on top: no-op writes
 *   are dropped, commits are counted so proofs are served only between
 *   commits, and QMDB height h holds EVM block h-1 (QMDB starts at height 1;
 *   genesis is block 0). `stateRoot` = QMDB's global root.
 * - `MemoryStateStore`: a `MemoryState` whose root is the Ethereum
 *   Merkle-Patricia state root (for in-memory chains in tests); no proofs.
 *
 * No-op writes (a value equal to the current one, deleting an absent key) are
 * dropped before commit, so the root is a function of the net change set.
 * `rewind` (evm_revert) commits the changes back to an older block's state;
 * QMDB heights keep growing, and the `REWIND_KEY` marker maps them to blocks.
 */
import type { Change } from '../ads/db.js'
import type { QmdbProof } from '../ads/proof.js'
import { QmdbState } from '../state/qmdb/store.js'
import { MemoryState } from '../state/memory.js'
import { stateRoot as mptStateRoot } from '../eth/state-root.js'
import { equalBytes } from '../primitives/bytes.js'
import type { StateDiff, StateReader } from '../state/database.js'
import type { Slicer } from './slices.js'

/** QMDB proofs of an account and some of its storage slots, against `root` of block `blockNumber`. */
export interface StateProof {
  blockNumber: bigint
  root: Uint8Array
  account: QmdbProof
  storage: QmdbProof[]
}

/** Committed state of the chain. */
export interface StateStore {
  /** The state of the last applied block. */
  readonly reader: StateReader
  /** Number of the last applied EVM block (-1n when empty). */
  readonly height: bigint
  /** Root of the last durable block (for restart). */
  readonly root: Uint8Array
  /** Apply block `blockNumber`'s diff now; resolves with its state root once durable. */
  commit(diff: StateDiff, blockNumber: bigint): Promise<Uint8Array>
  /**
   * `commit` for the seal path: the change set is prepared in slices
   * (yielding through `slicer`, reads of the store see the parent state
   * meanwhile), then applied in one step. Resolves once applied (reads see
   * the block) with `root`, the promise of its state root once durable.
   */
  applySliced(diff: StateDiff, blockNumber: bigint, slicer: Slicer): Promise<{ root: Promise<Uint8Array> }>
  /**
   * Dev-mode evm_revert: apply `diff` (which brings the state back to that of
   * block `blockNumber`, older than `height`) and make `blockNumber` the last
   * applied block; resolves once durable. The next commit is `blockNumber + 1`.
   */
  rewind(diff: StateDiff, blockNumber: bigint): Promise<Uint8Array>
  /** The block the state was last rewound to, while no block was committed since (its root is not the header's). */
  readonly rewoundAt: bigint | undefined
  /**
   * Proofs against the last durable block, once no commit is in flight;
   * undefined when the store cannot prove (in-memory state).
   */
  prove?(address: Uint8Array, slots: readonly bigint[]): Promise<StateProof>
  /** Wait for every commit, then release resources. */
  close(): Promise<void>
}

/** Keys read per step when the change set is prepared in slices (one batched key hashing each). */
const CHANGES_STEP = 16

/** The QMDB change set of a block diff, without no-op writes. */
export function qmdbChanges(db: { getMany(keys: readonly Uint8Array[]): (Uint8Array | undefined)[] }, diff: StateDiff): Change[] {
  const g = qmdbChangesSteps(db, diff, () => false)
  let r = g.next()
  while (r.done !== true) r = g.next()
  return r.value
}

/** `qmdbChanges` as a generator that yields when `pause()` answers true (asked every CHANGES_STEP keys). */
export function* qmdbChangesSteps(db: { getMany(keys: readonly Uint8Array[]): (Uint8Array | undefined)[] }, diff: StateDiff, pause: () => boolean): Generator<void, Change[], void> {
  const all = QmdbState.changesOf(diff)
  const out: Change[] = []
  for (let i = 0; i < all.length; i += CHANGES_STEP) {
    const part = all.slice(i, i + CHANGES_STEP)
    const cur = db.getMany(part.map((c) => c.key))
    for (let j = 0; j < part.length; j++) {
      const c = part[j]!
      const v = cur[j]
      if (c.value === null ? v !== undefined : v === undefined || !equalBytes(v, c.value)) out.push(c)
    }
    if (i + CHANGES_STEP < all.length && pause()) yield
  }
  return out
}

/**
 * QMDB key of the rewind marker: `u64 block ‖ u64 qmdbHeight` (BE), written
 * only by `rewind`: QMDB height `qmdbHeight` holds the state of EVM block
 * `block`, and later heights follow it one to one (QMDB heights only grow, so
 * after an evm_revert they no longer equal block + 1).
 */
export const REWIND_KEY = Uint8Array.of(0x03)

/** Committed state in QMDB (through `QmdbState`). */
export class QmdbStateStore implements StateStore {
  /** Commits issued and not yet durable. */
  private pending = 0
  /** A sliced apply between QMDB shards (`applySliced`), if any. */
  private applying: Promise<unknown> | undefined
  /** The last rewind (block, QMDB height), if any. */
  private base: { block: bigint; qmdbHeight: bigint } | undefined
  private constructor(private readonly state: QmdbState) {
    const m = state.db.get(REWIND_KEY)
    if (m !== undefined) {
      const v = new DataView(m.buffer, m.byteOffset, m.byteLength)
      this.base = { block: v.getBigUint64(0), qmdbHeight: v.getBigUint64(8) }
    }
  }

  /** Open (or create) the store in `dir`. */
  static async open(dir: string, blockHashFn: (n: bigint) => Uint8Array, opts: { workers?: number } = {}): Promise<QmdbStateStore> {
    return new QmdbStateStore(await QmdbState.open(dir, { workers: opts.workers ?? 1, blockHash: blockHashFn }))
  }

  get rewoundAt(): bigint | undefined {
    return this.base !== undefined && BigInt(this.state.height) === this.base.qmdbHeight ? this.base.block : undefined
  }

  /** QMDB height of EVM block `n`. */
  private qmdbHeightOf(n: bigint): number {
    return Number(this.base === undefined ? n + 1n : this.base.qmdbHeight + (n - this.base.block))
  }

  rewind(diff: StateDiff, blockNumber: bigint): Promise<Uint8Array> {
    const qh = BigInt(this.state.height) + 1n
    const marker = new Uint8Array(16)
    const v = new DataView(marker.buffer)
    v.setBigUint64(0, blockNumber)
    v.setBigUint64(8, qh)
    const changes = qmdbChanges(this.state.db, diff)
    changes.push({ key: REWIND_KEY, value: marker })
    const p = this.state.db.commit(changes, Number(qh))
    this.base = { block: blockNumber, qmdbHeight: qh }
    this.pending++
    const done = (): void => {
      this.pending--
    }
    p.then(done, done)
    return p
  }

  get reader(): StateReader {
    return this.state
  }

  get height(): bigint {
    const h = BigInt(this.state.height)
    return this.base === undefined ? h - 1n : this.base.block + (h - this.base.qmdbHeight)
  }

  get root(): Uint8Array {
    return this.state.root
  }

  commit(diff: StateDiff, blockNumber: bigint): Promise<Uint8Array> {
    return this.commitChanges(qmdbChanges(this.state.db, diff), blockNumber)
  }

  async applySliced(diff: StateDiff, blockNumber: bigint, slicer: Slicer): Promise<{ root: Promise<Uint8Array> }> {
    slicer.phase = 'changes'
    const changes = await slicer.drive(qmdbChangesSteps(this.state.db, diff, () => slicer.due))
    slicer.phase = 'apply'
    // the apply itself yields between QMDB shards (one shard's apply is the longest piece)
    const applying = slicer.drive(this.state.db.commitSteps(changes, this.qmdbHeightOf(blockNumber), () => slicer.overdue))
    this.applying = applying
    let root: Promise<Uint8Array>
    try {
      ;({ root } = await applying)
    } finally {
      this.applying = undefined
    }
    this.pending++
    const done = (): void => {
      this.pending--
    }
    root.then(done, done)
    return { root }
  }

  private commitChanges(changes: Change[], blockNumber: bigint): Promise<Uint8Array> {
    const p = this.state.db.commit(changes, this.qmdbHeightOf(blockNumber))
    this.pending++
    const done = (): void => {
      this.pending--
    }
    p.then(done, done)
    return p
  }

  async prove(address: Uint8Array, slots: readonly bigint[]): Promise<StateProof> {
    // A new block may start committing while we wait: prove only once none is in flight.
    while (this.applying !== undefined || this.pending > 0) {
      if (this.applying !== undefined) await this.applying.catch(() => undefined)
      else await this.state.flush()
    }
    const { account, storage } = this.state.prove(address, slots)
    return { blockNumber: this.height, root: this.state.root, account, storage }
  }

  async close(): Promise<void> {
    await this.state.flush().catch(() => undefined)
    await this.state.close()
  }
}

/** Committed state in memory; the root is the Ethereum MPT state root. */
export class MemoryStateStore implements StateStore {
  readonly reader: MemoryState
  private h = -1n
  private r: Uint8Array = new Uint8Array(32)
  constructor(blockHashFn: (n: bigint) => Uint8Array) {
    this.reader = new MemoryState()
    this.reader.blockHashFn = blockHashFn
  }
  get height(): bigint {
    return this.h
  }
  get root(): Uint8Array {
    return this.r
  }
  commit(diff: StateDiff, blockNumber: bigint): Promise<Uint8Array> {
    this.reader.apply(diff)
    this.h = blockNumber
    this.r = mptStateRoot(this.reader.allAccounts())
    return Promise.resolve(this.r)
  }
  async applySliced(diff: StateDiff, blockNumber: bigint): Promise<{ root: Promise<Uint8Array> }> {
    return { root: this.commit(diff, blockNumber) }
  }
  /** The MPT root is canonical: after a rewind it equals the header's again. */
  readonly rewoundAt = undefined
  rewind(diff: StateDiff, blockNumber: bigint): Promise<Uint8Array> {
    return this.commit(diff, blockNumber)
  }
  async close(): Promise<void> {}
}
