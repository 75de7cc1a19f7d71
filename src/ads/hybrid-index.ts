/**
 * Hybrid index (issue 4): the same key-hash → entry-offset multimap as
 * `PackedIndex`, kept on disk with a small in-memory summary, as QMDB's hybrid
 * indexer. Per shard:
 *
 * - a **run**: one file `index.{gen}.run` in the shard directory, sorted
 *   16-byte records `[prefix hi u32, prefix lo u32, offset/8 hi u32, offset/8 lo u32]`
 *   (host byte order; the prefix is key-hash bytes 0..7), 256 per 4 KiB page;
 * - a **summary** in memory: the first prefix of every page (8 B per 256 keys,
 *   0.03 B/key), so a lookup reads one page with one `readSync` (a 2-page cache
 *   serves the repeated reads of one operation);
 * - a **change buffer** in memory: sorted chunks of 16-byte records of the changes
 *   since the run was written: ADD (a record not in the run) and DEL (a run record
 *   that is gone; flag bit 31 of word 2). Changing a run record's offset is DEL old +
 *   ADD new; changing or erasing an ADD edits it in place.
 *
 * At the end of a block, when the buffer holds more than `max(minBuffer, ratio ×
 * count)` records, run and buffer are merged (sequentially) into a new run and the
 * buffer is emptied, which bounds the memory between blocks to about
 * `ratio × 17..33 B` per key plus the summary; within a block a merge happens as soon as
 * the buffer exceeds 1.5 times that threshold.
 *
 * Crash safety: runs are a cache, never trusted across a restart. They are not
 * fsynced, the meta record does not mention them, and on open every run file of
 * the shard is deleted and the index rebuilt from the log's live entries (recovery
 * replays the log anyway). The index never affects what is appended, so roots do not
 * depend on the index mode.
 *
 * Prefix collisions (equal 64-bit prefixes) are allowed: records with equal prefixes
 * are kept in no particular order, every lookup gathers the whole group, and the
 * predecessor search orders a group by full key hash (`fullHashAt`).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { compareHash } from './entry.js'
import { QmdbCorruptionError } from './errors.js'
import type { FullHashAt, ShardIndex } from './index.js'

const PAGE_RECS = 256
const PAGE_WORDS = PAGE_RECS * 4
const PAGE_BYTES = PAGE_WORDS * 4
const CHUNK_RECS = 256
const DEL = 0x80000000
const SLOTS = 4
/** Records per sequential read/write of a merge (64 pages = 256 KiB). */
const MERGE_RECS = 64 * PAGE_RECS

/** Default: merge when the change buffer exceeds this fraction of the shard's keys... */
export const HYBRID_MERGE_RATIO = 0.05
/** ... and at least this many records (per shard). */
export const HYBRID_MIN_BUFFER = 2048
/** Within a block, merge as soon as the buffer exceeds this multiple of the end-of-block threshold. */
export const HYBRID_IN_BLOCK_FACTOR = 1.5

function pHi(kh: Uint8Array, o: number): number {
  return ((kh[o]! << 24) | (kh[o + 1]! << 16) | (kh[o + 2]! << 8) | kh[o + 3]!) >>> 0
}
function pLo(kh: Uint8Array, o: number): number {
  return ((kh[o + 4]! << 24) | (kh[o + 5]! << 16) | (kh[o + 6]! << 8) | kh[o + 7]!) >>> 0
}
/** Compares prefixes (ah, al) and (bh, bl). */
function cmp(ah: number, al: number, bh: number, bl: number): number {
  return ah !== bh ? (ah < bh ? -1 : 1) : al !== bl ? (al < bl ? -1 : 1) : 0
}
function offOf(a: Uint32Array, w: number): number {
  return ((a[w + 2]! & 0xffff) * 0x100000000 + a[w + 3]!) * 8
}
function setOff(a: Uint32Array, w: number, offset: number, flag: number): void {
  const o8 = offset / 8
  a[w + 2] = (flag | Math.floor(o8 / 0x100000000)) >>> 0
  a[w + 3] = o8 >>> 0
}

