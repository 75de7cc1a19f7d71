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
import {
  compareHash, decodeEntry, eKeyEquals, eKeyLen, encodeEntryAt, eNkhPos, entryKeyHash, eSn, eValueLen, eVersion,
  ENTRY_FIXED_BYTES, peekEntryLength, type Entry,
} from './entry.js'
import { QmdbCorruptionError } from './errors.js'
import { hashSpansInto, sha256 } from './hash.js'
import { HybridIndex } from './hybrid-index.js'
import { INDEX_UNIT_BITS, PackedIndex, type IndexKind, type ShardIndex } from './index.js'
import { READ_BATCH_MAX, READ_SLOT_BYTES, type ReadPool } from './reader.js'
import { DEFAULT_TAIL_CACHE_BYTES, EntryLog } from './segfile.js'
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

/** Suggested entry bytes per early Merkle part (see `Shard.partSink`, `QmdbOptions.merklePartBytes`): ~7 000 entries of the benchmark's size. */
export const MERKLE_PART_BYTES = 1 << 20

/** Room kept in a read batch for one more change's reads (its candidates and predecessor). */
const PREFETCH_MARGIN = 8

/** One shard: log, index, bits, compaction cursor. */
export class Shard {
  readonly log: EntryLog
  readonly index: ShardIndex
  /** ActiveBits, 256 bytes per twig (authoritative copy on the main thread). */
  bits = new Uint8Array(0)
  snEnd = 0
  snStart = 0
  compactPos = 0
  active = 0
  /** Offset of the first entry of each twig. */
  twigStart = new Float64Array(64)
  private blockFirstSn = 0
  private clears: number[] = []
  /**
   * Receives early parts of the block's Merkle work (the entries appended and bits cleared
   * since the last part, copied) once `partBytes` of entries are pending, so the worker hashes
   * them while the block is still being applied. Unset: the whole block goes at `finishBlock()`.
   */
  partSink: ((job: MerkleJob) => void) | undefined
  /** Entry bytes that make a part (see partSink). */
  partBytes = MERKLE_PART_BYTES
  /** Position in the block buffer of the first entry not yet sent as a part. */
  private partFrom = 0
  /** Full key hash of the entry at `off` (index tie-breaks; rare). */
  readonly fullHashAt = (off: number): Uint8Array => {
    const p = this.log.locate(off)
    const b = this.log.rbuf
    const key = b.subarray(p + 5, p + 5 + eKeyLen(b, p))
    return eValueLen(b, p) === 0 ? key.slice() : sha256(key)
  }
  // scratch of the apply path (no allocation per change)
  private readonly nkhTmp = new Uint8Array(32)
  private pent = new Uint8Array(1024)
  private fu = 0
  private fr = 0
  private fpos = 0
  private cbuf = new Uint8Array(1 << 16)
  private moveOff = new Float64Array(1024)
  private movePos = new Int32Array(1024)
  private keyOffs = new Int32Array(1024)
  private keyLens = new Int32Array(1024)
  private ckh = new Uint8Array(32 * 1024)
  /**
   * Reader threads that prefetch, before a block's changes are applied, the on-disk
   * entries they will read (old entries, predecessors). Unset: each read is a `pread`
   * on this thread. Only with the in-memory index (the hybrid index's lookups read pages).
   */
  pool: ReadPool | undefined

