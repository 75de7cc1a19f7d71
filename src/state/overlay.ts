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

const ADDR_SCRATCH = new DataView(new ArrayBuffer(24))
const ADDR_SCRATCH_BYTES = new Uint8Array(ADDR_SCRATCH.buffer)

/** A 20-byte address as a bigint. */
export function addressToBigInt(a: Uint8Array): bigint {
  const s = ADDR_SCRATCH_BYTES
  for (let i = 0; i < 20; i++) s[4 + i] = a[i]!
  const v = ADDR_SCRATCH
  const hi = v.getUint32(4)
  const low = (v.getBigUint64(8) << 64n) | v.getBigUint64(16)
  return hi === 0 ? low : (BigInt(hi) << 128n) | low
}

/** A bigint (low 160 bits) as 20 address bytes. */
export function bigIntToAddress(v: bigint): Uint8Array {
  const out = new Uint8Array(20)
  if (v >= 0n && v <= 0xffffffffn) {
    // precompiles and other small addresses: no BigInt arithmetic
    const n = Number(v)
    out[16] = n >>> 24
    out[17] = (n >>> 16) & 0xff
    out[18] = (n >>> 8) & 0xff
    out[19] = n & 0xff
    return out
  }
  // setBigUint64 keeps the low 64 bits of its argument (ToBigUint64), so three stores cover 160 bits
  ADDR_SCRATCH.setBigUint64(0, v >> 128n)
  ADDR_SCRATCH.setBigUint64(8, v >> 64n)
  ADDR_SCRATCH.setBigUint64(16, v)
  const s = ADDR_SCRATCH_BYTES
  for (let i = 0; i < 20; i++) out[i] = s[4 + i]!
  return out
}

/** Lower-case hex (no 0x) of a bigint address, 40 digits. */
export function addressKey(v: bigint): string {
  return v.toString(16).padStart(40, '0')
}

const RIPEMD = 3n

/**
 * One cached storage slot of an account. All per-slot facts live here so the
 * EVM's SLOAD/SSTORE need one Map lookup: the current value, whether it is
 * warm in the current transaction (EIP-2929, by transaction epoch), its value
 * at transaction start (EIP-2200 original, valid when `origEpoch` is the
 * current epoch) and whether the block wrote it. Fields are live; write only
 * through `StateOverlay`.
 */
export class Slot {
  /** Slot key. */
  readonly key: bigint
  /** Current value (meaningful once `loaded`). */
  value = 0n
  /** `value` has been read from the reader (or set). False for slots only warmed by an access list. */
  loaded = false
  /** Epoch of the transaction in which the slot is warm (-1: cold). */
  warm = -1
  /** Value at the start of transaction `origEpoch` (EIP-2200 original). */
  orig = 0n
  /** Epoch for which `orig` holds; otherwise the original is `value`. */
  origEpoch = -1
  /** Written in this block (listed by `diff()`). */
  written = false
  /** @internal journal index of this slot's latest storage entry (see `StateOverlay.writeSlot`). */
  jpos = -1

  constructor(key: bigint) {
    this.key = key
  }
}

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
  /** Storage slots seen, warmed or written (created on first use). */
  slots: Map<bigint, Slot> | undefined = undefined
  /** Number of slots with `written` set. */
  writtenCount = 0
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
  /** EIP-1153 transient storage (created on first TSTORE). */
  transient: Map<bigint, bigint> | undefined = undefined
  touched = false
  created = false
  destructed = false
  /** @internal the address as 20 bytes (for reader calls), built on first use. */
  addressBytes: Uint8Array | undefined = undefined

  constructor(address: bigint, info: AccountInfo | undefined) {
    this.address = address
    this.exists = info !== undefined
    if (info === undefined) {
      this.nonce = 0n
      this.balance = 0n
      this.codeHash = KECCAK_EMPTY
      this.code = EMPTY
    } else {
      this.nonce = info.nonce
      this.balance = info.balance
      this.codeHash = info.codeHash
      this.code = info.codeHash === KECCAK_EMPTY || equalBytes(info.codeHash, KECCAK_EMPTY) ? EMPTY : undefined
    }
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

/**
 * Byte arena holding the topics and data of a transaction's EVM logs, so a
 * log costs one small record on the JS heap during execution instead of
 * five typed arrays (log-heavy loops otherwise spend most of their time
 * copying surviving log objects in young-generation GCs).
 */
class LogArena {
  bytes = new Uint8Array(4096)
  view = new DataView(this.bytes.buffer)
  pos = 0

  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.pos + n
    if (need <= this.bytes.length) return
    let cap = this.bytes.length * 2
    while (cap < need) cap *= 2
    const b = new Uint8Array(cap)
    b.set(this.bytes.subarray(0, this.pos))
    this.bytes = b
    this.view = new DataView(b.buffer)
  }

  /** Write word `x` big-endian at `o` (setBigUint64 keeps the low 64 bits of its argument). */
  word(o: number, x: bigint): void {
    const v = this.view
    if (x <= 0xffffffffffffffffn) {
      v.setBigUint64(o, 0n)
      v.setBigUint64(o + 8, 0n)
      v.setBigUint64(o + 16, 0n)
    } else {
      v.setBigUint64(o, x >> 192n)
      v.setBigUint64(o + 8, x >> 128n)
      v.setBigUint64(o + 16, x >> 64n)
    }
    v.setBigUint64(o + 24, x)
  }
}

