/**
 * One shard of the store: its entry log, index, ActiveBits and the per-block
 * operations of QMDB (create, update, delete, compaction), in a fixed order so
 * every appended entry and every deactivation is a deterministic function of
 * the block's ordered change set and the prior state. Hashing is not done
 * here: a block produces a `MerkleJob` that a `ShardTree` (inline or in a
 * worker) turns into the shard root.
 */
import {
  ACTIVE_BITS_BYTES, COMPACT_MIN_ACTIVE, COMPACT_PER_CREATE, COMPACT_PER_UPDATE, COMPACT_RATIO_DEN,
  COMPACT_RATIO_NUM, LEAVES_PER_TWIG, SHARD_BITS,
} from './constants.js'
import { compareHash, decodeEntry, encodeEntryInto, entryKeyHash, entryLength, type Entry } from './entry.js'
import { QmdbCorruptionError } from './errors.js'
import { PackedIndex } from './index.js'
import { EntryLog } from './segfile.js'
import type { MerkleJob } from './tree.js'

/** An entry read from the log, with its offset and key hash (fields are copies). */
export interface LocatedEntry extends Entry {
  offset: number
  kh: Uint8Array
}

/** A change routed to a shard: key, its hash, new value (null = delete), ordinal in the block. */
export interface ShardChange {
  key: Uint8Array
  kh: Uint8Array
  value: Uint8Array | null
  ordinal: number
}

/** Counters of a block's work in one shard. */
export interface ShardBlockStats {
  creates: number
  updates: number
  deletes: number
  compacted: number
}

/** Persistent per-shard fields recorded in the meta file at each commit. */
export interface ShardMeta {
  size: number
  snEnd: number
  snStart: number
  compactPos: number
  active: number
}

/** The key range bounds of shard `s`: its sentry key hash and the next shard's (0xff.. for the last). */
export function shardBounds(s: number): { lo: Uint8Array; hi: Uint8Array } {
  const lo = new Uint8Array(32)
  lo[0] = s << (8 - SHARD_BITS)
  const hi = new Uint8Array(32)
  if (s === (1 << SHARD_BITS) - 1) hi.fill(0xff)
  else hi[0] = (s + 1) << (8 - SHARD_BITS)
  return { lo, hi }
}

/** One shard: log, index, bits, compaction cursor. */
export class Shard {
  readonly log: EntryLog
  readonly index: PackedIndex
  /** ActiveBits, 256 bytes per twig (authoritative copy on the main thread). */
  bits = new Uint8Array(0)
  snEnd = 0
  snStart = 0
  compactPos = 0
  active = 0
  /** Offset of the first entry of each twig. */
  twigStart = new Float64Array(64)
  private block = new Uint8Array(1 << 16)
  private blockLen = 0
  private blockFirstSn = 0
  private clears: number[] = []
  private readonly scratch = new Uint8Array(1024)
  readonly fullHashAt = (off: number): Uint8Array => this.readAt(off).kh

  constructor(readonly id: number, dir: string, segBytes: number) {
    this.log = new EntryLog(dir, segBytes)
    const unitBits = 16
    const per = 1 << (unitBits - SHARD_BITS)
    this.index = new PackedIndex(unitBits, id * per, per)
  }

  /** Current persistent fields. */
  meta(): ShardMeta {
    return { size: this.log.size, snEnd: this.snEnd, snStart: this.snStart, compactPos: this.compactPos, active: this.active }
  }

  /** Whether serial number `sn` is active. */
  isActive(sn: number): boolean {
    const b = this.bits[sn >>> 3]
    return b !== undefined && (b & (1 << (sn & 7))) !== 0
  }

  /** Sets or clears the bit of `sn` (replay and appends). */
  setBit(sn: number, on: boolean): void {
    const need = (Math.floor(sn / LEAVES_PER_TWIG) + 1) * ACTIVE_BITS_BYTES
    if (this.bits.length < need) {
      const g = new Uint8Array(Math.max(need, this.bits.length * 2))
      g.set(this.bits)
      this.bits = g
    }
    if (on) this.bits[sn >>> 3]! |= 1 << (sn & 7)
    else this.bits[sn >>> 3]! &= ~(1 << (sn & 7))
  }

  /** Records that the entry with serial `sn` starts at `offset` (twig starts, for proofs). */
  noteSn(sn: number, offset: number): void {
    if (sn % LEAVES_PER_TWIG !== 0) return
    const t = sn / LEAVES_PER_TWIG
    if (t >= this.twigStart.length) {
      const g = new Float64Array(Math.max(t + 1, this.twigStart.length * 2))
      g.set(this.twigStart)
      this.twigStart = g
    }
    this.twigStart[t] = offset
  }

  /** Reads and decodes the entry at `offset` (copies fields out of the scratch buffer). */
  readAt(offset: number, knownKh?: Uint8Array): LocatedEntry {
    const { buf, pos, avail } = this.log.read(offset)
    const e = decodeEntry(buf, pos, avail)
    const key = new Uint8Array(e.key), value = new Uint8Array(e.value)
    return { ...e, key, value, nkh: new Uint8Array(e.nkh), offset, kh: knownKh ?? entryKeyHash(key, value) }
  }

  /** The live entry for `key` (hash `kh`), if any. */
  lookup(key: Uint8Array, kh: Uint8Array): LocatedEntry | undefined {
    for (const off of this.index.candidates(kh)) {
      // kh is only trusted once the key matches (then it is this key's hash)
      const e = this.readAt(off, kh)
      if (e.value.length > 0 && e.key.length === key.length && Buffer.compare(e.key, key) === 0) return e
    }
    return undefined
  }

