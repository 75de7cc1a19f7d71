/**
 * One append stream: a sequence of segment files holding checksummed batches,
 * addressed by a logical offset that runs on across segments. The writer side
 * packs records into a pending batch, seals it (compressing when it pays) and
 * issues a positional write on the libuv thread pool at once, so the streams
 * of a block are written and fdatasync'ed in parallel; `sync()` makes them
 * durable. The reader side reads any batch by logical offset with `pread`,
 * verifies its checksum (a mismatch is a `CorruptSegmentError` naming the
 * file and offset) and keeps recently decoded batches in a small LRU cache.
 */
import * as fs from 'node:fs'
import { join } from 'node:path'
import { decodeBatch } from './codec.js'
import { F64Column } from './columns.js'
import type { CompressPool } from './compressPool.js'
import { CorruptSegmentError, StoreStateError } from './errors.js'
import {
  BATCH_HEADER_SIZE,
  RECORD_PREFIX,
  SEGMENT_HEADER_SIZE,
  batchChecksumOk,
  decodeBatchHeader,
  decodeSegmentHeader,
  encodeSegmentHeader,
  segmentFileName,
  writeU32,
  type BatchHeader,
} from './format.js'

/** One segment file of a stream. */
export interface Segment {
  id: number
  path: string
  fd: number
  /** Logical offset of the first batch byte of this segment. */
  logicalStart: number
  /** Bytes of the file in use (header + batches written so far). */
  size: number
  /** Highest block number with a batch in this segment (-1 when empty). */
  maxBlock: number
}

/** Tuning of a stream's writer. */
export interface StreamOptions {
  /** Seal the pending batch once it holds this many raw bytes. */
  batchBytes: number
  /** Start a new segment once the active one would grow past this size. */
  segmentBytes: number
  /** zstd level (0 = never compress). */
  compressionLevel: number
  /** Bytes of decoded batches kept in the read cache. */
  cacheBytes: number
}

/** Counters of what a stream wrote. */
export interface StreamStats {
  rawBytes: number
  storedBytes: number
  batches: number
}

function writevAsync(fd: number, bufs: Uint8Array[], pos: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.writev(fd, bufs, pos, (err) => (err ? reject(err) : resolve()))
  })
}

function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())))
}

/** An append stream made of segment files in `dir`. */
export class Stream {
  /** Live segments, oldest first. */
  readonly segments: Segment[] = []
  /** Logical offset where the next sealed batch will go. */
  cursor = 0
  /** What the writer has produced. */
  readonly stats: StreamStats = { rawBytes: 0, storedBytes: 0, batches: 0 }
  /** Set when a segment file was created since the last directory fsync. */
  createdSegment = false

  /** Logical offset of every batch, by batch sequence number (records are located by sequence number + offset). */
  readonly batchPos = new F64Column(256)
  private inFlight = 0
  private lastPlaced: Promise<void> = Promise.resolve()
  private pending: Buffer
  private pendingLen = 0
  private pendingCount = 0
  private pendingFirstOrdinal = 0
  private writes: Promise<void>[] = []
  private dirty = new Set<Segment>()
  private cache = new Map<number, Uint8Array>()
  private cacheSize = 0

  constructor(
    readonly dir: string,
    readonly stream: number,
    readonly opts: StreamOptions,
    private readonly pool: CompressPool,
  ) {
    this.pending = Buffer.allocUnsafeSlow(Math.max(opts.batchBytes * 2, 1024))
  }

  /** Open the segment files found on disk (already recovered: truncated to the committed size). */
  loadSegments(ids: number[]): void {
    for (const id of ids.sort((a, b) => a - b)) {
      const path = join(this.dir, segmentFileName(this.stream, id))
      const fd = fs.openSync(path, 'r+')
      const size = fs.fstatSync(fd).size
      const hb = Buffer.alloc(SEGMENT_HEADER_SIZE)
      fs.readSync(fd, hb, 0, SEGMENT_HEADER_SIZE, 0)
      const h = decodeSegmentHeader(hb)
      if (typeof h === 'string') throw new CorruptSegmentError(path, 0, h)
      if (h.stream !== this.stream || h.segmentId !== id) throw new CorruptSegmentError(path, 0, 'segment header names another stream or id')
      const prev = this.segments[this.segments.length - 1]
      if (prev && prev.logicalStart + prev.size - SEGMENT_HEADER_SIZE !== h.logicalStart) {
        throw new CorruptSegmentError(path, 0, `logical start ${h.logicalStart} does not follow segment ${prev.id}`)
      }
      this.segments.push({ id, path, fd, logicalStart: h.logicalStart, size, maxBlock: -1 })
    }
    const last = this.segments[this.segments.length - 1]
    this.cursor = last ? last.logicalStart + last.size - SEGMENT_HEADER_SIZE : 0
  }

