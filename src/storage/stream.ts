/**
 * One append stream as the main thread sees it: the packer and the reader.
 *
 * The packer lays records out in arena chunks (1 MiB or more, shared memory
 * when the writer runs in a worker), one batch after the other, with no
 * allocation per record or per batch. A full batch is sealed: its chunk
 * range is handed to the writer (`writerCore.ts`) as a small descriptor; the
 * writer compresses, places and writes it, and reports at commit where each
 * batch landed. A chunk is reused once the writer says all its batches are
 * written. Records are located by (batch sequence number, offset in the
 * batch), both known at packing time.
 *
 * The reader reads any committed batch by logical offset with `pread`,
 * verifies its checksum (a mismatch is a `CorruptSegmentError` naming the
 * file and offset) and keeps recently decoded batches in a small LRU cache.
 */
import * as fs from 'node:fs'
import { join } from 'node:path'
import { CODEC_RAW, decodeBatch, decodeBatchInto } from './codec.js'
import { F64Column } from './columns.js'
import { CorruptSegmentError, StoreStateError } from './errors.js'
import {
  BATCH_HEADER_SIZE,
  RECORD_PREFIX,
  SEGMENT_HEADER_SIZE,
  batchChecksumOk,
  decodeBatchHeader,
  decodeSegmentHeader,
  segmentFileName,
  writeU32,
  type BatchHeader,
} from './format.js'
import type { StreamCommitInfo } from './writerCore.js'
import type { WriterHost } from './writerHost.js'

/** One segment file of a stream, open for reading. */
export interface Segment {
  id: number
  path: string
  fd: number
  /** Logical offset of the first batch byte of this segment. */
  logicalStart: number
  /** Committed bytes of the file (header + batches). */
  size: number
  /** Highest block number with a batch in this segment (-1 when empty). */
  maxBlock: number
}

/** Tuning of one stream. */
export interface StreamOptions {
  /** Seal the pending batch before it would exceed this many raw bytes. */
  batchBytes: number
  /** Start a new segment once the active one would grow past this size. */
  segmentBytes: number
  /** zstd level (0 = store raw; negative = zstd's fast levels). */
  compressionLevel: number
  /** Bytes of decoded batches kept in the read cache. */
  cacheBytes: number
}

/** Counters of what a stream wrote. */
export interface StreamStats {
  rawBytes: number
  storedBytes: number
  batches: number
  /** Batches stored raw because the writer was behind the packer (compressed streams only). */
  hurried: number
}

/** Smallest arena chunk. */
const CHUNK_BYTES = 1 << 20
/** Read-cache buffers are cut from slabs of this size. */
const SLAB_BYTES = 1 << 20

interface Chunk {
  id: number
  bytes: Uint8Array
  /** Reusable once the writer has written this many jobs of the stream. */
  releaseAt: number
}

/** An append stream made of segment files in `dir`. */
export class Stream {
  /** Live segments, oldest first. */
  readonly segments: Segment[] = []
  /** What the writer has produced. */
  readonly stats: StreamStats = { rawBytes: 0, storedBytes: 0, batches: 0, hurried: 0 }
  /** Logical offset of every committed batch, by batch sequence number. */
  batchPos = new F64Column(256)
  private host: WriterHost | undefined
  private chunk: Chunk = { id: -1, bytes: new Uint8Array(0), releaseAt: 0 }
  private chunkPos = 0
  private chunkFirstJob = 0
  private batchStart = 0
  private batchCount = 0
  private batchFirstOrdinal = 0
  /** Sequence number of the pending (unsealed) batch. */
  private nextSeq = 0
  /** Batches handed to the writer since it started. */
  private jobs = 0
  private nextChunkId = 0
  private free: Chunk[] = []
  private retired: Chunk[] = []
  /** Decoded batches by logical offset, least recently used first; `buf` is recycled once evicted. */
  private cache = new Map<number, { buf: Uint8Array; data: Uint8Array }>()
  /** Bytes of the cached buffers. */
  private cacheSize = 0
  /** Evicted buffers waiting to be reused. */
  private spare: Uint8Array[] = []
  /** Holds a stored frame while it is checked and decompressed. */
  private scratch: Uint8Array = new Uint8Array(0)
  /** Slab that new cache buffers are cut from. */
  private slab: Uint8Array = new Uint8Array(0)
  private slabPos = 0

