/**
 * Versioned history of a key-value state (the node's historical state):
 * one record per block holding, for every key the block changed, the value
 * the key had *before* the block (its prior value, or "absent"). The value
 * of key k as of block n is then the prior value recorded by the oldest
 * block after n that changed k, or, when no block after n changed k, the
 * current (head) value. The head store (QMDB) stays the only full copy of
 * the state; this log holds only changes, appended once.
 *
 * File `history.log` (little-endian), a sequence of records:
 *   `u32 magic "THST"` ‖ `u32 bodyLen` ‖ `u64 blockNumber` ‖ body ‖ `u32 crc32(header ‖ body)`
 * body: `u32 count` ‖ count × (`u8 keyLen` ‖ key ‖ `u16 valueLen` ‖ value),
 * valueLen = 0xffff meaning "absent". Block numbers are consecutive. On open
 * the file is scanned (a bad or short tail is a torn append and is cut off)
 * and an in-memory index is rebuilt: per key its newest version, versions
 * chained newest to oldest in one Float64Array column (block, offset and
 * length of the prior value, previous version). Without a path
 * the same log lives in memory (in-memory chains).
 *
 * The store does not interpret keys or values; the chain encodes them
 * (QMDB key layout, QMDB value encodings).
 */
import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import { crc32 } from './crc.js'
import { InvalidRecordError, StoreStateError } from './errors.js'

const MAGIC = 0x54534854 // "THST" little-endian
const HEADER_BYTES = 16
const ABSENT = 0xffff
/** Largest key, in bytes (u8 length). */
export const HISTORY_MAX_KEY_BYTES = 255
/** Largest value, in bytes (u16 length, 0xffff reserved for "absent"). */
export const HISTORY_MAX_VALUE_BYTES = 0xfffe
/** Growth step of the in-memory log. */
const MEMORY_CHUNK = 1 << 20
/** Entries indexed between two pause checks of `appendSteps`. */
const INDEX_STEP = 1024

/** One key a block changed, with the value it had before the block (null: absent). */
export interface HistoryEntry {
  key: Uint8Array
  prior: Uint8Array | null
}

/** What `priorAfter` found. */
export type HistoryLookup = { changed: false } | { changed: true; value: Uint8Array | null }

/** Fields per version in the version column: block, prior-value offset (-1: absent), length, previous version of the key (-1: none). */
const V_FIELDS = 4

/** The per-block prior values of a state, as an append-only log with an in-memory index. */
export class StateHistory {
  /** Key (latin1 string of its bytes) → its newest version. */
  private readonly index = new Map<string, number>()
  /** Versions, V_FIELDS numbers each, in block order; a key's versions are chained newest to oldest. */
  private versions = new Float64Array(V_FIELDS * 1024)
  private versionCount = 0
  /** Start offset of each block's record, by block - first. */
  private readonly recordStarts: number[] = []
  /** First version of each block's record, by block - first. */
  private readonly versionStarts: number[] = []
  private first = -1
  private last = -1
  private end = 0
  private mem: Uint8Array | undefined
  private closed = false
  private syncing: Promise<void> = Promise.resolve()

  private constructor(private readonly fd: number | undefined) {
    if (fd === undefined) this.mem = new Uint8Array(MEMORY_CHUNK)
  }

  /** Open (or create) the log at `path`; in memory when `path` is undefined. */
  static open(path?: string): StateHistory {
    if (path === undefined) return new StateHistory(undefined)
    let fd: number
    try {
      fd = openSync(path, 'r+')
    } catch {
      fd = openSync(path, 'w+')
    }
    const h = new StateHistory(fd)
    h.load()
    return h
  }

  /** Oldest block with a record (-1 when empty). */
  get firstBlock(): number {
    return this.first
  }

  /** Newest block with a record (-1 when empty). */
  get lastBlock(): number {
    return this.last
  }

  /** Bytes in the log. */
  get bytes(): number {
    return this.end
  }

  /** Number of keys with at least one recorded change. */
  get keyCount(): number {
    return this.index.size
  }