/** Sorted chunked list of buffered changes (a two-level B+tree of 16-byte records). */
class ChangeBuffer {
  chunks: Uint32Array[] = [new Uint32Array(CHUNK_RECS * 4)]
  lens: number[] = [0]
  /** Records (ADD + DEL). */
  size = 0
  dels = 0
  /** Position of the last `lowerBound`: chunk, record. */
  pc = 0
  pi = 0

  reset(): void {
    this.chunks = [new Uint32Array(CHUNK_RECS * 4)]
    this.lens = [0]
    this.size = 0
    this.dels = 0
  }

  byteSize(): number {
    return this.chunks.length * (CHUNK_RECS * 16 + 64 + 16)
  }

  /** Sets (pc, pi) to the first record with prefix >= (h, l) (pi may equal the chunk's length). */
  lowerBound(h: number, l: number): void {
    const ch = this.chunks
    let c = 0, a = 1, b = ch.length - 1
    while (a <= b) {
      const m = (a + b) >>> 1
      const x = ch[m]!
      if (cmp(x[0]!, x[1]!, h, l) < 0) { c = m; a = m + 1 } else b = m - 1
    }
    const arr = ch[c]!
    let lo = 0, hi = this.lens[c]!
    while (lo < hi) {
      const m = (lo + hi) >>> 1
      if (cmp(arr[4 * m]!, arr[4 * m + 1]!, h, l) < 0) lo = m + 1
      else hi = m
    }
    this.pc = c
    this.pi = lo
  }

  /** Moves (pc, pi) to a valid record if it is at a chunk's end; false at the end of the buffer. */
  norm(): boolean {
    while (this.pi >= this.lens[this.pc]!) {
      if (this.pc + 1 >= this.chunks.length) return false
      this.pc++
      this.pi = 0
    }
    return true
  }

  /** Moves (pc, pi) one record back; false before the first. */
  back(): boolean {
    if (this.pi > 0) { this.pi--; return true }
    let c = this.pc - 1
    while (c >= 0 && this.lens[c] === 0) c--
    if (c < 0) return false
    this.pc = c
    this.pi = this.lens[c]! - 1
    return true
  }

  /** Inserts a record at (pc, pi) (must keep the order). */
  insertHere(h: number, l: number, offset: number, flag: number): void {
    let c = this.pc, i = this.pi
    let arr = this.chunks[c]!
    const len = this.lens[c]!
    if (len === CHUNK_RECS) {
      const fresh = new Uint32Array(CHUNK_RECS * 4)
      if (i === len) {
        this.chunks.splice(c + 1, 0, fresh)
        this.lens.splice(c + 1, 0, 0)
        c++; i = 0; arr = fresh
      } else {
        const half = len >> 1
        fresh.set(arr.subarray(4 * half, 4 * len))
        this.chunks.splice(c + 1, 0, fresh)
        this.lens.splice(c + 1, 0, len - half)
        this.lens[c] = half
        if (i > half) { c++; i -= half; arr = fresh }
      }
    }
    const n = this.lens[c]!
    arr.copyWithin(4 * (i + 1), 4 * i, 4 * n)
    arr[4 * i] = h
    arr[4 * i + 1] = l
    setOff(arr, 4 * i, offset, flag)
    this.lens[c] = n + 1
    this.size++
    if (flag) this.dels++
    this.pc = c
    this.pi = i
  }

  /** Removes the record at (pc, pi). */
  removeHere(): void {
    const c = this.pc, i = this.pi
    const arr = this.chunks[c]!
    const n = this.lens[c]!
    if (arr[4 * i + 2]! & DEL) this.dels--
    arr.copyWithin(4 * i, 4 * (i + 1), 4 * n)
    this.lens[c] = n - 1
    this.size--
    if (n - 1 === 0 && this.chunks.length > 1) {
      this.chunks.splice(c, 1)
      this.lens.splice(c, 1)
    }
  }