  constructor(
    readonly dir: string,
    readonly stream: number,
    readonly opts: StreamOptions,
  ) {}

  /** Open the segment files found on disk (already recovered: truncated to the committed size). */
  loadSegments(ids: number[]): void {
    for (const id of ids.sort((a, b) => a - b)) {
      const path = join(this.dir, segmentFileName(this.stream, id))
      const fd = fs.openSync(path, 'r')
      const size = fs.fstatSync(fd).size
      const hb = Buffer.alloc(SEGMENT_HEADER_SIZE)
      fs.readSync(fd, hb, 0, SEGMENT_HEADER_SIZE, 0)
      const h = decodeSegmentHeader(hb)
      if (typeof h === 'string') {
        fs.closeSync(fd)
        throw new CorruptSegmentError(path, 0, h)
      }
      if (h.stream !== this.stream || h.segmentId !== id) {
        fs.closeSync(fd)
        throw new CorruptSegmentError(path, 0, 'segment header names another stream or id')
      }
      const prev = this.segments[this.segments.length - 1]
      if (prev && prev.logicalStart + prev.size - SEGMENT_HEADER_SIZE !== h.logicalStart) {
        fs.closeSync(fd)
        throw new CorruptSegmentError(path, 0, `logical start ${h.logicalStart} does not follow segment ${prev.id}`)
      }
      this.segments.push({ id, path, fd, logicalStart: h.logicalStart, size, maxBlock: -1 })
    }
  }

  /** Connect the packer to the writer (after recovery). */
  attach(host: WriterHost): void {
    this.host = host
    this.nextSeq = this.batchPos.length
  }

  // ---- packer ---------------------------------------------------------------

  /**
   * Reserve a record of `bodyLen` bytes in the pending batch; returns the
   * offset of its body in `buffer` (write it there before the next call) and
   * leaves its location in `lastBatch`/`lastOff`.
   */
  reserve(type: number, bodyLen: number, ordinal: number, blockNumber: number): number {
    const need = RECORD_PREFIX + bodyLen
    let p = this.chunkPos
    if (p > this.batchStart && p - this.batchStart + need > this.opts.batchBytes) this.seal(blockNumber)
    if (p + need > this.chunk.bytes.length) {
      this.seal(blockNumber)
      this.nextChunk(need)
      p = 0
    }
    if (this.batchCount === 0) this.batchFirstOrdinal = ordinal
    this.lastBatch = this.nextSeq
    this.lastOff = p - this.batchStart
    const b = this.chunk.bytes
    b[p] = type
    writeU32(b, p + 1, bodyLen)
    this.chunkPos = p + need
    this.batchCount++
    return p + RECORD_PREFIX
  }

  /** Location of the record last reserved: sequence number of its batch in this stream. */
  lastBatch = 0
  /** Location of the record last reserved: offset of its prefix inside the decoded batch. */
  lastOff = 0

  /** The arena chunk that `reserve` offsets point into. */
  get buffer(): Uint8Array {
    return this.chunk.bytes
  }

  /** Seal the pending batch (if any) and hand it to the writer. */
  seal(blockNumber: number): void {
    const len = this.chunkPos - this.batchStart
    if (len === 0) return
    this.host!.submit(this.stream, this.chunk.id, this.batchStart, len, this.batchCount, this.batchFirstOrdinal, blockNumber)
    this.stats.rawBytes += len
    this.nextSeq++
    this.jobs++
    this.batchStart = this.chunkPos
    this.batchCount = 0
  }

