/**
 * Layered state readers for the sequencer. Mini-blocks execute on a fresh
 * `StateOverlay` over the open block's `DiffLayer`, which holds the block's
 * merged changes on top of the committed state; closing a mini-block merges
 * its diff into the layer, sealing the block commits the layer's diff to the
 * state store and drops the layer. `HistoryReader` serves historical states
 * (block tags by number) from the state history (each sealed block's prior
 * values) over the committed state; `OverrideReader` applies eth_call state
 * overrides.
 *
 * Keys are lower-case hex addresses without `0x`.
 */
import { KECCAK_EMPTY, keccak256 } from '../crypto/keccak.js'
import { bytesToHexRaw } from '../primitives/hex.js'
import type { AccountInfo, StateDiff, StateReader } from '../state/database.js'
import { accountKey, storageKey, decodeAccount } from '../state/qmdb/store.js'
import { bytesToBigInt } from '../primitives/bytes.js'
import type { StateHistory } from '../storage/history.js'

/** Lower-case hex key (no 0x) of an address. */
export function addrKey(a: Uint8Array): string {
  return bytesToHexRaw(a)
}

function stripKey(k: string): string {
  return k.startsWith('0x') ? k.slice(2).toLowerCase() : k.toLowerCase()
}

/** An empty diff. */
export function emptyDiff(): StateDiff {
  return { accounts: new Map(), storage: new Map(), codes: new Map(), clearedStorage: new Set() }
}

/**
 * The merged changes of one block on top of a parent reader. `apply` merges
 * a later diff (a mini-block's, or a dev-mode edit) into it.
 */
export class DiffLayer implements StateReader {
  readonly accounts = new Map<string, AccountInfo | null>()
  readonly storageMap = new Map<string, Map<bigint, bigint>>()
  readonly codes = new Map<string, Uint8Array>()
  readonly cleared = new Set<string>()
  /**
   * A slot whose value is not known yet: the EIP-2935 parent-hash slot while
   * the parent block's hash is still being computed. Reading it calls `hit`
   * (the sequencer then retries the mini-block once the hash is known).
   */
  pendingSlot: { address: string; slot: bigint; hit: () => void } | undefined

  constructor(
    /** The state below (committed store or an older layer). Re-pointed when the parent is committed. */
    public parent: StateReader,
    private readonly blockHashFn: (n: bigint) => Uint8Array,
  ) {}

  account(address: Uint8Array): AccountInfo | undefined {
    const k = bytesToHexRaw(address)
    const a = this.accounts.get(k)
    if (a !== undefined) return a === null ? undefined : a
    if (this.cleared.has(k) && !this.accounts.has(k)) return undefined
    return this.parent.account(address)
  }

  code(codeHash: Uint8Array): Uint8Array {
    if (this.codes.size > 0) {
      const c = this.codes.get(bytesToHexRaw(codeHash))
      if (c !== undefined) return c
    }
    return this.parent.code(codeHash)
  }

  storage(address: Uint8Array, slot: bigint): bigint {
    const k = bytesToHexRaw(address)
    const p = this.pendingSlot
    if (p !== undefined && p.slot === slot && p.address === k) p.hit()
    const m = this.storageMap.get(k)
    if (m !== undefined) {
      const v = m.get(slot)
      if (v !== undefined) return v
    }
    if (this.cleared.has(k)) return 0n
    return this.parent.storage(address, slot)
  }

  hasStorage(address: Uint8Array): boolean {
    const k = bytesToHexRaw(address)
    const m = this.storageMap.get(k)
    if (m !== undefined) for (const v of m.values()) if (v !== 0n) return true
    if (this.cleared.has(k)) return false
    return this.parent.hasStorage?.(address) ?? false
  }

  blockHash(n: bigint): Uint8Array {
    return this.blockHashFn(n)
  }

  /** Merge a later diff into this layer. */
  apply(diff: StateDiff): void {
    for (const [h, c] of diff.codes) this.codes.set(stripKey(h), c)
    for (const a of diff.clearedStorage ?? []) {
      const k = stripKey(a)
      this.cleared.add(k)
      // Keep the slots written earlier in the block, as zeros: they may exist
      // in the committed state, and the block's diff must delete them there.
      const m = this.storageMap.get(k)
      if (m !== undefined) for (const s of m.keys()) m.set(s, 0n)
    }
    for (const [a, info] of diff.accounts) this.accounts.set(stripKey(a), info === null ? null : { nonce: info.nonce, balance: info.balance, codeHash: info.codeHash })
    for (const [a, slots] of diff.storage) {
      const k = stripKey(a)
      let m = this.storageMap.get(k)
      if (m === undefined) this.storageMap.set(k, (m = new Map()))
      for (const [s, v] of slots) m.set(s, v)
    }
  }

  /** True when the layer holds no change. */
  isEmpty(): boolean {
    return this.accounts.size === 0 && this.storageMap.size === 0 && this.codes.size === 0 && this.cleared.size === 0
  }

