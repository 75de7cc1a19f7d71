/**
 * The journaled in-memory state overlay the EVM executes against. It sits on
 * a `StateReader`, caches what it reads, and records every change in a
 * journal so a call frame can be reverted to a checkpoint. It also holds the
 * per-transaction EIP-2929 warm sets, EIP-1153 transient storage, the
 * EIP-2200 "original" storage values, the refund counter, logs, touched
 * accounts (EIP-158) and accounts created/destroyed in the transaction
 * (EIP-6780). Changes accumulate over a block's transactions; `diff()` lists
 * them as a `StateDiff`.
 *
 * Addresses are `bigint` internally (the EVM stack holds them that way), so
 * the hot path never converts between bytes and hex.
 *
 * Optional access recording (DESIGN.md): between `startRecording()` and
 * `takeRecord()` every account and slot read from or written to is listed
 * with the value first seen, for the parallel executor and witness builder.
 */
import { KECCAK_EMPTY, keccak256 } from '../crypto/keccak.js'
import { bytesToHexRaw } from '../primitives/hex.js'
import { equalBytes } from '../primitives/bytes.js'
import type { AccountInfo, StateDiff, StateReader } from './database.js'

/** A 20-byte address as a bigint. */
export function addressToBigInt(a: Uint8Array): bigint {
  const hi = ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0
  return (BigInt(hi) << 128n) | (readU64(a, 4) << 64n) | readU64(a, 12)
}

function readU64(a: Uint8Array, off: number): bigint {
  const h = ((a[off]! << 24) | (a[off + 1]! << 16) | (a[off + 2]! << 8) | a[off + 3]!) >>> 0
  const l = ((a[off + 4]! << 24) | (a[off + 5]! << 16) | (a[off + 6]! << 8) | a[off + 7]!) >>> 0
  return (BigInt(h) << 32n) | BigInt(l)
}

