/**
 * Where committed (sealed-block) state lives. `StateStore` is what the
 * sequencer needs: a synchronous reader of the last applied block, and
 * `commit(diff)` that applies a block's diff at once (reads see it on
 * return) and resolves with the block's state root once durable.
 *
 * - `QmdbStateStore`: the QMDB authenticated store of `src/ads/` with the key
 *   layout of DESIGN.md (account = 0x00‖address → nonce u64 ‖ balance u256 ‖
 *   codeHash; storage = 0x01‖address‖slot → the 32-byte word, never zero;
 *   code = 0x02‖codeHash → bytecode). `stateRoot` = QMDB's global root.
 *   QMDB height h holds EVM block h-1 (QMDB starts at height 1; genesis is
 *   block 0). `src/state/qmdb/` had not landed when this was written, so the
 *   layout lives here.
 * - `MemoryStateStore`: a `MemoryState` whose root is the Ethereum
 *   Merkle-Patricia state root (for in-memory chains in tests).
 *
 * No-op writes (a value equal to the current one, deleting an absent key) are
 * dropped before commit, so the root is a function of the net change set.
 */
import { Qmdb, type Change } from '../ads/db.js'
import { KECCAK_EMPTY } from '../crypto/keccak.js'
import { MemoryState } from '../state/memory.js'
import { stateRoot as mptStateRoot } from '../eth/state-root.js'
import { bigIntToBytes, bytesToBigInt, equalBytes } from '../primitives/bytes.js'
import type { AccountInfo, StateDiff, StateReader } from '../state/database.js'
import { ChainCorruptionError } from './errors.js'

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
  /** Wait for every commit, then release resources. */
  close(): Promise<void>
}

const ACCOUNT_PREFIX = 0x00
const STORAGE_PREFIX = 0x01
const CODE_PREFIX = 0x02

function hexBytes(k: string): Uint8Array {
  return Uint8Array.from(Buffer.from(k.startsWith('0x') ? k.slice(2) : k, 'hex'))
}

/** QMDB key of an account. */
export function accountKey(address: Uint8Array): Uint8Array {
  const k = new Uint8Array(21)
  k[0] = ACCOUNT_PREFIX
  k.set(address, 1)
  return k
}

/** QMDB key of a storage slot. */
export function storageKey(address: Uint8Array, slot: bigint): Uint8Array {
  const k = new Uint8Array(53)
  k[0] = STORAGE_PREFIX
  k.set(address, 1)
  k.set(bigIntToBytes(slot, 32), 21)
  return k
}

/** QMDB key of a bytecode. */
export function codeKey(codeHash: Uint8Array): Uint8Array {
  const k = new Uint8Array(33)
  k[0] = CODE_PREFIX
  k.set(codeHash, 1)
  return k
}

/** Account value: nonce (8 bytes BE) ‖ balance (32) ‖ codeHash (32). */
export function encodeAccountValue(a: AccountInfo): Uint8Array {
  const v = new Uint8Array(72)
  v.set(bigIntToBytes(a.nonce, 8), 0)
  v.set(bigIntToBytes(a.balance, 32), 8)
  v.set(a.codeHash, 40)
  return v
}

/** Inverse of `encodeAccountValue`. */
export function decodeAccountValue(v: Uint8Array): AccountInfo {
  if (v.length !== 72) throw new ChainCorruptionError(`account value of ${v.length} bytes`)
  return { nonce: bytesToBigInt(v.subarray(0, 8)), balance: bytesToBigInt(v.subarray(8, 40)), codeHash: v.slice(40, 72) }
}

/** A `StateReader` over a QMDB store. */
class QmdbReader implements StateReader {
  constructor(
    private readonly db: Qmdb,
    private readonly blockHashFn: (n: bigint) => Uint8Array,
  ) {}
  account(address: Uint8Array): AccountInfo | undefined {
    const v = this.db.get(accountKey(address))
    return v === undefined ? undefined : decodeAccountValue(v)
  }
  code(codeHash: Uint8Array): Uint8Array {
    if (equalBytes(codeHash, KECCAK_EMPTY)) return new Uint8Array(0)
    return this.db.get(codeKey(codeHash)) ?? new Uint8Array(0)
  }
  storage(address: Uint8Array, slot: bigint): bigint {
    const v = this.db.get(storageKey(address, slot))
    return v === undefined ? 0n : bytesToBigInt(v)
  }
  blockHash(n: bigint): Uint8Array {
    return this.blockHashFn(n)
  }
}

/** The QMDB change set of a block diff, without no-op writes. */
export function qmdbChanges(db: { get(key: Uint8Array): Uint8Array | undefined }, diff: StateDiff): Change[] {
  const out: Change[] = []
  const put = (key: Uint8Array, value: Uint8Array | null): void => {
    const cur = db.get(key)
    if (value === null) {
      if (cur !== undefined) out.push({ key, value: null })
    } else if (cur === undefined || !equalBytes(cur, value)) out.push({ key, value })
  }
  for (const [h, code] of diff.codes) if (code.length > 0) put(codeKey(hexBytes(h)), code)
  for (const [a, info] of diff.accounts) put(accountKey(hexBytes(a)), info === null ? null : encodeAccountValue(info))
  for (const [a, slots] of diff.storage) {
    const addr = hexBytes(a)
    for (const [slot, v] of slots) put(storageKey(addr, slot), v === 0n ? null : bigIntToBytes(v, 32))
  }
  return out
}

/** Committed state in QMDB. */
export class QmdbStateStore implements StateStore {
  readonly reader: StateReader
  private constructor(private readonly db: Qmdb, blockHashFn: (n: bigint) => Uint8Array) {
    this.reader = new QmdbReader(db, blockHashFn)
  }

  /** Open (or create) the store in `dir`. */
  static async open(dir: string, blockHashFn: (n: bigint) => Uint8Array, opts: { workers?: number } = {}): Promise<QmdbStateStore> {
    const db = await Qmdb.open(dir, { workers: opts.workers ?? 1 })
    return new QmdbStateStore(db, blockHashFn)
  }

  get height(): bigint {
    return BigInt(this.db.height) - 1n
  }

  get root(): Uint8Array {
    return this.db.root
  }

  commit(diff: StateDiff, blockNumber: bigint): Promise<Uint8Array> {
    return this.db.commit(qmdbChanges(this.db, diff), Number(blockNumber) + 1)
  }

  async close(): Promise<void> {
    await this.db.flush().catch(() => undefined)
    await this.db.close()
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
  async close(): Promise<void> {}
}