/**
 * A log as the EVM emits it: topics and data in the transaction's log arena.
 * `StateOverlay.logs` turns it into a `LogEntry`.
 */
export class WordLog {
  constructor(
    /** Emitting address (20 bytes). */
    readonly address: Uint8Array,
    private readonly arena: LogArena,
    /** Offset of the first topic in the arena (data follows the topics). */
    private readonly offset: number,
    /** Number of topics. */
    readonly topicCount: number,
    /** Data length in bytes. */
    readonly dataLength: number,
  ) {}

  /** This log with its own 32-byte topic arrays and data. */
  toEntry(): LogEntry {
    const b = this.arena.bytes
    const topics: Uint8Array[] = []
    let o = this.offset
    for (let i = 0; i < this.topicCount; i++, o += 32) topics.push(b.slice(o, o + 32))
    return { address: this.address, topics, data: b.slice(o, o + this.dataLength) }
  }
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

// Journal: a flat array of 4-element entries (kind, target, key, value), no object per entry.
const J_BALANCE = 0 // (k, account, -, previous balance)
const J_NONCE = 1 // (k, account, -, previous nonce)
const J_CODE = 2 // (k, account, [codeHash, code], previous codeChanged)
const J_STORAGE = 3 // (k, slot, -, previous value): slot already written in this block
const J_STORAGE_FIRST = 4 // (k, slot, account, previous value): first write of the slot in this block
const J_EXISTS = 5 // (k, account, -, -)
const J_TSTORE = 6 // (k, account, key, previous value)
const J_WARM = 7 // (k, account, -, -)
const J_WARM_SLOT = 8 // (k, slot, -, -)
const J_TOUCH = 9 // (k, account, -, -)
const J_DESTRUCT = 10 // (k, account, -, -)
const J_LOG = 11 // (k, -, -, number of logs before)
const J_REFUND = 12 // (k, -, -, previous refund)
const J_CREATED = 13 // (k, account, -, -)

/** Journaled state overlay over a `StateReader`. */
export class StateOverlay {
  readonly reader: StateReader
  private readonly accounts = new Map<bigint, Account>()
  // entries of 4: kind, target, key, value (see J_*)
  private journal: unknown[] = []
  /**
   * Journal length at the latest `checkpoint()`: an upper bound of every
   * checkpoint a live frame can revert to (frames nest). A change whose undo
   * entry for the same target already sits at or after it needs no second
   * entry: any revert that would undo the new change undoes the older entry
   * too, which restores an even earlier value. Loops writing the same slots
   * (token transfers) then journal each slot once per frame.
   */
  private cpMark = 0
  private refundPos = -1
  private logPos = -1
  /**
   * @internal Transaction epoch: slots whose `warm` (or `origEpoch`) equals
   * it are warm (or hold an original) in the current transaction. Bumped by
   * `finalizeTransaction`, which is how per-transaction slot state resets.
   */
  epoch = 0
  private txAccounts: Account[] = []
  /** EIP-3529 refund counter of the current transaction. */
  refund = 0
  /** Logs of the current transaction as emitted (see `logs`). */
  private rawLogs: (LogEntry | WordLog)[] = []
  /** Topic and data bytes of this transaction's `WordLog`s (a new arena per transaction). */
  private arena: LogArena | undefined = undefined
  private recording: AccessRecord | undefined

  constructor(reader: StateReader) {
    this.reader = reader
  }

  // ---------------------------------------------------------------- accounts

  /** The (cached) account at `address`; a non-existent one has `exists=false`. */
  account(address: bigint): Account {
    let a = this.accounts.get(address)
    if (a === undefined) a = this.loadAccount(address)
    return a
  }