  /**
   * Finds the record (h, l, offset) with the given DEL flag in the group of prefix (h, l);
   * leaves it at (pc, pi) and returns true, else false with (pc, pi) at the group's start.
   */
  find(h: number, l: number, offset: number, flag: number): boolean {
    this.lowerBound(h, l)
    const c0 = this.pc, i0 = this.pi
    const o8hi = Math.floor(offset / 8 / 0x100000000), o8lo = (offset / 8) >>> 0
    while (this.norm()) {
      const a = this.chunks[this.pc]!, w = 4 * this.pi
      if (a[w] !== h || a[w + 1] !== l) break
      if (a[w + 3] === o8lo && (a[w + 2]! & 0xffff) === o8hi && ((a[w + 2]! & DEL) !== 0) === (flag !== 0)) return true
      this.pi++
    }
    this.pc = c0
    this.pi = i0
    return false
  }
}

/** The hybrid index of one shard (see the module comment). */
export class HybridIndex implements ShardIndex {
  /** Number of records (live keys of the shard, sentry included). */
  count = 0
  /** Handle (slot) of the last `seek()` / `predecessorAt()`. */
  cu = 0
  /** Candidate of the last `predecessorAt()` within its slot. */
  cr = 0
  /** Merges done (for tests and benchmarks). */
  merges = 0
  /** Largest `byteSize()` seen at a block's end before its merge (the in-block peak). */
  peakBytes = 0
  private baseCount = 0
  private pages = 0
  private summary = new Uint32Array(64)
  private fd = -1
  private gen = 0
  private readonly buf = new ChangeBuffer()
  private readonly cPage = [-1, -1]
  private readonly cWords = [new Uint32Array(PAGE_WORDS), new Uint32Array(PAGE_WORDS)]
  private readonly cBytes = this.cWords.map((w) => new Uint8Array(w.buffer))
  private cNext = 0
  // handle slots: a prefix and the live offsets of its group
  private slotCap = 8
  private readonly slotH = new Uint32Array(SLOTS)
  private readonly slotL = new Uint32Array(SLOTS)
  private readonly slotN = new Int32Array(SLOTS)
  private slotOff = new Float64Array(SLOTS * 8)
  private nextSlot = 0
  private cur = 0
  private dels = new Float64Array(8)

  /**
   * @param dir shard directory (run files are created here; stale ones are deleted now)
   * @param ratio merge when the buffer exceeds `ratio × count` records ...
   * @param minBuffer ... and `minBuffer` records
   */
  constructor(readonly dir: string, readonly ratio = HYBRID_MERGE_RATIO, readonly minBuffer = HYBRID_MIN_BUFFER) {
    fs.mkdirSync(dir, { recursive: true })
    for (const n of fs.readdirSync(dir)) if (/^index\.\d+\.run$/.test(n)) fs.rmSync(path.join(dir, n), { force: true })
  }

  /** Bytes of memory held: summary, change buffer, page cache, handle slots. */
  byteSize(): number {
    return 2 * this.pages * 4 + this.buf.byteSize() + 2 * PAGE_BYTES + this.slotOff.byteLength + this.dels.byteLength + 256
  }

  /** Records in the change buffer (ADD + DEL). */
  get buffered(): number {
    return this.buf.size
  }

  /** Records in the on-disk run. */
  get runRecords(): number {
    return this.baseCount
  }

  private pageLen(pg: number): number {
    return Math.min(PAGE_RECS, this.baseCount - pg * PAGE_RECS)
  }

  /** Page `pg` of the run (one `readSync` unless cached); valid until the next page read. */
  private page(pg: number): Uint32Array {
    if (this.cPage[0] === pg) return this.cWords[0]!
    if (this.cPage[1] === pg) return this.cWords[1]!
    const k = this.cNext
    this.cNext ^= 1
    const bytes = this.pageLen(pg) * 16
    const got = fs.readSync(this.fd, this.cBytes[k]!, 0, bytes, pg * PAGE_BYTES)
    if (got !== bytes) throw new QmdbCorruptionError(`${this.dir}: short read of index page ${pg}`)
    this.cPage[k] = pg
    return this.cWords[k]!
  }