  private load(): void {
    const size = fstatSync(this.fd!).size
    const head = Buffer.alloc(HEADER_BYTES)
    let off = 0
    while (off + HEADER_BYTES + 4 <= size) {
      if (readSync(this.fd!, head, 0, HEADER_BYTES, off) !== HEADER_BYTES) break
      if (head.readUInt32LE(0) !== MAGIC) break
      const bodyLen = head.readUInt32LE(4)
      if (off + HEADER_BYTES + bodyLen + 4 > size) break
      const rec = Buffer.alloc(HEADER_BYTES + bodyLen + 4)
      readSync(this.fd!, rec, 0, rec.length, off)
      if (crc32(rec.subarray(0, HEADER_BYTES + bodyLen)) !== rec.readUInt32LE(HEADER_BYTES + bodyLen)) break
      const block = Number(rec.readBigUInt64LE(8))
      if (this.last >= 0 && block !== this.last + 1) break
      this.indexRecord(rec, off, block)
      off += rec.length
    }
    // a torn or damaged tail (an append cut short by a crash) is dropped
    if (off < size) ftruncateSync(this.fd!, off)
    this.end = off
  }

  private indexRecord(rec: Buffer, off: number, block: number): void {
    const g = this.indexSteps(rec, off, block, () => false)
    while (g.next().done !== true) {
      // runs to the end
    }
  }

  /**
   * Index one record, yielding every INDEX_STEP entries when `pause()` says
   * so. Until it finishes, lookups miss the record's later entries, which is
   * right while the state store does not have the block yet (its values
   * there are still the prior values).
   */
  private *indexSteps(rec: Buffer, off: number, block: number, pause: () => boolean): Generator<void, void, void> {
    const count = rec.readUInt32LE(HEADER_BYTES)
    if ((this.versionCount + count) * V_FIELDS > this.versions.length) {
      const grown = new Float64Array(Math.max(this.versions.length * 2, Math.ceil((this.versionCount + count) * V_FIELDS * 1.5)))
      grown.set(this.versions.subarray(0, this.versionCount * V_FIELDS))
      this.versions = grown
    }
    const vs = this.versions
    this.versionStarts.push(this.versionCount)
    this.recordStarts.push(off)
    if (this.first < 0) this.first = block
    let p = HEADER_BYTES + 4
    for (let i = 0; i < count; i++) {
      const kl = rec[p]!
      const key = rec.toString('latin1', p + 1, p + 1 + kl)
      p += 1 + kl
      const vl = rec[p]! | (rec[p + 1]! << 8)
      p += 2
      const v = this.versionCount++
      const prev = this.index.get(key)
      const o = v * V_FIELDS
      vs[o] = block
      vs[o + 1] = vl === ABSENT ? -1 : off + p
      vs[o + 2] = vl === ABSENT ? 0 : vl
      vs[o + 3] = prev ?? -1
      this.index.set(key, v)
      if (vl !== ABSENT) p += vl
      if ((i + 1) % INDEX_STEP === 0 && pause()) yield
    }
    this.last = block
  }

  /**
   * Append block `block`'s prior values (written at once: a crash of the
   * process keeps it; `sync` makes it durable). Blocks must be consecutive.
   */
  append(block: number, entries: readonly HistoryEntry[]): void {
    const g = this.appendSteps(block, entries, () => false)
    while (g.next().done !== true) {
      // runs to the end
    }
  }

  /**
   * `append` as a generator that yields when `pause()` answers true: the
   * record is written at once, its index entries are added in steps (see
   * `indexSteps`). The next append must wait until this one finished.
   */
  *appendSteps(block: number, entries: readonly HistoryEntry[], pause: () => boolean): Generator<void, void, void> {
    this.checkOpen()
    if (this.last >= 0 && block !== this.last + 1) throw new InvalidRecordError(`history block ${block} does not follow ${this.last}`)
    let bodyLen = 4
    for (const e of entries) {
      if (e.key.length > HISTORY_MAX_KEY_BYTES) throw new InvalidRecordError(`history key of ${e.key.length} bytes`)
      if (e.prior !== null && e.prior.length > HISTORY_MAX_VALUE_BYTES) throw new InvalidRecordError(`history value of ${e.prior.length} bytes`)
      bodyLen += 1 + e.key.length + 2 + (e.prior?.length ?? 0)
    }
    const rec = Buffer.alloc(HEADER_BYTES + bodyLen + 4)
    rec.writeUInt32LE(MAGIC, 0)
    rec.writeUInt32LE(bodyLen, 4)
    rec.writeBigUInt64LE(BigInt(block), 8)
    rec.writeUInt32LE(entries.length, HEADER_BYTES)
    let p = HEADER_BYTES + 4
    for (const e of entries) {
      rec[p++] = e.key.length
      rec.set(e.key, p)
      p += e.key.length
      if (e.prior === null) {
        rec.writeUInt16LE(ABSENT, p)
        p += 2
      } else {
        rec.writeUInt16LE(e.prior.length, p)
        p += 2
        rec.set(e.prior, p)
        p += e.prior.length
      }
    }
    rec.writeUInt32LE(crc32(rec.subarray(0, p)), p)
    const off = this.end
    if (this.fd !== undefined) {
      let done = 0
      while (done < rec.length) done += writeSync(this.fd, rec, done, rec.length - done, off + done)
    } else {
      if (off + rec.length > this.mem!.length) {
        const grown = new Uint8Array(Math.max(this.mem!.length * 2, off + rec.length + MEMORY_CHUNK))
        grown.set(this.mem!.subarray(0, off))
        this.mem = grown
      }
      this.mem!.set(rec, off)
    }
    this.end = off + rec.length
    yield* this.indexSteps(rec, off, block, pause)
  }