  /** The live entry immediately before `kh` in key-hash order (always exists: the sentry). */
  predecessor(kh: Uint8Array): LocatedEntry {
    const off = this.index.predecessor(kh, this.fullHashAt)
    if (off < 0) throw new QmdbCorruptionError(`shard ${this.id}: no predecessor (missing sentry)`)
    return this.readAt(off)
  }

  /** Appends a new entry (sets its bit, clears `dsn`); returns its offset. */
  append(key: Uint8Array, value: Uint8Array, nkh: Uint8Array, version: number, dsn: number[]): number {
    const len = entryLength(key.length, value.length, dsn.length)
    const buf = len <= this.scratch.length ? this.scratch : new Uint8Array(len)
    const sn = this.snEnd
    encodeEntryInto(buf, 0, key, value, nkh, version, sn, dsn)
    const off = this.log.append(buf, len)
    if (this.blockLen + len > this.block.length) {
      const g = new Uint8Array(Math.max(this.block.length * 2, this.blockLen + len))
      g.set(this.block.subarray(0, this.blockLen))
      this.block = g
    }
    this.block.set(buf.subarray(0, len), this.blockLen)
    this.blockLen += len
    this.noteSn(sn, off)
    this.setBit(sn, true)
    this.active++
    for (const d of dsn) {
      if (!this.isActive(d)) throw new QmdbCorruptionError(`shard ${this.id}: deactivating inactive sn ${d}`)
      this.setBit(d, false)
      this.clears.push(d)
      this.active--
    }
    this.snEnd++
    return off
  }

  /** Applies a block's changes (sorted by key hash) then the compaction they trigger. */
  applyChanges(changes: readonly ShardChange[], height: number, versionOf: (ordinal: number) => number): ShardBlockStats {
    const st: ShardBlockStats = { creates: 0, updates: 0, deletes: 0, compacted: 0 }
    let quota = 0
    for (const c of changes) {
      const ver = versionOf(c.ordinal)
      const old = this.lookup(c.key, c.kh)
      if (c.value !== null) {
        if (old) {
          const off = this.append(c.key, c.value, old.nkh, ver, [old.sn])
          this.index.change(c.kh, old.offset, off)
          st.updates++
          quota += COMPACT_PER_UPDATE
        } else {
          const p = this.predecessor(c.kh)
          if (!(compareHash(p.kh, 0, c.kh, 0) < 0 && compareHash(c.kh, 0, p.nkh, 0) < 0)) {
            throw new QmdbCorruptionError(`shard ${this.id}: predecessor does not bracket the new key`)
          }
          const off = this.append(c.key, c.value, p.nkh, ver, [])
          this.index.insert(c.kh, off, this.fullHashAt)
          const poff = this.append(p.key, p.value, c.kh, ver, [p.sn])
          this.index.change(p.kh, p.offset, poff)
          st.creates++
          quota += COMPACT_PER_CREATE
        }
      } else if (old) {
        const p = this.predecessor(c.kh)
        if (compareHash(p.nkh, 0, c.kh, 0) !== 0) throw new QmdbCorruptionError(`shard ${this.id}: predecessor's nextKeyHash is not the deleted key`)
        const poff = this.append(p.key, p.value, old.nkh, ver, [old.sn, p.sn])
        this.index.erase(c.kh, old.offset)
        this.index.change(p.kh, p.offset, poff)
        st.deletes++
      }
      // deleting an absent key is a no-op
    }
    st.compacted = this.compact(quota)
    void height
    return st
  }

  /** Whether the compaction condition holds now. */
  compactionDue(): boolean {
    return this.active >= COMPACT_MIN_ACTIVE && this.active * COMPACT_RATIO_DEN < (this.snEnd - this.snStart) * COMPACT_RATIO_NUM
  }

  /** Moves up to `quota` live entries from the old end of the log to the head, while compaction is due. */
  private compact(quota: number): number {
    let moved = 0
    while (moved < quota && this.compactionDue()) {
      const e = this.readAt(this.compactPos)
      if (e.sn !== this.snStart) throw new QmdbCorruptionError(`shard ${this.id}: compaction cursor at sn ${e.sn}, expected ${this.snStart}`)
      if (this.isActive(e.sn)) {
        const off = this.append(e.key, e.value, e.nkh, e.version, [e.sn])
        if (!this.index.change(e.kh, e.offset, off)) throw new QmdbCorruptionError(`shard ${this.id}: live entry ${e.sn} missing from the index`)
        moved++
      }
      this.snStart = e.sn + 1
      this.compactPos = this.nextOffset(e.offset, e.totalLen)
    }
    return moved
  }

  /** Offset of the entry following the one at `off` of length `len` (skipping a segment's unused tail). */
  nextOffset(off: number, len: number): number {
    const seg = Math.floor(off / this.log.segBytes)
    const p = off + len
    if (p >= this.log.size) return p
    const segEnd = (seg + 1) * this.log.segBytes
    if (p < segEnd) {
      // an entry that did not fit starts the next segment: detect by length 0 at p (end of data in the segment)
      if (this.log.segmentDataEnd(seg) > p) return p
    }
    return segEnd
  }

  /** Ends the block: writes buffered entries and returns the Merkle work. */
  finishBlock(): MerkleJob {
    this.log.writePending()
    const job: MerkleJob = { firstSn: this.blockFirstSn, entries: this.block, entriesLen: this.blockLen, clears: Float64Array.from(this.clears) }
    this.block = new Uint8Array(Math.max(1 << 16, this.blockLen + (this.blockLen >> 2)))
    this.blockLen = 0
    this.clears = []
    this.blockFirstSn = this.snEnd
    return job
  }

  /** After recovery: state restored, so the next block starts here. */
  resetBlock(): void {
    this.blockLen = 0
    this.clears = []
    this.blockFirstSn = this.snEnd
  }
}