  /** First page whose first prefix is >= (h, l). */
  private pageLowerBound(h: number, l: number): number {
    const s = this.summary
    let lo = 0, hi = this.pages
    while (lo < hi) {
      const m = (lo + hi) >>> 1
      if (cmp(s[2 * m]!, s[2 * m + 1]!, h, l) < 0) lo = m + 1
      else hi = m
    }
    return lo
  }

  private static inPage(p: Uint32Array, len: number, h: number, l: number): number {
    let lo = 0, hi = len
    while (lo < hi) {
      const m = (lo + hi) >>> 1
      if (cmp(p[4 * m]!, p[4 * m + 1]!, h, l) < 0) lo = m + 1
      else hi = m
    }
    return lo
  }

  private pushSlot(s: number, off: number): void {
    const n = this.slotN[s]!
    if (n === this.slotCap) {
      const cap = 2 * this.slotCap
      const g = new Float64Array(SLOTS * cap)
      for (let k = 0; k < SLOTS; k++) g.set(this.slotOff.subarray(k * this.slotCap, k * this.slotCap + this.slotN[k]!), k * cap)
      this.slotOff = g
      this.slotCap = cap
    }
    this.slotOff[s * this.slotCap + n] = off
    this.slotN[s] = n + 1
  }

  /** Fills slot `s` with the live offsets of prefix (h, l): the run's group minus DELs, plus ADDs. */
  private gather(h: number, l: number, s: number): void {
    this.slotH[s] = h
    this.slotL[s] = l
    this.slotN[s] = 0
    let nd = 0
    const b = this.buf
    if (b.size > 0) {
      b.lowerBound(h, l)
      while (b.norm()) {
        const a = b.chunks[b.pc]!, w = 4 * b.pi
        if (a[w] !== h || a[w + 1] !== l) break
        const off = offOf(a, w)
        if (a[w + 2]! & DEL) {
          if (nd === this.dels.length) { const g = new Float64Array(2 * nd); g.set(this.dels); this.dels = g }
          this.dels[nd++] = off
        } else this.pushSlot(s, off)
        b.pi++
      }
    }
    if (this.pages === 0) return
    let pg = this.pageLowerBound(h, l) - 1
    if (pg < 0) pg = 0
    for (; pg < this.pages; pg++) {
      const p = this.page(pg), len = this.pageLen(pg)
      let i = HybridIndex.inPage(p, len, h, l)
      for (; i < len && p[4 * i] === h && p[4 * i + 1] === l; i++) {
        const off = offOf(p, 4 * i)
        let dead = false
        for (let d = 0; d < nd; d++) if (this.dels[d] === off) { dead = true; break }
        if (!dead) this.pushSlot(s, off)
      }
      if (i < len) break
      const nx = pg + 1
      if (nx >= this.pages || this.summary[2 * nx] !== h || this.summary[2 * nx + 1] !== l) break
    }
  }

  /** Starts a candidate scan for `kh[o..o+32]` (see PackedIndex.seek); reads at most one run page. */
  seek(kh: Uint8Array, o: number): number {
    const s = this.nextSlot
    this.nextSlot = (s + 1) % SLOTS
    this.gather(pHi(kh, o), pLo(kh, o), s)
    this.cu = s
    this.cur = s
    return 0
  }

  /** Offset of candidate `r` of the last seek, or -1. */
  candidate(r: number): number {
    return r < this.slotN[this.cur]! ? this.slotOff[this.cur * this.slotCap + r]! : -1
  }

  /** Changes the offset of the record behind handle (u, r). */
  setOffsetAt(u: number, r: number, offset: number): void {
    this.changeRec(this.slotH[u]!, this.slotL[u]!, this.slotOff[u * this.slotCap + r]!, offset)
  }