  /**
   * @param indexKind 'memory' (PackedIndex) or 'hybrid' (HybridIndex, run files in `dir`)
   * @param hybrid merge thresholds of the hybrid index (defaults in hybrid-index.ts)
   * @param tailCacheBytes the log's tail cache (see EntryLog)
   */
  constructor(readonly id: number, dir: string, segBytes: number, indexKind: IndexKind = 'memory', hybrid: { ratio?: number; minBuffer?: number } = {}, tailCacheBytes = DEFAULT_TAIL_CACHE_BYTES) {
    this.log = new EntryLog(dir, segBytes, tailCacheBytes)
    if (indexKind === 'hybrid') {
      this.index = new HybridIndex(dir, hybrid.ratio, hybrid.minBuffer)
    } else {
      const per = 1 << (INDEX_UNIT_BITS - SHARD_BITS)
      this.index = new PackedIndex(INDEX_UNIT_BITS, id * per, per)
    }
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

  /** A copy of the value of `key` (hash `kh[ko..]`), or undefined; compares keys in place. */
  readValue(key: Uint8Array, kh: Uint8Array, ko: number): Uint8Array | undefined {
    if (this.findLive(key, kh, ko) < 0) return undefined
    const b = this.log.rbuf, p = this.fpos + 5 + eKeyLen(b, this.fpos)
    return b.slice(p, p + eValueLen(b, this.fpos))
  }

  /** The live entry immediately before `kh` in key-hash order (always exists: the sentry). */
  predecessor(kh: Uint8Array): LocatedEntry {
    const off = this.index.predecessor(kh, this.fullHashAt)
    if (off < 0) throw new QmdbCorruptionError(`shard ${this.id}: no predecessor (missing sentry)`)
    return this.readAt(off)
  }

  /** Appends a new entry (sets its bit, clears `dsn`, at most 2); returns its offset. */
  append(key: Uint8Array, value: Uint8Array, nkh: Uint8Array, version: number, dsn: number[]): number {
    if (dsn.length > 2) throw new RangeError('at most two deactivated serial numbers per entry')
    return this.appendEntry(key, 0, key.length, value, 0, value.length, nkh, 0, version, dsn.length, dsn[0] ?? 0, dsn[1] ?? 0)
  }

  /**
   * Appends an entry encoded in place in the log's block buffer. Sources must not be
   * the block buffer itself (it may be reallocated by the reservation).
   */
  private appendEntry(
    keySrc: Uint8Array, keyOff: number, keyLen: number, valSrc: Uint8Array, valOff: number, valLen: number,
    nkhSrc: Uint8Array, nkhOff: number, version: number, dsnCount: number, d0: number, d1: number,
  ): number {
    const len = (ENTRY_FIXED_BYTES + keyLen + valLen + 8 * dsnCount + 7) & ~7
    if (this.partSink !== undefined && this.log.pendingLen - this.partFrom >= this.partBytes) this.sendPart()
    const off = this.log.reserve(len)
    const sn = this.snEnd
    encodeEntryAt(this.log.buf, this.log.lastPos, keySrc, keyOff, keyLen, valSrc, valOff, valLen, nkhSrc, nkhOff, version, sn, dsnCount, d0, d1)
    this.noteSn(sn, off)
    this.setBit(sn, true)
    this.active++
    if (dsnCount > 0) this.deactivate(d0)
    if (dsnCount > 1) this.deactivate(d1)
    this.snEnd++
    return off
  }

  private deactivate(d: number): void {
    if (!this.isActive(d)) throw new QmdbCorruptionError(`shard ${this.id}: deactivating inactive sn ${d}`)
    this.bits[d >>> 3]! &= ~(1 << (d & 7))
    this.clears.push(d)
    this.active--
  }

  /**
   * Finds the live entry of `key` (hash `kh[ko..ko+32]`) comparing keys in place; returns its
   * offset or -1, leaving its index position in (fu, fr) and its position in `log.rbuf` in fpos.
   */
  private findLive(key: Uint8Array, kh: Uint8Array, ko: number): number {
    for (let r = this.index.seek(kh, ko); ; r++) {
      const off = this.index.candidate(r)
      if (off < 0) return -1
      const pos = this.log.locate(off)
      const b = this.log.rbuf
      if (eValueLen(b, pos) > 0 && eKeyEquals(b, pos, key)) {
        this.fu = this.index.cu; this.fr = r; this.fpos = pos
        return off
      }
    }
  }

  /** Copies the entry at `log.rbuf[pos]` into `pent` (so appends cannot move it); returns its total length. */
  private copyEntry(pos: number): number {
    const b = this.log.rbuf
    const len = peekEntryLength(b, pos, b.length - pos)
    if (this.pent.length < len) this.pent = new Uint8Array(2 * len)
    const d = this.pent
    if (len <= 512) { for (let i = 0; i < len; i++) d[i] = b[pos + i]! } else d.set(b.subarray(pos, pos + len))
    return len
  }

  /** The live entry immediately before `kh[ko..]` copied into `pent`; its index position is left in (index.cu, index.cr). */
  private predecessorInto(kh: Uint8Array, ko: number): void {
    const off = this.index.predecessorAt(kh, ko, this.fullHashAt)
    if (off < 0) throw new QmdbCorruptionError(`shard ${this.id}: no predecessor (missing sentry)`)
    this.copyEntry(this.log.locate(off))
  }

  /**
   * Applies a block's changes `order[from..to)` (indices into keys/values/khs, sorted by key
   * hash; ordinal = position in `order`) and then the compaction they trigger.
   * `khs` holds the key hashes, 32 bytes per change index. No allocation per change.
   */
  applyBlock(
    keys: readonly Uint8Array[], values: readonly (Uint8Array | null)[], khs: Uint8Array,
    order: Int32Array, from: number, to: number, versionBase: number,
  ): ShardBlockStats {
    const st: ShardBlockStats = { creates: 0, updates: 0, deletes: 0, compacted: 0 }
    let quota = 0
    const tmp = this.nkhTmp
    // every live entry is at or after compactPos: when the tail cache holds all of them,
    // no read of this block needs a pread and prefetching would only walk the index twice
    const pool = this.index instanceof PackedIndex && this.compactPos < this.log.cachedFrom ? this.pool : undefined
    for (let q = from, qEnd = to; q < to; q = qEnd) {
      if (pool) qEnd = this.prefetchReads(values, khs, order, q, to, pool)
      try {
        quota += this.applyRange(keys, values, khs, order, q, qEnd, versionBase, st, tmp)
      } finally {
        if (pool) this.log.endPrefetch()
      }
    }
    st.compacted = this.compact(quota)
    return st
  }

  /**
   * Names the on-disk entries that changes `order[from..)` will read (the live entry of
   * the key, and the predecessor of a create or delete, as the index stands now), reads
   * them with the pool and serves them to `log.locate()`; returns the end of the range
   * covered (a batch holds READ_BATCH_MAX reads). A later change may end up reading
   * something else (an entry this block rewrote: it is in the block buffer) or miss
   * (then the log reads it itself): prefetching never decides anything.
   */
  private prefetchReads(values: readonly (Uint8Array | null)[], khs: Uint8Array, order: Int32Array, from: number, to: number, pool: ReadPool): number {
    pool.begin()
    const ix = this.index, log = this.log
    let q = from
    for (; q < to && pool.size + PREFETCH_MARGIN <= READ_BATCH_MAX; q++) {
      const idx = order[q]!, ko = 32 * idx
      let found = -1
      const r0 = ix.seek(khs, ko), u0 = ix.cu
      for (let r = r0; pool.size < READ_BATCH_MAX - 1; r++) {
        const off = ix.candidate(r)
        if (off < 0) break
        if (found < 0) found = r
        if (log.onDisk(off)) pool.add(this.id, off)
      }
      if (found < 0 || values[idx] === null) {
        // a delete's predecessor: the record before the key's (first candidate's) record
        const off = found >= 0 && ix instanceof PackedIndex ? ix.recordBefore(u0, found) : ix.predecessorAt(khs, ko, this.fullHashAt)
        if (off >= 0 && log.onDisk(off)) pool.add(this.id, off)
      }
    }
    pool.run()
    const sh = pool.shared
    log.prefetch(sh.data, sh.offs, READ_SLOT_BYTES, sh.lens, pool.size)
    return q
  }

  /** Applies changes `order[from..to)` (see applyBlock); returns the compaction quota they add. */
  private applyRange(
    keys: readonly Uint8Array[], values: readonly (Uint8Array | null)[], khs: Uint8Array,
    order: Int32Array, from: number, to: number, versionBase: number, st: ShardBlockStats, tmp: Uint8Array,
  ): number {
    let quota = 0
    for (let q = from; q < to; q++) {
      const idx = order[q]!
      const key = keys[idx]!, value = values[idx] ?? null
      const ko = 32 * idx
      const ver = versionBase + q
      const oldOff = this.findLive(key, khs, ko)
      if (value !== null) {
        if (oldOff >= 0) {
          const b = this.log.rbuf, pos = this.fpos
          const np = eNkhPos(b, pos)
          for (let i = 0; i < 32; i++) tmp[i] = b[np + i]!
          const oldSn = eSn(b, pos)
          const off = this.appendEntry(key, 0, key.length, value, 0, value.length, tmp, 0, ver, 1, oldSn, 0)
          this.index.setOffsetAt(this.fu, this.fr, off)
          st.updates++
          quota += COMPACT_PER_UPDATE
        } else {
          this.predecessorInto(khs, ko)
          const pu = this.index.cu, pr = this.index.cr
          const pe = this.pent
          const pk = eKeyLen(pe, 0), pv = eValueLen(pe, 0), pn = eNkhPos(pe, 0)
          // the index orders P before kh; the entry must say kh < P.nkh
          if (!(compareHash(khs, ko, pe, pn) < 0)) throw new QmdbCorruptionError(`shard ${this.id}: predecessor does not bracket the new key`)
          const off = this.appendEntry(key, 0, key.length, value, 0, value.length, pe, pn, ver, 0, 0, 0)
          const poff = this.appendEntry(pe, 5, pk, pe, 5 + pk, pv, khs, ko, ver, 1, eSn(pe, 0), 0)
          this.index.setOffsetAt(pu, pr, poff)
          this.index.insert(khs, off, this.fullHashAt, ko)
          st.creates++
          quota += COMPACT_PER_CREATE
        }
      } else if (oldOff >= 0) {
        const b = this.log.rbuf, pos = this.fpos
        const np = eNkhPos(b, pos)
        for (let i = 0; i < 32; i++) tmp[i] = b[np + i]!
        const oldSn = eSn(b, pos)
        const fu = this.fu, fr = this.fr
        if (this.index instanceof PackedIndex) {
          // the deleted key's own record is at (fu, fr): its predecessor is the record before
          const off = this.index.recordBefore(fu, fr)
          if (off < 0) throw new QmdbCorruptionError(`shard ${this.id}: no predecessor (missing sentry)`)
          this.copyEntry(this.log.locate(off))
        } else this.predecessorInto(khs, ko)
        const pu = this.index.cu, pr = this.index.cr
        const pe = this.pent
        const pk = eKeyLen(pe, 0), pv = eValueLen(pe, 0), pn = eNkhPos(pe, 0)
        if (compareHash(pe, pn, khs, ko) !== 0) throw new QmdbCorruptionError(`shard ${this.id}: predecessor's nextKeyHash is not the deleted key`)
        const poff = this.appendEntry(pe, 5, pk, pe, 5 + pk, pv, tmp, 0, ver, 2, oldSn, eSn(pe, 0))
        this.index.setOffsetAt(pu, pr, poff)
        this.index.eraseAt(fu, fr)
        st.deletes++
      }
      // deleting an absent key is a no-op
    }
    return quota
  }

  /** Applies a block's changes (sorted by key hash) then the compaction they trigger. */
  applyChanges(changes: readonly ShardChange[], height: number, versionOf: (ordinal: number) => number): ShardBlockStats {
    const n = changes.length
    const khs = new Uint8Array(32 * n)
    const order = new Int32Array(n)
    changes.forEach((c, i) => { khs.set(c.kh, 32 * i); order[i] = i })
    void height
    // ordinals of a change list are consecutive: versionOf(ordinal) = base + ordinal
    const base = n > 0 ? versionOf(changes[0]!.ordinal) : 0
    return this.applyBlock(changes.map((c) => c.key), changes.map((c) => c.value), khs, order, 0, n, base)
  }

  /** Whether the compaction condition holds now. */
  compactionDue(): boolean {
    return this.active >= COMPACT_MIN_ACTIVE && this.active * COMPACT_RATIO_DEN < (this.snEnd - this.snStart) * COMPACT_RATIO_NUM
  }

  /** Skips a segment's unused tail: an offset at the end of a segment's data moves to the next segment. */
  private normalizeCursor(off: number): number {
    if (off >= this.log.size || off % this.log.segBytes === 0) return off
    const seg = Math.floor(off / this.log.segBytes)
    return this.log.segmentDataEnd(seg) > off ? off : (seg + 1) * this.log.segBytes
  }

  /**
   * Moves up to `quota` live entries from the old end of the log to the head, while
   * compaction is due. Planned first (the condition only depends on counts: a move adds
   * one entry and keeps `active`), so the moved entries' key hashes are computed in one batch.
   */
  private compact(quota: number): number {
    if (quota === 0 || !this.compactionDue()) return 0
    const active = this.active
    let snEnd = this.snEnd, snStart = this.snStart, pos = this.compactPos, moved = 0, cLen = 0
    while (moved < quota && active >= COMPACT_MIN_ACTIVE && active * COMPACT_RATIO_DEN < (snEnd - snStart) * COMPACT_RATIO_NUM) {
      pos = this.normalizeCursor(pos)
      const p = this.log.locateSeq(pos)
      const b = this.log.rbuf
      const sn = eSn(b, p)
      if (sn !== snStart) throw new QmdbCorruptionError(`shard ${this.id}: compaction cursor at sn ${sn}, expected ${snStart}`)
      const tl = peekEntryLength(b, p, b.length - p)
      if (this.isActive(sn)) {
        if (moved === this.moveOff.length) this.growMoves()
        if (cLen + tl > this.cbuf.length) { const g = new Uint8Array(2 * (cLen + tl)); g.set(this.cbuf.subarray(0, cLen)); this.cbuf = g }
        const c = this.cbuf
        for (let i = 0; i < tl; i++) c[cLen + i] = b[p + i]!
        this.moveOff[moved] = pos
        this.movePos[moved] = cLen
        this.keyOffs[moved] = cLen + 5
        this.keyLens[moved] = eKeyLen(b, p)
        cLen += tl
        moved++
        snEnd++
      }
      snStart = sn + 1
      pos = this.nextOffset(pos, tl)
    }
    const c = this.cbuf, kh = this.ckh
    hashSpansInto(c, this.keyOffs, this.keyLens, moved, kh, 0)
    for (let i = 0; i < moved; i++) {
      const p = this.movePos[i]!
      const k = eKeyLen(c, p), v = eValueLen(c, p)
      // a sentry's key is its key hash
      if (v === 0) for (let j = 0; j < 32; j++) kh[32 * i + j] = c[p + 5 + j]!
      const off = this.appendEntry(c, p + 5, k, c, p + 5 + k, v, c, eNkhPos(c, p), eVersion(c, p), 1, eSn(c, p), 0)
      if (!this.index.change(kh, this.moveOff[i]!, off, 32 * i)) throw new QmdbCorruptionError(`shard ${this.id}: live entry ${eSn(c, p)} missing from the index`)
    }
    if (this.snEnd !== snEnd) throw new QmdbCorruptionError(`shard ${this.id}: compaction plan diverged`)
    this.snStart = snStart
    this.compactPos = pos
    return moved
  }

  private growMoves(): void {
    const n = 2 * this.moveOff.length
    const mo = new Float64Array(n); mo.set(this.moveOff); this.moveOff = mo
    const mp = new Int32Array(n); mp.set(this.movePos); this.movePos = mp
    const ko = new Int32Array(n); ko.set(this.keyOffs); this.keyOffs = ko
    const kl = new Int32Array(n); kl.set(this.keyLens); this.keyLens = kl
    this.ckh = new Uint8Array(32 * n)
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

  /** Hands the entries and clears since the last part to `partSink` (between two appends: every cleared sn is already appended). */
  private sendPart(): void {
    const from = this.partFrom, to = this.log.pendingLen
    const job: MerkleJob = { firstSn: this.blockFirstSn, entries: this.log.buf.slice(from, to), entriesLen: to - from, clears: Float64Array.from(this.clears) }
    this.clears = []
    this.blockFirstSn = this.snEnd
    this.partFrom = to
    this.partSink!(job)
  }

  /** Ends the block: writes buffered entries and returns the Merkle work (what no part has sent yet). */
  finishBlock(): MerkleJob {
    const { entries, len } = this.log.takeBlock()
    this.index.endBlock()
    const job: MerkleJob = { firstSn: this.blockFirstSn, entries, entriesFrom: this.partFrom, entriesLen: len, clears: Float64Array.from(this.clears) }
    this.clears = []
    this.blockFirstSn = this.snEnd
    this.partFrom = 0
    return job
  }

  /** After recovery: state restored, so the next block starts here. */
  resetBlock(): void {
    this.clears = []
    this.blockFirstSn = this.snEnd
    this.partFrom = 0
  }
}