  private loadAccount(address: bigint): Account {
    const bytes = bigIntToAddress(address)
    const info = this.reader.account(bytes)
    const a = new Account(address, info)
    a.addressBytes = bytes
    this.accounts.set(address, a)
    if (this.recording) this.recordAccountRead(a, info)
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
    this.journal.push(J_BALANCE, a, undefined, a.balance)
    a.balance = v
    a.dirty = true
  }

  /** Add to a balance (journaled). */
  addBalance(a: Account, v: bigint): void {
    this.setBalance(a, a.balance + v)
  }

  /** Set nonce (journaled). */
  setNonce(a: Account, v: bigint): void {
    this.journal.push(J_NONCE, a, undefined, a.nonce)
    a.nonce = v
    a.dirty = true
  }

  /** Set code (journaled); hashes it. */
  setCode(a: Account, code: Uint8Array, codeHash?: Uint8Array): void {
    this.journal.push(J_CODE, a, [a.codeHash, a.code], a.codeChanged)
    a.code = code
    a.codeHash = code.length === 0 ? KECCAK_EMPTY : (codeHash ?? keccak256(code))
    a.codeChanged = true
    a.dirty = true
  }

  /** Mark the account as existing (journaled). */
  createAccount(a: Account): void {
    if (!a.exists) {
      this.journal.push(J_EXISTS, a, undefined, undefined)
      a.exists = true
      a.dirty = true
    }
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
      if (a.address !== RIPEMD) this.journal.push(J_TOUCH, a, undefined, undefined)
      a.touched = true
    }
  }

  /** Mark as created in this transaction (EIP-6780). */
  markCreated(a: Account): void {
    if (!a.created) {
      this.txMark(a)
      this.journal.push(J_CREATED, a, undefined, undefined)
      a.created = true
    }
  }

  /** Mark for deletion at transaction end (journaled). */
  markDestructed(a: Account): void {
    if (!a.destructed) {
      this.txMark(a)
      this.journal.push(J_DESTRUCT, a, undefined, undefined)
      a.destructed = true
    }
  }

  // -------------------------------------------------------------- warm sets

  /** Warm an address; returns true when it was cold (journaled). */
  warmAccount(a: Account): boolean {
    if (a.warm) return false
    this.txMark(a)
    this.journal.push(J_WARM, a, undefined, undefined)
    a.warm = true
    return true
  }

  /** Warm a slot (without reading it); returns true when it was cold (journaled). */
  warmSlot(a: Account, key: bigint): boolean {
    return this.warmSlotEntry(this.slotEntry(a, key))
  }

  /** Warm a slot entry; returns true when it was cold (journaled). */
  warmSlotEntry(s: Slot): boolean {
    if (s.warm === this.epoch) return false
    this.journal.push(J_WARM_SLOT, s, undefined, undefined)
    s.warm = this.epoch
    return true
  }

  /** True when the slot is warm in the current transaction. */
  isSlotWarm(a: Account, key: bigint): boolean {
    const s = a.slots?.get(key)
    return s !== undefined && s.warm === this.epoch
  }

  // ---------------------------------------------------------------- storage

  /** The slot entry of `key` (created, not read, when new). */
  slotEntry(a: Account, key: bigint): Slot {
    let m = a.slots
    if (m === undefined) m = a.slots = new Map()
    let s = m.get(key)
    if (s === undefined) {
      s = new Slot(key)
      m.set(key, s)
    }
    return s
  }

  /** The slot entry of `key` with its current value loaded. */
  slot(a: Account, key: bigint): Slot {
    const s = this.slotEntry(a, key)
    if (!s.loaded) this.loadSlot(a, s)
    return s
  }

  /**
   * The value of a warm, loaded slot, or undefined when the slot is cold or
   * not cached (then use `warmSlot` + `sload`). The SLOAD fast path.
   */
  sloadWarm(a: Account, key: bigint): bigint | undefined {
    const m = a.slots
    if (m === undefined) return undefined
    const s = m.get(key)
    return s !== undefined && s.warm === this.epoch && s.loaded ? s.value : undefined
  }

  private loadSlot(a: Account, s: Slot): void {
    let loaded = 0n
    if (!a.storageCleared && a.exists) loaded = this.reader.storage(a.addressBytes ??= bigIntToAddress(a.address), s.key)
    s.value = loaded
    s.loaded = true
    if (this.recording) {
      const k = addressKey(a.address)
      let m = this.recording.storageReads.get(k)
      if (!m) this.recording.storageReads.set(k, (m = new Map()))
      if (!m.has(s.key)) m.set(s.key, loaded)
    }
  }