  /** Removes the record behind handle (u, r). */
  eraseAt(u: number, r: number): void {
    this.eraseRec(this.slotH[u]!, this.slotL[u]!, this.slotOff[u * this.slotCap + r]!)
  }

  private changeRec(h: number, l: number, oldOff: number, newOff: number): void {
    const b = this.buf
    if (b.find(h, l, oldOff, 0)) {
      setOff(b.chunks[b.pc]!, 4 * b.pi, newOff, 0)
      return
    }
    // a run record: DEL it and ADD the new offset (the DEL is checked against the run at the merge)
    b.insertHere(h, l, oldOff, DEL)
    b.insertHere(h, l, newOff, 0)
    this.bound()
  }

  private eraseRec(h: number, l: number, off: number): void {
    const b = this.buf
    if (b.find(h, l, off, 0)) b.removeHere()
    else b.insertHere(h, l, off, DEL)
    this.count--
    this.bound()
  }

  /** Inserts a record for key hash `kh[o..]` at `offset`. */
  insert(kh: Uint8Array, offset: number, _fullHashAt: FullHashAt, o = 0): void {
    const h = pHi(kh, o), l = pLo(kh, o)
    this.buf.lowerBound(h, l)
    this.buf.insertHere(h, l, offset, 0)
    this.count++
    this.bound()
  }

  /**
   * Within a block: merges once the buffer exceeds 1.5 × the end-of-block threshold, so
   * memory stays bounded however large a block is. Safe between any two index changes:
   * handles name records by (prefix, offset), not by position, and survive a merge.
   */
  private bound(): void {
    if (this.buf.size > HYBRID_IN_BLOCK_FACTOR * Math.max(this.minBuffer, this.ratio * this.count) && !this.recovering) {
      this.peakBytes = Math.max(this.peakBytes, this.byteSize())
      this.merge()
    }
  }

  /** Set while recovery rebuilds the index (it merges with its own, larger threshold). */
  recovering = false

  /**
   * Replaces the offset of the record (kh, oldOffset). Returns true without reading the
   * run: a record that is not there is detected (QmdbCorruptionError) at the next merge.
   */
  change(kh: Uint8Array, oldOffset: number, newOffset: number, o = 0): boolean {
    this.changeRec(pHi(kh, o), pLo(kh, o), oldOffset, newOffset)
    return true
  }

  /** Removes the record (kh, offset); a missing record is detected at the next merge. */
  erase(kh: Uint8Array, offset: number): boolean {
    this.eraseRec(pHi(kh, 0), pLo(kh, 0), offset)
    return true
  }

  /** Offsets of all live records whose 64-bit prefix equals that of `kh`. */
  candidates(kh: Uint8Array): number[] {
    const s = this.nextSlot
    this.nextSlot = (s + 1) % SLOTS
    this.gather(pHi(kh, 0), pLo(kh, 0), s)
    return Array.from(this.slotOff.subarray(s * this.slotCap, s * this.slotCap + this.slotN[s]!))
  }

  /** Offset of the live record ordered immediately before `kh`; -1 if none. */
  predecessor(kh: Uint8Array, fullHashAt: FullHashAt): number {
    return this.predecessorAt(kh, 0, fullHashAt)
  }

  /** Whether the run record (h, l, off) has a DEL in the buffer. */
  private deleted(h: number, l: number, off: number): boolean {
    return this.buf.dels > 0 && this.buf.find(h, l, off, DEL)
  }