  /** The active (newest) segment, creating segment 0 in an empty stream. */
  active(): Segment {
    const last = this.segments[this.segments.length - 1]
    return last ?? this.createSegment(0, this.cursor)
  }

  private createSegment(id: number, logicalStart: number): Segment {
    const path = join(this.dir, segmentFileName(this.stream, id))
    const fd = fs.openSync(path, 'w+')
    fs.writeSync(fd, encodeSegmentHeader({ stream: this.stream, segmentId: id, logicalStart }), 0, SEGMENT_HEADER_SIZE, 0)
    const seg: Segment = { id, path, fd, logicalStart, size: SEGMENT_HEADER_SIZE, maxBlock: -1 }
    this.segments.push(seg)
    this.dirty.add(seg)
    this.createdSegment = true
    return seg
  }

  // ---- writer ---------------------------------------------------------------

  /**
   * Reserve a record of `bodyLen` bytes in the pending batch; returns the
   * offset of its body in `buffer` (write it there before the next call) and
   * leaves its location in `lastBatch`/`lastOff`.
   */
  reserve(type: number, bodyLen: number, ordinal: number, blockNumber: number): number {
    const need = RECORD_PREFIX + bodyLen
    if (this.pendingLen > 0 && (this.pendingLen + need > this.pending.length || this.pendingLen >= this.opts.batchBytes)) {
      this.seal(blockNumber)
    }
    if (need > this.pending.length) this.pending = Buffer.allocUnsafeSlow(need)
    if (this.pendingCount === 0) this.pendingFirstOrdinal = ordinal
    this.lastBatch = this.batchPos.length + this.inFlight
    this.lastOff = this.pendingLen
    const b = this.pending
    b[this.pendingLen] = type
    writeU32(b, this.pendingLen + 1, bodyLen)
    const bodyOff = this.pendingLen + RECORD_PREFIX
    this.pendingLen += need
    this.pendingCount++
    return bodyOff
  }

  /** Location of the record last reserved: sequence number of its batch in this stream. */
  lastBatch = 0
  /** Location of the record last reserved: offset of its prefix inside the decoded batch. */
  lastOff = 0

  /** The pending batch buffer that `reserve` offsets point into. */
  get buffer(): Buffer {
    return this.pending
  }

  /** Seal the pending batch (if any): compress it (inline or in the worker), then place and write it. */
  seal(blockNumber: number): void {
    if (this.pendingLen === 0) return
    const raw = this.pending.subarray(0, this.pendingLen)
    this.stats.rawBytes += raw.length
    const r = this.pool.run(
      { level: this.opts.compressionLevel, recordCount: this.pendingCount, firstOrdinal: this.pendingFirstOrdinal, blockNumber, stream: this.stream },
      raw,
    )
    this.inFlight++
    // The sealed buffer now belongs to the compressor and the write; start a fresh one.
    this.pending = Buffer.allocUnsafeSlow(Math.max(this.opts.batchBytes * 2, 1024))
    this.pendingLen = 0
    this.pendingCount = 0
    if (r instanceof Promise) {
      this.lastPlaced = this.lastPlaced.then(() => r).then((res) => this.place(res.header, res.data, blockNumber))
    } else {
      this.place(r.header, r.data, blockNumber)
    }
  }