  /** Current value of a storage slot. */
  sload(a: Account, key: bigint): bigint {
    return this.slot(a, key).value
  }

  /** Value of the slot at transaction start (EIP-2200 "original"). */
  originalStorage(a: Account, key: bigint): bigint {
    const s = this.slot(a, key)
    return s.origEpoch === this.epoch ? s.orig : s.value
  }

  /** Value of a loaded slot entry at transaction start (EIP-2200 "original"). */
  originalOf(s: Slot): bigint {
    return s.origEpoch === this.epoch ? s.orig : s.value
  }

  /** Write a storage slot (journaled). */
  sstore(a: Account, key: bigint, value: bigint): void {
    this.writeSlot(a, this.slot(a, key), value)
  }

  /** Write a loaded slot entry of `a` (journaled). */
  writeSlot(a: Account, s: Slot, value: bigint): void {
    const prev = s.value
    if (s.origEpoch !== this.epoch) {
      s.orig = prev
      s.origEpoch = this.epoch
    }
    const j = this.journal
    const p = s.jpos
    // an undo entry for this slot after the latest checkpoint already covers this write (see `cpMark`)
    if (!(p >= this.cpMark && p < j.length && j[p + 1] === s && (j[p] === J_STORAGE || j[p] === J_STORAGE_FIRST))) {
      s.jpos = j.length
      if (s.written) j.push(J_STORAGE, s, undefined, prev)
      else j.push(J_STORAGE_FIRST, s, a, prev)
    }
    if (!s.written) {
      s.written = true
      a.writtenCount++
    }
    s.value = value
    a.dirty = true
  }

  /** EIP-1153 transient load. */
  tload(a: Account, key: bigint): bigint {
    const t = a.transient
    if (t === undefined) return 0n
    return t.get(key) ?? 0n
  }

  /** EIP-1153 transient store (journaled). */
  tstore(a: Account, key: bigint, value: bigint): void {
    this.txMark(a)
    let t = a.transient
    if (t === undefined) t = a.transient = new Map()
    this.journal.push(J_TSTORE, a, key, t.get(key) ?? 0n)
    t.set(key, value)
  }

  // ----------------------------------------------------------- refund, logs

  /** Add (or subtract) from the refund counter (journaled). */
  addRefund(delta: number): void {
    const j = this.journal
    const p = this.refundPos
    if (!(p >= this.cpMark && p < j.length && j[p] === J_REFUND)) {
      this.refundPos = j.length
      j.push(J_REFUND, undefined, undefined, this.refund)
    }
    this.refund += delta
  }

  private journalLog(): void {
    const j = this.journal
    const p = this.logPos
    if (!(p >= this.cpMark && p < j.length && j[p] === J_LOG)) {
      this.logPos = j.length
      j.push(J_LOG, undefined, this.arena === undefined ? 0 : this.arena.pos, this.rawLogs.length)
    }
  }

  /** Append a log (journaled). */
  addLog(log: LogEntry): void {
    this.journalLog()
    this.rawLogs.push(log)
  }

  /**
   * Append a log of `n` topics (`t0`.. in order; unused ones ignored) and
   * data `mem[off, off + len)`, copied into the transaction's log arena
   * (journaled). The EVM's LOG0..LOG4.
   */
  emitLog(address: Uint8Array, n: number, t0: bigint, t1: bigint, t2: bigint, t3: bigint, mem: Uint8Array, off: number, len: number): void {
    this.journalLog()
    const ar = (this.arena ??= new LogArena())
    ar.reserve(32 * n + len)
    const base = ar.pos
    if (n > 0) ar.word(base, t0)
    if (n > 1) ar.word(base + 32, t1)
    if (n > 2) ar.word(base + 64, t2)
    if (n > 3) ar.word(base + 96, t3)
    const d = base + 32 * n
    const b = ar.bytes
    if (len <= 64) for (let i = 0; i < len; i++) b[d + i] = mem[off + i]!
    else b.set(mem.subarray(off, off + len), d)
    ar.pos = d + len
    this.rawLogs.push(new WordLog(address, ar, base, n, len))
  }

  /** Logs of the current transaction (topics as 32-byte arrays). */
  get logs(): LogEntry[] {
    const r = this.rawLogs
    for (let i = 0; i < r.length; i++) {
      const l = r[i]!
      if (l instanceof WordLog) r[i] = l.toEntry()
    }
    return r as LogEntry[]
  }