/** A bigint (low 160 bits) as 20 address bytes. */
export function bigIntToAddress(v: bigint): Uint8Array {
  const out = new Uint8Array(20)
  let x = v
  for (let i = 19; i >= 0; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

/** Lower-case hex (no 0x) of a bigint address, 40 digits. */
export function addressKey(v: bigint): string {
  return v.toString(16).padStart(40, '0')
}

const RIPEMD = 3n

/** An account as cached and modified by the overlay. Fields are live; write only through `StateOverlay`. */
export class Account {
  /** Address as bigint. */
  readonly address: bigint
  nonce: bigint
  balance: bigint
  codeHash: Uint8Array
  /** Code, loaded lazily by `StateOverlay.code`. */
  code: Uint8Array | undefined
  /** Exists in state (false: never existed, or deleted). */
  exists: boolean
  /** Storage values seen or written (the current value). */
  readonly storage = new Map<bigint, bigint>()
  /** Slots written in this block (for the diff). */
  readonly written = new Set<bigint>()
  /** Values at transaction start of slots written in this transaction (EIP-2200 original). */
  readonly committed = new Map<bigint, bigint>()
  /** Pre-existing storage is wiped (destroyed in this block). */
  storageCleared = false
  /** Changed in this block. */
  dirty = false
  /** Code was set in this block. */
  codeChanged = false
  // per-transaction flags (reset by `finalizeTransaction`)
  /** @internal epoch of the transaction that last set a per-tx flag. */
  epoch = -1
  warm = false
  readonly warmSlots = new Set<bigint>()
  readonly transient = new Map<bigint, bigint>()
  touched = false
  created = false
  destructed = false

  constructor(address: bigint, info: AccountInfo | undefined) {
    this.address = address
    this.exists = info !== undefined
    this.nonce = info?.nonce ?? 0n
    this.balance = info?.balance ?? 0n
    this.codeHash = info?.codeHash ?? KECCAK_EMPTY
    this.code = info === undefined || equalBytes(this.codeHash, KECCAK_EMPTY) ? EMPTY : undefined
  }

  /** EIP-161 empty: no code, zero nonce and balance. */
  isEmpty(): boolean {
    return this.nonce === 0n && this.balance === 0n && (this.codeHash === KECCAK_EMPTY || equalBytes(this.codeHash, KECCAK_EMPTY))
  }

  /** Exists and is not empty (the EIP-161 notion of "alive"). */
  isLive(): boolean {
    return this.exists && !this.isEmpty()
  }
}

const EMPTY = new Uint8Array(0)

/** One emitted log. */
export interface LogEntry {
  address: Uint8Array
  topics: Uint8Array[]
  data: Uint8Array
}

/** What a recorded transaction read (first value seen) and wrote (final value). */
export interface AccessRecord {
  /** address hex → account as first read (undefined = absent). */
  accountReads: Map<string, AccountInfo | undefined>
  /** address hex → slot → value first read. */
  storageReads: Map<string, Map<bigint, bigint>>
  /** address hex → written account (null = deleted). */
  accountWrites: Map<string, AccountInfo | null>
  /** address hex → slot → value written. */
  storageWrites: Map<string, Map<bigint, bigint>>
}

// journal entry kinds
const J_BALANCE = 0
const J_NONCE = 1
const J_CODE = 2
const J_STORAGE = 3
const J_EXISTS = 4
const J_TSTORE = 5
const J_WARM = 6
const J_WARM_SLOT = 7
const J_TOUCH = 8
const J_DESTRUCT = 9
const J_LOG = 10
const J_REFUND = 11
const J_CREATED = 12

interface JournalEntry {
  k: number
  a: Account | undefined
  s: bigint
  v: unknown
}

/** Journaled state overlay over a `StateReader`. */
export class StateOverlay {
  readonly reader: StateReader
  private readonly accounts = new Map<bigint, Account>()
  private journal: JournalEntry[] = []
  private epoch = 0
  private txAccounts: Account[] = []
  /** EIP-3529 refund counter of the current transaction. */
  refund = 0
  /** Logs of the current transaction. */
  logs: LogEntry[] = []
  private recording: AccessRecord | undefined

  constructor(reader: StateReader) {
    this.reader = reader
  }

  // ---------------------------------------------------------------- accounts

  /** The (cached) account at `address`; a non-existent one has `exists=false`. */
  account(address: bigint): Account {
    let a = this.accounts.get(address)
    if (a === undefined) {
      const info = this.reader.account(bigIntToAddress(address))
      a = new Account(address, info)
      this.accounts.set(address, a)
      if (this.recording) this.recordAccountRead(a, info)
    }
    return a
  }

  private recordAccountRead(a: Account, info: AccountInfo | undefined): void {
    const k = addressKey(a.address)
    const r = this.recording!
    if (!r.accountReads.has(k)) r.accountReads.set(k, info ? { ...info } : undefined)
  }

  private txMark(a: Account): void {
    if (a.epoch !== this.epoch) {
      a.epoch = this.epoch
      this.txAccounts.push(a)
    }
  }

  /** Bytecode of an account. */
  code(a: Account): Uint8Array {
    let c = a.code
    if (c === undefined) {
      c = this.reader.code(a.codeHash)
      a.code = c
    }
    return c
  }

  /** Set balance (journaled). */
  setBalance(a: Account, v: bigint): void {
    this.journal.push({ k: J_BALANCE, a, s: 0n, v: a.balance })
    a.balance = v
    this.markDirty(a)
  }

  /** Add to a balance (journaled). */
  addBalance(a: Account, v: bigint): void {
    this.setBalance(a, a.balance + v)
  }

  /** Set nonce (journaled). */
  setNonce(a: Account, v: bigint): void {
    this.journal.push({ k: J_NONCE, a, s: 0n, v: a.nonce })
    a.nonce = v
    this.markDirty(a)
  }

  /** Set code (journaled); hashes it. */
  setCode(a: Account, code: Uint8Array, codeHash?: Uint8Array): void {
    this.journal.push({ k: J_CODE, a, s: 0n, v: [a.codeHash, a.code, a.codeChanged] })
    a.code = code
    a.codeHash = code.length === 0 ? KECCAK_EMPTY : (codeHash ?? keccak256(code))
    a.codeChanged = true
    this.markDirty(a)
  }

  /** Mark the account as existing (journaled). */
  createAccount(a: Account): void {
    if (!a.exists) {
      this.journal.push({ k: J_EXISTS, a, s: 0n, v: false })
      a.exists = true
      this.markDirty(a)
    }
  }

  private markDirty(a: Account): void {
    a.dirty = true
  }

  /** Transfer value between accounts (journaled); the caller checks the balance. */
  transfer(from: Account, to: Account, value: bigint): void {
    if (value === 0n) return
    this.setBalance(from, from.balance - value)
    this.setBalance(to, to.balance + value)
  }

  /** Record an EIP-158 touch (journaled; RIPEMD-160's touch survives reverts, as on mainnet). */
  touch(a: Account): void {
    if (!a.touched) {
      this.txMark(a)
      if (a.address !== RIPEMD) this.journal.push({ k: J_TOUCH, a, s: 0n, v: false })
      a.touched = true
    }
  }

  /** Mark as created in this transaction (EIP-6780). */
  markCreated(a: Account): void {
    if (!a.created) {
      this.txMark(a)
      this.journal.push({ k: J_CREATED, a, s: 0n, v: false })
      a.created = true
    }
  }

  /** Mark for deletion at transaction end (journaled). */
  markDestructed(a: Account): void {
    if (!a.destructed) {
      this.txMark(a)
      this.journal.push({ k: J_DESTRUCT, a, s: 0n, v: false })
      a.destructed = true
    }
  }

  // -------------------------------------------------------------- warm sets

  /** Warm an address; returns true when it was cold (journaled). */
  warmAccount(a: Account): boolean {
    if (a.warm) return false
    this.txMark(a)
    this.journal.push({ k: J_WARM, a, s: 0n, v: false })
    a.warm = true
    return true
  }

  /** Warm a slot; returns true when it was cold (journaled). */
  warmSlot(a: Account, slot: bigint): boolean {
    if (a.warmSlots.has(slot)) return false
    this.txMark(a)
    this.journal.push({ k: J_WARM_SLOT, a, s: slot, v: false })
    a.warmSlots.add(slot)
    return true
  }

  // ---------------------------------------------------------------- storage

  /** Current value of a storage slot. */
  sload(a: Account, slot: bigint): bigint {
    const v = a.storage.get(slot)
    if (v !== undefined) return v
    let loaded = 0n
    if (!a.storageCleared && a.exists) loaded = this.reader.storage(bigIntToAddress(a.address), slot)
    a.storage.set(slot, loaded)
    if (this.recording) {
      const k = addressKey(a.address)
      let m = this.recording.storageReads.get(k)
      if (!m) this.recording.storageReads.set(k, (m = new Map()))
      if (!m.has(slot)) m.set(slot, loaded)
    }
    return loaded
  }

  /** Value of the slot at transaction start (EIP-2200 "original"). */
  originalStorage(a: Account, slot: bigint): bigint {
    const v = a.committed.get(slot)
    return v !== undefined ? v : this.sload(a, slot)
  }

  /** Write a storage slot (journaled). */
  sstore(a: Account, slot: bigint, value: bigint): void {
    const prev = this.sload(a, slot)
    if (!a.committed.has(slot)) {
      this.txMark(a)
      a.committed.set(slot, prev)
    }
    this.journal.push({ k: J_STORAGE, a, s: slot, v: [prev, a.written.has(slot)] })
    a.storage.set(slot, value)
    a.written.add(slot)
    a.dirty = true
  }

  /** EIP-1153 transient load. */
  tload(a: Account, slot: bigint): bigint {
    return a.transient.get(slot) ?? 0n
  }

  /** EIP-1153 transient store (journaled). */
  tstore(a: Account, slot: bigint, value: bigint): void {
    this.txMark(a)
    this.journal.push({ k: J_TSTORE, a, s: slot, v: a.transient.get(slot) ?? 0n })
    a.transient.set(slot, value)
  }

  // ----------------------------------------------------------- refund, logs

  /** Add (or subtract) from the refund counter (journaled). */
  addRefund(delta: number): void {
    this.journal.push({ k: J_REFUND, a: undefined, s: 0n, v: this.refund })
    this.refund += delta
  }

  /** Append a log (journaled). */
  addLog(log: LogEntry): void {
    this.journal.push({ k: J_LOG, a: undefined, s: 0n, v: undefined })
    this.logs.push(log)
  }

  // ------------------------------------------------------ checkpoint/revert

  /** A checkpoint to revert to. */
  checkpoint(): number {
    return this.journal.length
  }

  /** Undo every change made after `cp`. */
  revert(cp: number): void {
    const j = this.journal
    for (let i = j.length - 1; i >= cp; i--) {
      const e = j[i]!
      const a = e.a!
      switch (e.k) {
        case J_BALANCE:
          a.balance = e.v as bigint
          break
        case J_NONCE:
          a.nonce = e.v as bigint
          break
        case J_CODE: {
          const [h, c, ch] = e.v as [Uint8Array, Uint8Array | undefined, boolean]
          a.codeHash = h
          a.code = c
          a.codeChanged = ch
          break
        }
        case J_STORAGE: {
          const [prev, wasWritten] = e.v as [bigint, boolean]
          a.storage.set(e.s, prev)
          if (!wasWritten) a.written.delete(e.s)
          break
        }
        case J_EXISTS:
          a.exists = false
          break
        case J_TSTORE:
          a.transient.set(e.s, e.v as bigint)
          break
        case J_WARM:
          a.warm = false
          break
        case J_WARM_SLOT:
          a.warmSlots.delete(e.s)
          break
        case J_TOUCH:
          a.touched = false
          break
        case J_DESTRUCT:
          a.destructed = false
          break
        case J_LOG:
          this.logs.pop()
          break
        case J_REFUND:
          this.refund = e.v as number
          break
        case J_CREATED:
          a.created = false
          break
      }
    }
    j.length = cp
  }

  // -------------------------------------------------------- transaction end

  /** Start a new transaction: clears the journal, refund, logs and per-tx flags. */
  beginTransaction(): void {
    this.journal = []
    this.refund = 0
    this.logs = []
  }

  /**
   * End the transaction: delete self-destructed accounts and (EIP-158)
   * touched empty accounts, then reset all per-transaction state.
   */
  finalizeTransaction(eip158 = true): void {
    for (const a of this.txAccounts) {
      if (a.destructed || (eip158 && a.touched && a.exists && a.isEmpty())) this.deleteAccount(a)
      a.warm = false
      a.warmSlots.clear()
      a.transient.clear()
      a.committed.clear()
      a.touched = false
      a.created = false
      a.destructed = false
      a.epoch = -1
    }
    this.txAccounts = []
    this.journal = []
    this.epoch++
  }

  private deleteAccount(a: Account): void {
    a.exists = false
    a.nonce = 0n
    a.balance = 0n
    a.codeHash = KECCAK_EMPTY
    a.code = EMPTY
    a.codeChanged = false
    for (const s of a.storage.keys()) a.written.add(s)
    a.storage.clear()
    for (const s of a.written) a.storage.set(s, 0n)
    a.storageCleared = true
    a.dirty = true
  }

  // ------------------------------------------------------------- recording

  /** Start recording reads and writes (cleared on `takeRecord`). */
  startRecording(): void {
    this.recording = { accountReads: new Map(), storageReads: new Map(), accountWrites: new Map(), storageWrites: new Map() }
  }

  /** Stop recording and return what was read (first value seen) and written (current values). */
  takeRecord(): AccessRecord {
    const r = this.recording
    this.recording = undefined
    if (!r) return { accountReads: new Map(), storageReads: new Map(), accountWrites: new Map(), storageWrites: new Map() }
    for (const k of r.accountReads.keys()) {
      const a = this.accounts.get(BigInt('0x' + k))
      if (a && a.dirty) r.accountWrites.set(k, a.exists ? { nonce: a.nonce, balance: a.balance, codeHash: a.codeHash } : null)
    }
    for (const a of this.accounts.values()) {
      if (a.written.size === 0) continue
      const k = addressKey(a.address)
      const m = new Map<bigint, bigint>()
      for (const s of a.written) m.set(s, a.storage.get(s) ?? 0n)
      r.storageWrites.set(k, m)
    }
    return r
  }

  // ------------------------------------------------------------------ diff

  /**
   * The net changes of everything executed on this overlay (all finalized
   * transactions) as a `StateDiff`. Accounts deleted that never existed in
   * the reader are omitted.
   */
  diff(): StateDiff {
    const accounts = new Map<string, AccountInfo | null>()
    const storage = new Map<string, Map<bigint, bigint>>()
    const codes = new Map<string, Uint8Array>()
    const clearedStorage = new Set<string>()
    for (const a of this.accounts.values()) {
      if (!a.dirty) continue
      const key = '0x' + addressKey(a.address)
      if (!a.exists) {
        if (this.reader.account(bigIntToAddress(a.address)) !== undefined) {
          accounts.set(key, null)
          clearedStorage.add(key)
        }
        continue
      }
      accounts.set(key, { nonce: a.nonce, balance: a.balance, codeHash: a.codeHash })
      if (a.storageCleared) clearedStorage.add(key)
      if (a.codeChanged && a.code && a.code.length > 0) codes.set('0x' + bytesToHexRaw(a.codeHash), a.code)
      if (a.written.size > 0) {
        const m = new Map<bigint, bigint>()
        for (const s of a.written) m.set(s, a.storage.get(s) ?? 0n)
        storage.set(key, m)
      }
    }
    return { accounts, storage, codes, clearedStorage }
  }
}