  /** The layer's changes as a `StateDiff` (keys `0x`-prefixed, as `StateOverlay.diff()` gives them). */
  toDiff(): StateDiff {
    const d = emptyDiff()
    for (const [k, v] of this.accounts) d.accounts.set('0x' + k, v)
    for (const [k, m] of this.storageMap) d.storage.set('0x' + k, new Map(m))
    for (const [k, c] of this.codes) d.codes.set('0x' + k, c)
    for (const k of this.cleared) d.clearedStorage!.add('0x' + k)
    return d
  }
}

/** Values of changed keys before one block was committed (undefined = absent / zero). */
export interface UndoMap {
  accounts: Map<string, AccountInfo | undefined>
  storage: Map<string, Map<bigint, bigint>>
}

/** Record the prior values (in `before`) of everything `diff` changes. */
export function makeUndo(before: StateReader, diff: StateDiff): UndoMap {
  const g = makeUndoSteps(before, diff, () => false)
  let r = g.next()
  while (r.done !== true) r = g.next()
  return r.value
}

/**
 * `makeUndo` as a generator that yields whenever `pause()` answers true
 * (asked after each account), so the seal can spread the reads of a large
 * block over several event-loop turns (`Slicer.drive`).
 */
export function* makeUndoSteps(before: StateReader, diff: StateDiff, pause: () => boolean): Generator<void, UndoMap, void> {
  const u: UndoMap = { accounts: new Map(), storage: new Map() }
  const bytes = (k: string): Uint8Array => Uint8Array.from(Buffer.from(stripKey(k), 'hex'))
  for (const a of diff.accounts.keys()) {
    const info = before.account(bytes(a))
    u.accounts.set(stripKey(a), info === undefined ? undefined : { ...info })
    if (pause()) yield
  }
  for (const [a, slots] of diff.storage) {
    const addr = bytes(a)
    const m = new Map<bigint, bigint>()
    for (const s of slots.keys()) m.set(s, before.storage(addr, s))
    u.storage.set(stripKey(a), m)
    if (pause()) yield
  }
  return u
}

/**
 * The state as of sealed block `block`: for each key, the prior value
 * recorded by the oldest later block that changed it (`StateHistory`), else
 * the committed value. Code is content-addressed and never deleted, so it is
 * read from the committed state.
 */
export class HistoryReader implements StateReader {
  private readonly at: number
  constructor(
    private readonly history: StateHistory,
    block: bigint,
    private readonly current: StateReader,
    private readonly blockHashFn: (n: bigint) => Uint8Array,
  ) {
    this.at = Number(block)
  }

  account(address: Uint8Array): AccountInfo | undefined {
    const r = this.history.priorAfter(accountKey(address), this.at)
    if (!r.changed) return this.current.account(address)
    return r.value === null ? undefined : decodeAccount(r.value)
  }

  code(codeHash: Uint8Array): Uint8Array {
    return this.current.code(codeHash)
  }

  storage(address: Uint8Array, slot: bigint): bigint {
    const r = this.history.priorAfter(storageKey(address, slot), this.at)
    if (!r.changed) return this.current.storage(address, slot)
    return r.value === null ? 0n : bytesToBigInt(r.value)
  }

  blockHash(n: bigint): Uint8Array {
    return this.blockHashFn(n)
  }
}

/** One account's eth_call override (the shape of the RPC's AccountOverride, minus precompile moves). */
export interface StateOverride {
  balance?: bigint
  nonce?: bigint
  code?: Uint8Array
  state?: Map<bigint, bigint>
  stateDiff?: Map<bigint, bigint>
}

/** A reader with eth_call state overrides applied (address key without 0x → override). */
export class OverrideReader implements StateReader {
  private readonly codes = new Map<string, Uint8Array>()
  constructor(
    private readonly base: StateReader,
    private readonly overrides: ReadonlyMap<string, StateOverride>,
  ) {
    for (const o of overrides.values()) if (o.code !== undefined && o.code.length > 0) this.codes.set(bytesToHexRaw(keccak256(o.code)), o.code)
  }

  account(address: Uint8Array): AccountInfo | undefined {
    const o = this.overrides.get(bytesToHexRaw(address))
    const a = this.base.account(address)
    if (o === undefined) return a
    return {
      nonce: o.nonce ?? a?.nonce ?? 0n,
      balance: o.balance ?? a?.balance ?? 0n,
      codeHash: o.code !== undefined ? (o.code.length === 0 ? KECCAK_EMPTY : keccak256(o.code)) : (a?.codeHash ?? KECCAK_EMPTY),
    }
  }

  code(codeHash: Uint8Array): Uint8Array {
    return this.codes.get(bytesToHexRaw(codeHash)) ?? this.base.code(codeHash)
  }

  storage(address: Uint8Array, slot: bigint): bigint {
    const o = this.overrides.get(bytesToHexRaw(address))
    if (o?.state !== undefined) return o.state.get(slot) ?? 0n
    const d = o?.stateDiff?.get(slot)
    if (d !== undefined) return d
    return this.base.storage(address, slot)
  }

  hasStorage(address: Uint8Array): boolean {
    return this.base.hasStorage?.(address) ?? false
  }

  blockHash(n: bigint): Uint8Array {
    return this.base.blockHash(n)
  }
}