  /**
   * The prior value recorded by the oldest block after `block` that changed
   * `key`; `{ changed: false }` when no block after `block` changed it (the
   * head value is the value as of `block`).
   */
  priorAfter(key: Uint8Array, block: number): HistoryLookup {
    const newest = this.index.get(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1'))
    const vs = this.versions
    if (newest === undefined || vs[newest * V_FIELDS]! <= block) return { changed: false }
    let v: number = newest
    // walk back to the oldest version after `block`
    for (;;) {
      const prev: number = vs[v * V_FIELDS + 3]!
      if (prev < 0 || vs[prev * V_FIELDS]! <= block) break
      v = prev
    }
    const off = vs[v * V_FIELDS + 1]!
    if (off < 0) return { changed: true, value: null }
    return { changed: true, value: this.read(off, vs[v * V_FIELDS + 2]!) }
  }

  private read(off: number, len: number): Uint8Array {
    if (this.fd === undefined) return this.mem!.slice(off, off + len)
    const out = new Uint8Array(len)
    readSync(this.fd, out, 0, len, off)
    return out
  }

  /**
   * Every recorded key starting with `prefix` (a scan of the index: for rare
   * events such as sweeping a deleted account's storage slots).
   */
  keysWithPrefix(prefix: Uint8Array): Uint8Array[] {
    const p = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength).toString('latin1')
    const out: Uint8Array[] = []
    for (const k of this.index.keys()) if (k.startsWith(p)) out.push(Uint8Array.from(Buffer.from(k, 'latin1')))
    return out
  }

  /** Every key changed by a block after `block` (evm_revert brings them back). */
  keysAfter(block: number): Uint8Array[] {
    const out: Uint8Array[] = []
    for (const [k, v] of this.index) if (this.versions[v * V_FIELDS]! > block) out.push(Uint8Array.from(Buffer.from(k, 'latin1')))
    return out
  }

  /** Drop the records of blocks after `block` (evm_revert, or a state store behind the log). */
  truncateAfter(block: number): void {
    this.checkOpen()
    if (this.last <= block) return
    const keepRecords = block < this.first ? 0 : block - this.first + 1
    const cut = keepRecords < this.recordStarts.length ? this.recordStarts[keepRecords]! : this.end
    const keepVersions = keepRecords < this.versionStarts.length ? this.versionStarts[keepRecords]! : this.versionCount
    this.recordStarts.length = keepRecords
    this.versionStarts.length = keepRecords
    const vs = this.versions
    for (const [k, newest] of this.index) {
      let v = newest
      while (v >= keepVersions) v = vs[v * V_FIELDS + 3]!
      if (v < 0) this.index.delete(k)
      else if (v !== newest) this.index.set(k, v)
    }
    this.versionCount = keepVersions
    if (this.fd !== undefined) ftruncateSync(this.fd, cut)
    this.end = cut
    if (keepRecords === 0) this.first = this.last = -1
    else this.last = block
  }

  /** Forget every record (the history restarts at the next appended block). */
  clear(): void {
    this.truncateAfter(-1)
  }

  /** Make every appended record durable (fdatasync off the main thread). */
  sync(): Promise<void> {
    if (this.fd === undefined || this.closed) return Promise.resolve()
    const fd = this.fd
    this.syncing = this.syncing.then(
      () =>
        new Promise<void>((res, rej) => {
          fdatasync(fd, (err) => (err ? rej(err) : res()))
        }),
    )
    return this.syncing
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreStateError('state history is closed')
  }

  /** Sync and close. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.sync().catch(() => undefined)
    this.closed = true
    if (this.fd !== undefined) closeSync(this.fd)
  }
}