  // ------------------------------------------------------ checkpoint/revert

  /** A checkpoint to revert to (checkpoints nest: revert to the latest live one first). */
  checkpoint(): number {
    return (this.cpMark = this.journal.length)
  }

  /** Undo every change made after `cp`. */
  revert(cp: number): void {
    const j = this.journal
    for (let i = j.length - 4; i >= cp; i -= 4) {
      const k = j[i] as number
      const t = j[i + 1]
      const v = j[i + 3]
      switch (k) {
        case J_BALANCE:
          ;(t as Account).balance = v as bigint
          break
        case J_NONCE:
          ;(t as Account).nonce = v as bigint
          break
        case J_CODE: {
          const a = t as Account
          const [h, c] = j[i + 2] as [Uint8Array, Uint8Array | undefined]
          a.codeHash = h
          a.code = c
          a.codeChanged = v as boolean
          break
        }
        case J_STORAGE:
          ;(t as Slot).value = v as bigint
          break
        case J_STORAGE_FIRST: {
          const s = t as Slot
          s.value = v as bigint
          s.written = false
          ;(j[i + 2] as Account).writtenCount--
          break
        }
        case J_EXISTS:
          ;(t as Account).exists = false
          break
        case J_TSTORE:
          ;(t as Account).transient!.set(j[i + 2] as bigint, v as bigint)
          break
        case J_WARM:
          ;(t as Account).warm = false
          break
        case J_WARM_SLOT:
          ;(t as Slot).warm = -1
          break
        case J_TOUCH:
          ;(t as Account).touched = false
          break
        case J_DESTRUCT:
          ;(t as Account).destructed = false
          break
        case J_LOG:
          this.rawLogs.length = v as number
          if (this.arena !== undefined) this.arena.pos = j[i + 2] as number
          break
        case J_REFUND:
          this.refund = v as number
          break
        case J_CREATED:
          ;(t as Account).created = false
          break
      }
    }
    j.length = cp
  }

  // -------------------------------------------------------- transaction end

  /** Start a new transaction: clears the journal, refund, logs and per-tx flags. */
  beginTransaction(): void {
    this.journal = []
    this.cpMark = 0
    this.refund = 0
    this.rawLogs = []
    this.arena = undefined
  }

  /**
   * End the transaction: delete self-destructed accounts and (EIP-158)
   * touched empty accounts, then reset all per-transaction state.
   */
  finalizeTransaction(eip158 = true): void {
    for (const a of this.txAccounts) {
      if (a.destructed || (eip158 && a.touched && a.exists && a.isEmpty())) this.deleteAccount(a)
      a.warm = false
      a.transient = undefined
      a.touched = false
      a.created = false
      a.destructed = false
      a.epoch = -1
    }
    this.txAccounts = []
    this.journal = []
    this.cpMark = 0
    this.epoch++ // every slot's warmth and original value belong to the finished transaction
  }

  private deleteAccount(a: Account): void {
    a.exists = false
    a.nonce = 0n
    a.balance = 0n
    a.codeHash = KECCAK_EMPTY
    a.code = EMPTY
    a.codeChanged = false
    // every cached slot reads 0 from now on and is reported as cleared
    if (a.slots !== undefined) {
      for (const s of a.slots.values()) {
        if (!s.loaded) continue
        s.value = 0n
        if (!s.written) {
          s.written = true
          a.writtenCount++
        }
      }
    }
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
      if (a.writtenCount === 0) continue
      r.storageWrites.set(addressKey(a.address), writtenSlots(a))
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
          // the slots this overlay knows (read to 0 on deletion) are listed too, so
          // a store that cannot enumerate an account's storage still deletes them
          if (a.writtenCount > 0) storage.set(key, writtenSlots(a))
        }
        continue
      }
      accounts.set(key, { nonce: a.nonce, balance: a.balance, codeHash: a.codeHash })
      if (a.storageCleared) clearedStorage.add(key)
      if (a.codeChanged && a.code && a.code.length > 0) codes.set('0x' + bytesToHexRaw(a.codeHash), a.code)
      if (a.writtenCount > 0) storage.set(key, writtenSlots(a))
    }
    return { accounts, storage, codes, clearedStorage }
  }
}

/** Written slots of `a` → current values. */
function writtenSlots(a: Account): Map<bigint, bigint> {
  const m = new Map<bigint, bigint>()
  if (a.slots !== undefined) for (const s of a.slots.values()) if (s.written) m.set(s.key, s.value)
  return m
}