  /**
   * Like `predecessor()`, for `kh[o..o+32]`; leaves a handle (cu, cr) for `setOffsetAt`.
   * Reads the page of `kh` (usually cached by the preceding seek) and, rarely, earlier pages.
   */
  predecessorAt(kh: Uint8Array, o: number, fullHashAt: FullHashAt): number {
    const h = pHi(kh, o), l = pLo(kh, o)
    const s = this.nextSlot
    this.nextSlot = (s + 1) % SLOTS
    this.cu = s
    // same prefix, smaller full hash (a prefix collision; the group is usually just kh itself or empty)
    this.gather(h, l, s)
    const base = s * this.slotCap
    let best = -1, bestHash: Uint8Array | undefined
    for (let r = 0; r < this.slotN[s]!; r++) {
      const fh = fullHashAt(this.slotOff[base + r]!)
      if (compareHash(fh, 0, kh, o) < 0 && (!bestHash || compareHash(fh, 0, bestHash, 0) > 0)) { best = r; bestHash = fh }
    }
    if (best >= 0) { this.cr = best; return this.slotOff[base + best]! }
    // the largest live prefix below (h, l): in the run (skipping DELs) and among the ADDs
    let qh = -1, ql = 0
    const j = this.pageLowerBound(h, l) - 1
    outer: for (let pg = j; pg >= 0; pg--) {
      const p = this.page(pg), len = this.pageLen(pg)
      for (let i = (pg === j ? HybridIndex.inPage(p, len, h, l) : len) - 1; i >= 0; i--) {
        const ph = p[4 * i]!, pl = p[4 * i + 1]!
        if (!this.deleted(ph, pl, offOf(p, 4 * i))) { qh = ph; ql = pl; break outer }
      }
    }
    const b = this.buf
    if (b.size > 0) {
      b.lowerBound(h, l)
      while (b.back()) {
        const a = b.chunks[b.pc]!, w = 4 * b.pi
        if (a[w + 2]! & DEL) continue
        if (qh < 0 || cmp(a[w]!, a[w + 1]!, qh, ql) > 0) { qh = a[w]!; ql = a[w + 1]! }
        break
      }
    }
    if (qh < 0) return -1
    this.gather(qh, ql, s)
    const n = this.slotN[s]!
    if (n === 0) throw new QmdbCorruptionError(`${this.dir}: index group vanished`)
    best = 0
    if (n > 1) {
      bestHash = fullHashAt(this.slotOff[base]!)
      for (let r = 1; r < n; r++) {
        const fh = fullHashAt(this.slotOff[base + r]!)
        if (compareHash(fh, 0, bestHash, 0) > 0) { best = r; bestHash = fh }
      }
    }
    this.cr = best
    return this.slotOff[base + best]!
  }

  /** End of a block: merges the buffer into a new run when it exceeds the threshold. */
  endBlock(): void {
    this.recovering = false
    this.peakBytes = Math.max(this.peakBytes, this.byteSize())
    if (this.buf.size > Math.max(this.minBuffer, this.ratio * this.count)) this.merge()
  }

  /** Merges when the buffer exceeds `ratio × count` (recovery uses a larger ratio: memory is transient there). */
  maybeMerge(ratio: number): void {
    this.recovering = true
    if (this.buf.size > Math.max(this.minBuffer, ratio * this.count)) this.merge()
  }