  /** Give a compressed batch its place in the stream (in seal order) and start writing it. */
  private place(header: Uint8Array, data: Uint8Array, blockNumber: number): void {
    const frameLen = BATCH_HEADER_SIZE + data.length
    let seg = this.active()
    if (seg.size > SEGMENT_HEADER_SIZE && seg.size + frameLen > this.opts.segmentBytes) seg = this.createSegment(seg.id + 1, this.cursor)
    const pos = seg.size
    seg.size += frameLen
    seg.maxBlock = blockNumber
    this.batchPos.push(this.cursor)
    this.inFlight--
    this.cursor += frameLen
    this.stats.storedBytes += frameLen
    this.stats.batches++
    this.dirty.add(seg)
    this.writes.push(writevAsync(seg.fd, [header, data], pos))
  }

  /**
   * Seal, then (once every batch sealed so far is placed) capture the stream
   * position this commit covers, wait for the writes and fdatasync the
   * segments they touched. Resolves to that position.
   */
  async sync(blockNumber: number): Promise<{ segment: number; end: number }> {
    this.seal(blockNumber)
    // Capture in the placement chain itself, so batches of a later block never leak into this commit.
    const captured = this.lastPlaced.then(() => {
      const at = this.position()
      const writes = this.writes
      this.writes = []
      const dirty = [...this.dirty]
      this.dirty.clear()
      return { at, writes, dirty }
    })
    this.lastPlaced = captured.then(() => undefined)
    const { at, writes, dirty } = await captured
    await Promise.all(writes)
    await Promise.all(dirty.map((s) => fdatasyncAsync(s.fd)))
    return at
  }

  /** Drop everything written after the given committed state (abort of an uncommitted block). */
  async rollback(segmentId: number, end: number): Promise<void> {
    this.pendingLen = 0
    this.pendingCount = 0
    await this.lastPlaced.catch(() => undefined)
    const writes = this.writes
    this.writes = []
    await Promise.allSettled(writes)
    this.dirty.clear()
    while (this.segments.length > 0 && this.segments[this.segments.length - 1]!.id > segmentId) {
      const s = this.segments.pop()!
      fs.closeSync(s.fd)
      fs.unlinkSync(s.path)
    }
    const seg = this.segments[this.segments.length - 1]
    if (seg) {
      fs.ftruncateSync(seg.fd, end)
      seg.size = end
      this.cursor = seg.logicalStart + end - SEGMENT_HEADER_SIZE
    } else {
      this.cursor = 0
    }
    while (this.batchPos.length > 0 && this.batchPos.get(this.batchPos.length - 1) >= this.cursor) this.batchPos.length--
    this.cache.clear()
    this.cacheSize = 0
  }

  /** Id and used size of the active segment (what a commit record stores). */
  position(): { segment: number; end: number } {
    const seg = this.active()
    return { segment: seg.id, end: seg.size }
  }

  // ---- reader ---------------------------------------------------------------