  private nextChunk(need: number): void {
    const old = this.chunk
    if (old.id >= 0) {
      if (this.jobs > this.chunkFirstJob) {
        old.releaseAt = this.jobs
        this.retired.push(old)
      } else {
        this.free.push(old)
      }
    }
    let next: Chunk | undefined
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i]!.bytes.length >= need) {
        next = this.free[i]!
        this.free.splice(i, 1)
        break
      }
    }
    if (next === undefined) {
      const size = Math.max(CHUNK_BYTES, 4 * this.opts.batchBytes, need)
      const bytes = this.host!.shared ? new Uint8Array(new SharedArrayBuffer(size)) : new Uint8Array(size)
      next = { id: this.nextChunkId++, bytes, releaseAt: 0 }
      this.host!.addChunk(this.stream, next.id, bytes)
    }
    this.chunk = next
    this.chunkPos = 0
    this.batchStart = 0
    this.chunkFirstJob = this.jobs
  }

  /** The writer has written `written` jobs: chunks whose batches are all written become reusable. */
  reclaim(written: number): void {
    if (this.retired.length === 0) return
    const keep: Chunk[] = []
    for (const c of this.retired) {
      if (c.releaseAt <= written) this.free.push(c)
      else keep.push(c)
    }
    this.retired = keep
  }

  /** A commit is durable: record where its batches landed (new segments, offsets, sizes). */
  applyCommit(info: StreamCommitInfo, blockNumber: number): void {
    for (const c of info.created) {
      const path = join(this.dir, segmentFileName(this.stream, c.id))
      this.segments.push({ id: c.id, path, fd: fs.openSync(path, 'r'), logicalStart: c.logicalStart, size: SEGMENT_HEADER_SIZE, maxBlock: -1 })
    }
    const segs = this.segments
    for (let i = 0; i < info.placed.length; i++) {
      const pos = info.placed[i]!
      this.batchPos.push(pos)
      this.segmentAt(pos).maxBlock = blockNumber
    }
    const n = segs.length
    if (n === 0) return
    for (let i = Math.max(0, n - 2 - info.created.length); i < n - 1; i++) {
      segs[i]!.size = segs[i + 1]!.logicalStart - segs[i]!.logicalStart + SEGMENT_HEADER_SIZE
    }
    if (segs[n - 1]!.id === info.segment) segs[n - 1]!.size = info.end
    this.stats.storedBytes = info.storedBytes
    this.stats.batches = info.batches
    this.stats.hurried = info.hurried
  }

  /** Forget the uncommitted batches (after the writer rolled back). */
  rollback(): void {
    this.chunkPos = this.batchStart
    this.batchCount = 0
    this.nextSeq = this.batchPos.length
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

  /**
   * Decoded payload of batch number `seq`, checksum-verified. The bytes live
   * in a cache buffer that is recycled after eviction: use them before the
   * next read and copy what must outlive it.
   */
  readBatch(seq: number): Uint8Array {
    const pos = this.batchPos.get(seq)
    const hit = this.cache.get(pos)
    if (hit !== undefined) {
      this.cache.delete(pos)
      this.cache.set(pos, hit)
      return hit.data
    }
    const seg = this.segmentAt(pos)
    const phys = SEGMENT_HEADER_SIZE + pos - seg.logicalStart
    // The frame ends where the next batch starts (or at the segment's committed end): one pread for header and payload.
    const segEnd = seg.logicalStart + seg.size - SEGMENT_HEADER_SIZE
    const next = seq + 1 < this.batchPos.length ? this.batchPos.get(seq + 1) : segEnd
    const frameLen = (next <= segEnd ? next : segEnd) - pos
    if (frameLen < BATCH_HEADER_SIZE) throw new CorruptSegmentError(seg.path, phys, 'batch header past the committed end')
    // Raw streams: read the frame straight into its cache buffer (no copy); compressed: into scratch, then decompress into the buffer.
    const direct = this.opts.compressionLevel === 0
    let buf = direct ? this.takeBuffer(frameLen) : undefined
    if (!direct && this.scratch.length < frameLen) this.scratch = Buffer.allocUnsafeSlow(Math.max(frameLen, 2 * this.scratch.length))
    const frame = (buf ?? this.scratch).subarray(0, frameLen)
    try {
      if (fs.readSync(seg.fd, frame, 0, frameLen, phys) !== frameLen) throw new CorruptSegmentError(seg.path, phys, 'batch past end of file')
      const hb = frame.subarray(0, BATCH_HEADER_SIZE)
      const h = decodeBatchHeader(hb)
      if (typeof h === 'string') throw new CorruptSegmentError(seg.path, phys, h)
      if (BATCH_HEADER_SIZE + h.storedLen !== frameLen) throw new CorruptSegmentError(seg.path, phys, `batch length ${h.storedLen} does not match its frame (${frameLen - BATCH_HEADER_SIZE} bytes)`)
      const payload = frame.subarray(BATCH_HEADER_SIZE)
      if (!batchChecksumOk(hb, payload)) throw new CorruptSegmentError(seg.path, phys, 'batch checksum mismatch')
      let data: Uint8Array
      if (h.codec === CODEC_RAW) {
        if (payload.length !== h.rawLen) throw new CorruptSegmentError(seg.path, phys, `raw batch of ${payload.length} bytes, header says ${h.rawLen}`)
        if (buf === undefined) {
          buf = this.takeBuffer(h.rawLen)
          buf.set(payload)
          data = buf.subarray(0, h.rawLen)
        } else {
          data = payload
        }
      } else {
        let src = payload
        if (buf !== undefined) {
          // A compressed batch in a raw stream (written with other options): move it out of the way first.
          if (this.scratch.length < payload.length) this.scratch = Buffer.allocUnsafeSlow(payload.length)
          this.scratch.set(payload)
          src = this.scratch.subarray(0, payload.length)
          if (buf.length < h.rawLen) {
            this.release(buf)
            buf = this.takeBuffer(h.rawLen)
          }
        } else {
          buf = this.takeBuffer(h.rawLen)
        }
        try {
          data = decodeBatchInto(h.codec, src, h.rawLen, buf)
        } catch (e) {
          throw new CorruptSegmentError(seg.path, phys, `batch does not decompress: ${(e as Error).message}`)
        }
      }
      this.cache.set(pos, { buf, data })
      this.cacheSize += buf.length
      return data
    } catch (e) {
      if (buf !== undefined) this.release(buf)
      throw e
    }
  }

  private release(buf: Uint8Array): void {
    if (this.spare.length < 64) this.spare.push(buf)
  }

  /** A buffer of at least `need` bytes for a new cache entry: evict until it fits, reuse an evicted buffer when one is big enough. */
  private takeBuffer(need: number): Uint8Array {
    while (this.cache.size > 0 && this.cacheSize + need > this.opts.cacheBytes) {
      const [k, v] = this.cache.entries().next().value as [number, { buf: Uint8Array; data: Uint8Array }]
      this.cache.delete(k)
      this.cacheSize -= v.buf.length
      this.release(v.buf)
    }
    for (let i = this.spare.length - 1; i >= 0; i--) {
      if (this.spare[i]!.length >= need) {
        const b = this.spare[i]!
        this.spare[i] = this.spare[this.spare.length - 1]!
        this.spare.pop()
        return b
      }
    }
    // Carve fixed-size slots out of 1 MiB slabs: one allocation per many cache misses while the cache fills.
    // Plain Uint8Array views (not Buffer: its slice() does not copy), so records read back compare equal to what callers wrote.
    const slot = this.opts.batchBytes + 2 * BATCH_HEADER_SIZE
    if (need > slot) return plain(Buffer.allocUnsafeSlow(need))
    if (this.slabPos + slot > this.slab.length) {
      this.slab = plain(Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, slot)))
      this.slabPos = 0
    }
    const b = this.slab.subarray(this.slabPos, this.slabPos + slot)
    this.slabPos += slot
    return b
  }

  /**
   * Visit every batch of segment `seg` from file offset `from` on, in order,
   * numbering them after the batches already known (used to rebuild indices
   * on open, from the start or from an index checkpoint's position).
   */
  scanSegment(seg: Segment, visit: (h: BatchHeader, raw: Uint8Array, seq: number, fileOffset: number) => void, from = SEGMENT_HEADER_SIZE): void {
    const data = Buffer.allocUnsafe(seg.size)
    let got = from
    while (got < seg.size) {
      const n = fs.readSync(seg.fd, data, got, seg.size - got, got)
      if (n === 0) break
      got += n
    }
    let off = from
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
        this.cacheSize -= this.cache.get(k)!.buf.length
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

/** A plain Uint8Array over the same memory as `b`. */
function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length)
}