  /** Merges run and buffer into a new run file (sequential reads and writes) and empties the buffer. */
  merge(): void {
    if (this.buf.size === 0) return
    const gen = this.gen + 1
    const file = path.join(this.dir, `index.${gen}.run`)
    const out = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644)
    try {
      const w = new Uint32Array(MERGE_RECS * 4), wb = new Uint8Array(w.buffer)
      let wn = 0, total = 0, filePos = 0
      let summary = new Uint32Array(Math.max(64, 2 * (Math.ceil(this.count / PAGE_RECS) + 8)))
      const emit = (a: Uint32Array, x: number): void => {
        if (total % PAGE_RECS === 0) {
          const pg = total / PAGE_RECS
          if (2 * pg + 2 > summary.length) { const g = new Uint32Array(2 * summary.length); g.set(summary); summary = g }
          summary[2 * pg] = a[x]!
          summary[2 * pg + 1] = a[x + 1]!
        }
        const d = 4 * wn
        w[d] = a[x]!; w[d + 1] = a[x + 1]!; w[d + 2] = a[x + 2]! & 0xffff; w[d + 3] = a[x + 3]!
        wn++; total++
        if (wn === MERGE_RECS) {
          writeAll(out, wb, wn * 16, filePos)
          filePos += wn * 16
          wn = 0
        }
      }
      const r = new Uint32Array(MERGE_RECS * 4), rb = new Uint8Array(r.buffer)
      let rpos = 0, rlen = 0, readNext = 0
      const fill = (): boolean => {
        if (rpos < rlen) return true
        if (readNext >= this.baseCount) return false
        const n = Math.min(MERGE_RECS, this.baseCount - readNext)
        const got = fs.readSync(this.fd, rb, 0, n * 16, readNext * 16)
        if (got !== n * 16) throw new QmdbCorruptionError(`${this.dir}: short read of index run`)
        rpos = 0; rlen = n; readNext += n
        return true
      }
      const b = this.buf
      b.pc = 0; b.pi = 0
      const gDel: number[] = [], gMatched: boolean[] = [], gAdd: number[] = []
      for (;;) {
        const haveB = fill()
        const haveO = b.norm()
        if (!haveB && !haveO) break
        const oa = b.chunks[b.pc]!, ow = 4 * b.pi
        const c = !haveO ? -1 : !haveB ? 1 : cmp(r[4 * rpos]!, r[4 * rpos + 1]!, oa[ow]!, oa[ow + 1]!)
        if (c < 0) { emit(r, 4 * rpos); rpos++; continue }
        if (c > 0) {
          if (oa[ow + 2]! & DEL) throw new QmdbCorruptionError(`${this.dir}: index change for a record that is not in the run`)
          emit(oa, ow)
          b.pi++
          continue
        }
        // equal prefixes: the buffer's whole group against the run's whole group
        const h = oa[ow]!, l = oa[ow + 1]!
        gDel.length = 0; gMatched.length = 0; gAdd.length = 0
        while (b.norm()) {
          const a = b.chunks[b.pc]!, x = 4 * b.pi
          if (a[x] !== h || a[x + 1] !== l) break
          if (a[x + 2]! & DEL) { gDel.push(offOf(a, x)); gMatched.push(false) } else gAdd.push(b.pc, x)
          b.pi++
        }
        while (fill() && r[4 * rpos] === h && r[4 * rpos + 1] === l) {
          const off = offOf(r, 4 * rpos)
          const k = gDel.indexOf(off)
          if (k >= 0 && !gMatched[k]) gMatched[k] = true
          else emit(r, 4 * rpos)
          rpos++
        }
        if (gMatched.includes(false)) throw new QmdbCorruptionError(`${this.dir}: index change for a record that is not in the run`)
        for (let k = 0; k < gAdd.length; k += 2) emit(b.chunks[gAdd[k]!]!, gAdd[k + 1]!)
      }
      if (wn > 0) writeAll(out, wb, wn * 16, filePos)
      if (total !== this.count) throw new QmdbCorruptionError(`${this.dir}: merged index holds ${total} records, expected ${this.count}`)
      if (this.fd >= 0) fs.closeSync(this.fd)
      if (this.gen > 0) fs.rmSync(path.join(this.dir, `index.${this.gen}.run`), { force: true })
      this.fd = out
      this.gen = gen
      this.baseCount = total
      this.pages = Math.ceil(total / PAGE_RECS)
      this.summary = summary.slice(0, 2 * this.pages)
      this.cPage[0] = this.cPage[1] = -1
      this.buf.reset()
      this.merges++
    } catch (err) {
      if (this.fd !== out) { fs.closeSync(out); fs.rmSync(file, { force: true }) }
      throw err
    }
  }

  /** Closes the run file (the file stays until the next open deletes it). */
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd)
    this.fd = -1
  }
}

function writeAll(fd: number, b: Uint8Array, n: number, pos: number): void {
  let done = 0
  while (done < n) done += fs.writeSync(fd, b, done, n - done, pos + done)
}