  /** The segment holding logical offset `pos`. */
  segmentAt(pos: number): Segment {
    const segs = this.segments
    let lo = 0
    let hi = segs.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (segs[mid]!.logicalStart <= pos) lo = mid
      else hi = mid - 1
    }
    const seg = segs[lo]
    if (!seg || seg.logicalStart > pos) throw new StoreStateError(`stream ${this.stream}: offset ${pos} is not in a live segment (pruned?)`)
    return seg
  }

  /** File and byte offset of batch `seq` (for error messages). */
  locate(seq: number): { file: string; offset: number } {
    const pos = this.batchPos.get(seq)
    const seg = this.segmentAt(pos)
    return { file: seg.path, offset: SEGMENT_HEADER_SIZE + pos - seg.logicalStart }
  }

  /** Decoded payload of batch number `seq`, checksum-verified. */
  readBatch(seq: number): Uint8Array {
    const pos = this.batchPos.get(seq)
    const hit = this.cache.get(pos)
    if (hit !== undefined) {
      this.cache.delete(pos)
      this.cache.set(pos, hit)
      return hit
    }
    const seg = this.segmentAt(pos)
    const phys = SEGMENT_HEADER_SIZE + pos - seg.logicalStart
    const hb = Buffer.allocUnsafe(BATCH_HEADER_SIZE)
    if (fs.readSync(seg.fd, hb, 0, BATCH_HEADER_SIZE, phys) !== BATCH_HEADER_SIZE) throw new CorruptSegmentError(seg.path, phys, 'batch header past end of file')
    const h = decodeBatchHeader(hb)
    if (typeof h === 'string') throw new CorruptSegmentError(seg.path, phys, h)
    if (phys + BATCH_HEADER_SIZE + h.storedLen > seg.size) throw new CorruptSegmentError(seg.path, phys, `batch length ${h.storedLen} runs past the segment end`)
    const payload = Buffer.allocUnsafe(h.storedLen)
    fs.readSync(seg.fd, payload, 0, h.storedLen, phys + BATCH_HEADER_SIZE)
    const raw = verifyAndDecode(seg.path, phys, hb, h, payload)
    this.cacheInsert(pos, raw)
    return raw
  }

  private cacheInsert(pos: number, raw: Uint8Array): void {
    this.cache.set(pos, raw)
    this.cacheSize += raw.length
    while (this.cacheSize > this.opts.cacheBytes && this.cache.size > 1) {
      const [k, v] = this.cache.entries().next().value as [number, Uint8Array]
      this.cache.delete(k)
      this.cacheSize -= v.length
    }
  }

  /** Visit every batch of segment `seg` in order, numbering them (used to rebuild indices on open). */
  scanSegment(seg: Segment, visit: (h: BatchHeader, raw: Uint8Array, seq: number, fileOffset: number) => void): void {
    const data = Buffer.allocUnsafe(seg.size)
    let got = 0
    while (got < seg.size) {
      const n = fs.readSync(seg.fd, data, got, seg.size - got, got)
      if (n === 0) break
      got += n
    }
    let off = SEGMENT_HEADER_SIZE
    while (off < got) {
      if (off + BATCH_HEADER_SIZE > got) throw new CorruptSegmentError(seg.path, off, 'truncated batch header inside the committed region')
      const hb = data.subarray(off, off + BATCH_HEADER_SIZE)
      const h = decodeBatchHeader(hb)
      if (typeof h === 'string') throw new CorruptSegmentError(seg.path, off, h)
      const end = off + BATCH_HEADER_SIZE + h.storedLen
      if (end > got) throw new CorruptSegmentError(seg.path, off, `batch length ${h.storedLen} runs past the committed end`)
      const raw = verifyAndDecode(seg.path, off, hb, h, data.subarray(off + BATCH_HEADER_SIZE, end))
      seg.maxBlock = h.blockNumber
      const seq = this.batchPos.length
      this.batchPos.push(seg.logicalStart + off - SEGMENT_HEADER_SIZE)
      visit(h, raw, seq, off)
      off = end
    }
  }

  /** Close and unlink a whole segment (pruning). The caller guarantees no reader needs it. */
  dropSegment(seg: Segment): void {
    const i = this.segments.indexOf(seg)
    if (i >= 0) this.segments.splice(i, 1)
    fs.closeSync(seg.fd)
    try {
      fs.unlinkSync(seg.path)
    } catch {
      // already gone (a prune that crashed half-way and was redone on open)
    }
    for (const k of [...this.cache.keys()]) {
      if (k >= seg.logicalStart && k < seg.logicalStart + seg.size) {
        this.cacheSize -= this.cache.get(k)!.length
        this.cache.delete(k)
      }
    }
  }

  /** Close every file descriptor. */
  close(): void {
    for (const s of this.segments) fs.closeSync(s.fd)
    this.segments.length = 0
    this.cache.clear()
  }
}

function verifyAndDecode(path: string, phys: number, hb: Uint8Array, h: BatchHeader, payload: Uint8Array): Uint8Array {
  if (!batchChecksumOk(hb, payload)) throw new CorruptSegmentError(path, phys, 'batch checksum mismatch')
  let raw: Uint8Array
  try {
    raw = decodeBatch(h.codec, payload, h.rawLen)
  } catch (e) {
    throw new CorruptSegmentError(path, phys, `batch does not decompress: ${(e as Error).message}`)
  }
  if (raw.length !== h.rawLen) throw new CorruptSegmentError(path, phys, `batch decodes to ${raw.length} bytes, header says ${h.rawLen}`)
  // Plain Uint8Array views (not Buffer), so records read back compare equal to what callers wrote.
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length)
}
