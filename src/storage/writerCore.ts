/**
 * The write side of the chain store: everything between "a batch of packed
 * records is sealed" and "the commit record is durable". It runs in a worker
 * thread (`writerWorker.ts`, the default) or inline on the caller's thread
 * (`writerHost.ts` picks), with the same code either way.
 *
 * Per stream it compresses each sealed batch (batches under
 * `MIN_COMPRESS_BYTES`, and streams with compression level 0, are stored
 * raw), gives it its place in the segment chain (starting a new segment when
 * the active one would pass `segmentBytes`) and queues its frame. Queued
 * frames are written with one positional `writev` per stream once they
 * reach `FLUSH_BYTES`, at every commit, and when the writer has nothing else
 * to do (the worker's ring is empty; inline: the end of the event-loop turn). Those writes are synchronous calls on
 * this thread (copies into the page cache), which leaves the libuv thread
 * pool (4 threads, shared by the process) to the `fdatasync`s: queued behind
 * a commit's syncs, the next block's writes used to wait for milliseconds.
 * `commit` writes out the batches sealed before it, `fdatasync`s the
 * segments they touched (all streams in parallel; the directory too when a
 * segment was created) and appends the 64-byte commit record, synced at the
 * same time ('parallel') or after the data ('ordered'). Commit records are
 * written strictly in order: record n+1 only after commit n is complete.
 *
 * The writer also computes the index fingerprints of what it writes (tx
 * hashes, and each block's distinct log addresses and topics), so the main
 * thread only inserts them when the commit is published.
 *
 * Batch bytes come from arena chunks the packer registered (`addChunk`),
 * shared memory when this runs in a worker; the writer never copies them
 * (raw batches are written straight from the chunk). A job counter per
 * stream tells the packer which arena bytes it may reuse.
 */
import * as fs from 'node:fs'
import { join } from 'node:path'
import { CODEC_RAW, encodeBatch } from './codec.js'
import {
  BATCH_HEADER_SIZE,
  COMMIT_FLAG_PRUNE,
  COMMIT_RECORD_SIZE,
  RECORD_PREFIX,
  SEGMENT_HEADER_SIZE,
  STREAM_RECEIPTS,
  STREAM_TXS,
  encodeBatchHeader,
  encodeCommitRecord,
  encodeSegmentHeader,
  readU32,
  segmentFileName,
  type CommitRecord,
} from './format.js'
import { PairDeduper, TAG_TX, fingerprintView } from './hashIndex.js'
import { TAG_ADDRESS, TAG_TOPIC } from './logIndex.js'

/** Batches smaller than this are stored raw (compressing them saves too little to pay for itself). */
export const MIN_COMPRESS_BYTES = 1024
/** Most buffers handed to one `writev` call (IOV_MAX is 1024 on Linux). */
const MAX_IOV = 512
/** Queued frames are written once they reach this many bytes (and at every commit). */
const FLUSH_BYTES = 256 * 1024
/**
 * commit.log grows by this many zero bytes at a time, ahead of the records.
 * A record then overwrites allocated blocks, so its `fdatasync` has no file
 * size to journal and costs one data write plus a cache flush. Recovery
 * treats the zeros like any torn tail (invalid records with nothing valid
 * after them) and cuts them off.
 */
const COMMIT_LOG_EXTENT = 64 * 1024

/** A live segment as the writer opens it. */
export interface WriterSegmentInit {
  id: number
  /** Logical offset of its first batch byte. */
  logicalStart: number
  /** Bytes in use (header + committed batches). */
  size: number
}

/** Initial state of one stream (after recovery). */
export interface WriterStreamInit {
  /** Live segments, oldest first; empty for a new stream (segment 0 is then created). */
  segments: WriterSegmentInit[]
  /** zstd level of this stream's batches (0: store raw; negative: zstd's fast levels). */
  compressionLevel: number
  /** Start a new segment once the active one would grow past this size. */
  segmentBytes: number
}

/** Everything the writer needs to continue a recovered store. */
export interface WriterInit {
  dir: string
  streams: WriterStreamInit[]
  /**
   * 'parallel': a commit's segment syncs and its commit record's sync run at
   * the same time (one round trip to the disk; recovery drops a last commit
   * whose data did not all reach the disk). 'ordered': the record is written
   * only once the data is durable (two round trips).
   */
  commitSync: 'parallel' | 'ordered'
  /** The host calls `flushAll` when it has nothing else to do (worker); otherwise queued frames are written at the end of each event-loop turn. */
  flushWhenIdle?: boolean
  /** Valid records in commit.log; the next one is written at `commitCount × 64`. */
  commitCount: number
  /** The last valid commit record (undefined for an empty store). */
  last: CommitRecord | undefined
}

/** What one stream contributed to a commit. */
export interface StreamCommitInfo {
  /** Logical offset of every batch this commit made durable, in sequence order. */
  placed: Float64Array
  /** Segments holding those batches that the reader has not been told about yet. */
  created: { id: number; logicalStart: number }[]
  /** Active segment and its committed size (as in the commit record). */
  segment: number
  end: number
  /** Totals since the writer started: stored (framed) bytes, batches, batches stored raw because the writer was behind. */
  storedBytes: number
  batches: number
  hurried: number
  /**
   * Fingerprint pairs (hi, lo) of the committed records: txs stream, one per
   * transaction in order; receipts stream, the block's distinct log keys
   * (addresses and topics); chain stream, none.
   */
  fps: Uint32Array
}

/** Answer to a block commit. */
export interface CommitReply {
  record: CommitRecord
  streams: StreamCommitInfo[]
  /** Per stream: batch jobs fully written so far (their arena bytes may be reused). */
  released: number[]
}

/** Answer to a prune request: the prune record, or undefined when there was nothing to move. */
export interface PruneReply {
  record: CommitRecord | undefined
  released: number[]
}

/** Answer to a rollback. */
export interface RollbackReply {
  released: number[]
}

interface WSeg {
  id: number
  path: string
  /** Write descriptor; -1 once closed (fully synced and no longer active). */
  fd: number
  logicalStart: number
  size: number
  /** Sequence number (relative to writer start) of its first batch. */
  firstSeq: number
  /** Sequence number of its last batch (-1: none yet). */
  lastSeq: number
  /** Created by this writer and not yet covered by a directory fsync. */
  needsDirSync: boolean
  /** Already reported to the reader. */
  reported: boolean
}

interface WriteGroup {
  seg: WSeg
  pos: number
  bufs: Uint8Array[]
  bytes: number
  jobs: number
}

function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())))
}

function writeAllSync(fd: number, bufs: Uint8Array[], pos: number, bytes: number): void {
  const n = fs.writevSync(fd, bufs, pos)
  if (n === bytes) return
  // Short write (rare: disk full or signal): finish the rest with plain writes.
  let done = n
  let p = pos + n
  for (const b of bufs) {
    if (done >= b.length) {
      done -= b.length
      continue
    }
    const part = b.subarray(done)
    let o = 0
    while (o < part.length) {
      const w = fs.writeSync(fd, part, o, part.length - o, p)
      o += w
      p += w
    }
    done = 0
  }
}

const NO_FPS = new Uint32Array(0)
const fpTmp = new Uint32Array(2)

/** Fingerprints of the tx hashes of a txs batch (records: type, u32 length, hash32, tx). */
function txFingerprints(raw: Uint8Array, records: number): Uint32Array {
  const out = new Uint32Array(2 * records)
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length)
  let off = 0
  for (let r = 0; r < records; r++) {
    fingerprintView(dv, raw, off + RECORD_PREFIX, 32, TAG_TX, fpTmp)
    out[2 * r] = fpTmp[0]!
    out[2 * r + 1] = fpTmp[1]!
    off += RECORD_PREFIX + readU32(raw, off + 1)
  }
  return out
}

let logScratch = new Uint32Array(8192)

/** Fingerprints of every log address and topic of a receipts batch (records: type, u32 length, txHash32, u16 nLogs, logs…). */
function logKeyFingerprints(raw: Uint8Array, records: number): Uint32Array {
  let w = 0
  let off = 0
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length)
  for (let r = 0; r < records; r++) {
    const body = off + RECORD_PREFIX
    const nLogs = raw[body + 32]! | (raw[body + 33]! << 8)
    let o = body + 34
    for (let l = 0; l < nLogs; l++) {
      const nt = raw[o + 20]!
      if (w + 2 * (1 + nt) > logScratch.length) {
        const g = new Uint32Array(logScratch.length * 2)
        g.set(logScratch)
        logScratch = g
      }
      fingerprintView(dv, raw, o, 20, TAG_ADDRESS, fpTmp)
      logScratch[w++] = fpTmp[0]!
      logScratch[w++] = fpTmp[1]!
      o += 21
      for (let t = 0; t < nt; t++, o += 32) {
        fingerprintView(dv, raw, o, 32, TAG_TOPIC, fpTmp)
        logScratch[w++] = fpTmp[0]!
        logScratch[w++] = fpTmp[1]!
      }
    }
    off = body + readU32(raw, off + 1)
  }
  return logScratch.slice(0, w)
}

class StreamWriter {
  readonly segs: WSeg[] = []
  cursor = 0
  readonly chunks = new Map<number, Uint8Array>()
  /** Batches sealed since the writer started (relative sequence numbers). */
  submitted = 0
  /** Batches covered by the last durable commit. */
  committed = 0
  /** Batches covered by the last commit requested (durable or not yet). */
  requested = 0
  /** Per batch in [committed, submitted): logical offset, segment, end offset in the segment. */
  private placedPos: number[] = []
  private placedSeg: WSeg[] = []
  private placedEnd: number[] = []
  private placedFp: Uint32Array[] = []
  /** Position recorded in the last commit record. */
  lastCommitted: { segment: number; end: number }
  jobsSubmitted = 0
  jobsWritten = 0
  private queue: WriteGroup[] = []
  private queuedBytes = 0
  private flushScheduled = false
  storedBytes = 0
  batches = 0
  /** Batches stored raw because the writer was behind. */
  hurried = 0
  private readonly dedupe = new PairDeduper()

  constructor(
    readonly dir: string,
    readonly stream: number,
    readonly level: number,
    readonly segmentBytes: number,
    init: WriterSegmentInit[],
    private readonly onError: (e: Error) => void,
    /** Schedule a flush at the end of the event-loop turn (inline mode); the worker flushes when its ring runs dry. */
    private readonly autoFlush: boolean,
  ) {
    for (const s of init) {
      this.segs.push({ id: s.id, path: join(dir, segmentFileName(stream, s.id)), fd: -1, logicalStart: s.logicalStart, size: s.size, firstSeq: -1, lastSeq: -1, needsDirSync: false, reported: true })
    }
    if (this.segs.length === 0) {
      const seg = this.createSegment(0, 0)
      fs.fdatasyncSync(seg.fd)
      seg.needsDirSync = true
    }
    const last = this.segs[this.segs.length - 1]!
    last.fd = fs.openSync(last.path, 'r+')
    this.cursor = last.logicalStart + last.size - SEGMENT_HEADER_SIZE
    this.lastCommitted = { segment: last.id, end: last.size }
  }

  private createSegment(id: number, logicalStart: number): WSeg {
    const path = join(this.dir, segmentFileName(this.stream, id))
    const fd = fs.openSync(path, 'w+')
    const h = encodeSegmentHeader({ stream: this.stream, segmentId: id, logicalStart })
    fs.writeSync(fd, h, 0, SEGMENT_HEADER_SIZE, 0)
    const seg: WSeg = { id, path, fd, logicalStart, size: SEGMENT_HEADER_SIZE, firstSeq: this.submitted, lastSeq: -1, needsDirSync: true, reported: false }
    this.segs.push(seg)
    return seg
  }

  /** Compress, place and queue one sealed batch. */
  submit(chunkId: number, start: number, length: number, recordCount: number, firstOrdinal: number, blockNumber: number, hurry: boolean): void {
    const chunk = this.chunks.get(chunkId)
    if (chunk === undefined) throw new Error(`stream ${this.stream}: unknown arena chunk ${chunkId}`)
    const raw = chunk.subarray(start, start + length)
    const fps = this.stream === STREAM_TXS ? txFingerprints(raw, recordCount) : this.stream === STREAM_RECEIPTS ? logKeyFingerprints(raw, recordCount) : NO_FPS
    const enc = length >= MIN_COMPRESS_BYTES && !hurry ? encodeBatch(raw, this.level) : { codec: CODEC_RAW, data: raw }
    if (hurry && this.level !== 0) this.hurried++
    const header = encodeBatchHeader({ storedLen: enc.data.length, rawLen: length, recordCount, firstOrdinal, blockNumber, codec: enc.codec, stream: this.stream }, enc.data)
    const frameLen = BATCH_HEADER_SIZE + enc.data.length
    let seg = this.segs[this.segs.length - 1]!
    if (seg.size > SEGMENT_HEADER_SIZE && seg.size + frameLen > this.segmentBytes) seg = this.createSegment(seg.id + 1, this.cursor)
    const pos = seg.size
    seg.size += frameLen
    seg.lastSeq = this.submitted
    this.placedPos.push(this.cursor)
    this.placedSeg.push(seg)
    this.placedEnd.push(seg.size)
    this.placedFp.push(fps)
    this.cursor += frameLen
    this.submitted++
    this.jobsSubmitted++
    this.storedBytes += frameLen
    this.batches++
    const tail = this.queue[this.queue.length - 1]
    if (tail !== undefined && tail.seg === seg && tail.pos + tail.bytes === pos && tail.bufs.length + 2 <= MAX_IOV) {
      tail.bufs.push(header, enc.data)
      tail.bytes += frameLen
      tail.jobs++
    } else {
      this.queue.push({ seg, pos, bufs: [header, enc.data], bytes: frameLen, jobs: 1 })
    }
    this.queuedBytes += frameLen
    if (this.queuedBytes >= FLUSH_BYTES) this.flush()
    else if (this.autoFlush && !this.flushScheduled) {
      // Write what is queued once this turn of the event loop is over (batches handled in the same turn coalesce).
      this.flushScheduled = true
      setImmediate(() => {
        this.flushScheduled = false
        try {
          this.flush()
        } catch {
          // reported through onError
        }
      })
    }
  }

  /** Write every queued frame now (one `writev` per run of frames contiguous in a segment). */
  flush(): void {
    const q = this.queue
    if (q.length === 0) return
    this.queue = []
    this.queuedBytes = 0
    try {
      for (const g of q) {
        writeAllSync(g.seg.fd, g.bufs, g.pos, g.bytes)
        this.jobsWritten += g.jobs
      }
    } catch (e) {
      this.onError(e as Error)
      throw e
    }
  }

  /** Forget queued frames (they belong to batches being rolled back); their arena bytes are free. */
  dropQueued(): void {
    this.queue = []
    this.queuedBytes = 0
    this.jobsWritten = this.jobsSubmitted
  }

  /** Make sure the first `jobs` batch jobs are written (flushing what is queued). */
  waitWritten(jobs: number): void {
    if (this.jobsWritten < jobs) this.flush()
  }

  /**
   * Segments holding batches [from, upTo) (one commit's batches; `from` ≥
   * `committed`) and whether one of them was created since the last
   * directory fsync. Only that commit's own segments: a segment an earlier
   * commit finished with may be closed while this one syncs.
   */
  touched(from: number, upTo: number): { segs: WSeg[]; created: boolean } {
    const segs: WSeg[] = []
    let created = false
    for (let k = from - this.committed; k < upTo - this.committed; k++) {
      const s = this.placedSeg[k]!
      if (segs[segs.length - 1] !== s) {
        segs.push(s)
        if (s.needsDirSync) created = true
      }
    }
    return { segs, created }
  }

  /** Position after batch `upTo - 1` (or the last committed one when there is none). */
  positionAt(upTo: number): { segment: number; end: number } {
    const k = upTo - this.committed - 1
    if (k < 0) return this.lastCommitted
    return { segment: this.placedSeg[k]!.id, end: this.placedEnd[k]! }
  }

  /** Batches [committed, upTo) are now durable: hand their placement to the reader and forget it. */
  finishCommit(upTo: number): StreamCommitInfo {
    const n = upTo - this.committed
    const placed = Float64Array.from(this.placedPos.slice(0, n))
    const created: { id: number; logicalStart: number }[] = []
    for (const s of this.segs) {
      if (!s.reported && s.firstSeq < upTo) {
        s.reported = true
        created.push({ id: s.id, logicalStart: s.logicalStart })
      }
      if (s.firstSeq < upTo) s.needsDirSync = false
    }
    const pos = this.positionAt(upTo)
    let fpLen = 0
    for (let k = 0; k < n; k++) fpLen += this.placedFp[k]!.length
    let fps: Uint32Array = new Uint32Array(fpLen)
    for (let k = 0, o = 0; k < n; k++) {
      fps.set(this.placedFp[k]!, o)
      o += this.placedFp[k]!.length
    }
    if (this.stream === STREAM_RECEIPTS) fps = this.dedupe.unique(fps, fps.length >>> 1)
    this.placedPos.splice(0, n)
    this.placedSeg.splice(0, n)
    this.placedEnd.splice(0, n)
    this.placedFp.splice(0, n)
    this.committed = upTo
    this.lastCommitted = pos
    // Close segments that are no longer written to and fully synced.
    const active = this.segs[this.segs.length - 1]!
    for (const s of this.segs) {
      if (s !== active && s.fd >= 0 && s.lastSeq < upTo) {
        fs.closeSync(s.fd)
        s.fd = -1
      }
    }
    return { placed, created, segment: pos.segment, end: pos.end, storedBytes: this.storedBytes, batches: this.batches, hurried: this.hurried, fps }
  }

  /** Cut the stream back to the last commit (every write must have finished). */
  rollback(): void {
    const { segment, end } = this.lastCommitted
    while (this.segs.length > 0 && this.segs[this.segs.length - 1]!.id > segment) {
      const s = this.segs.pop()!
      if (s.fd >= 0) fs.closeSync(s.fd)
      fs.unlinkSync(s.path)
    }
    const seg = this.segs[this.segs.length - 1]!
    if (seg.fd < 0) seg.fd = fs.openSync(seg.path, 'r+')
    fs.ftruncateSync(seg.fd, end)
    seg.size = end
    this.cursor = seg.logicalStart + end - SEGMENT_HEADER_SIZE
    this.submitted = this.committed
    this.requested = this.committed
    this.placedPos = []
    this.placedSeg = []
    this.placedEnd = []
    this.placedFp = []
  }

  close(): void {
    for (const s of this.segs) {
      if (s.fd >= 0) fs.closeSync(s.fd)
      s.fd = -1
    }
  }
}

/** The writer: streams, commit log, ordering of commit records. */
export class WriterCore {
  private readonly streams: StreamWriter[]
  private readonly commitFd: number
  private commitCount: number
  /** Bytes of commit.log that exist on disk (records, then preallocated zeros). */
  private commitAllocated: number
  private last: CommitRecord | undefined
  /** Settles when the last requested commit/prune/rollback has finished. */
  private chain: Promise<unknown> = Promise.resolve()
  private failed: Error | undefined
  private readonly dir: string
  private readonly ordered: boolean

  constructor(init: WriterInit) {
    this.dir = init.dir
    this.ordered = init.commitSync === 'ordered'
    this.streams = init.streams.map((s, i) => new StreamWriter(init.dir, i, s.compressionLevel, s.segmentBytes, s.segments, (e) => this.fail(e), !init.flushWhenIdle))
    if (this.streams.some((s) => s.segs.some((g) => g.needsDirSync))) {
      this.fsyncDir()
      for (const s of this.streams) for (const g of s.segs) g.needsDirSync = false
    }
    this.commitFd = fs.openSync(join(init.dir, 'commit.log'), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644)
    this.commitCount = init.commitCount
    this.commitAllocated = fs.fstatSync(this.commitFd).size
    this.last = init.last
  }

  private fail(e: Error): void {
    if (this.failed === undefined) this.failed = e
  }

  private async fsyncDirAsync(): Promise<void> {
    const fd = await new Promise<number>((resolve, reject) => fs.open(this.dir, 'r', (err, fd) => (err ? reject(err) : resolve(fd))))
    try {
      await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())))
    } finally {
      fs.closeSync(fd)
    }
  }

  private fsyncDir(): void {
    const fd = fs.openSync(this.dir, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  }

  /** Write every queued frame of every stream (the worker calls this when its ring is empty). */
  flushAll(): void {
    if (this.failed) return
    try {
      for (const s of this.streams) s.flush()
    } catch (e) {
      this.fail(e as Error)
    }
  }

  /** Register an arena chunk of `stream` under `id` (replacing any previous chunk with that id). */
  addChunk(stream: number, id: number, bytes: Uint8Array): void {
    this.streams[stream]!.chunks.set(id, bytes)
  }

  /**
   * Compress, place and start writing one sealed batch (bytes [start,
   * start+length) of chunk `chunk`). `hurry`: the writer is behind the
   * packer, store it raw (compression is most of the writer's CPU; raw
   * batches keep the write amplification under 1).
   */
  submit(stream: number, chunk: number, start: number, length: number, recordCount: number, firstOrdinal: number, blockNumber: number, hurry = false): void {
    if (this.failed) return
    try {
      this.streams[stream]!.submit(chunk, start, length, recordCount, firstOrdinal, blockNumber, hurry)
    } catch (e) {
      this.fail(e as Error)
    }
  }

  private released(): number[] {
    return this.streams.map((s) => s.jobsWritten)
  }

  private async appendRecord(rec: CommitRecord): Promise<void> {
    const bytes = encodeCommitRecord(rec)
    const end = (this.commitCount + 1) * COMMIT_RECORD_SIZE
    if (end > this.commitAllocated) {
      const zeros = new Uint8Array(COMMIT_LOG_EXTENT)
      writeAllSync(this.commitFd, [zeros], this.commitAllocated, zeros.length)
      this.commitAllocated += zeros.length
    }
    writeAllSync(this.commitFd, [bytes], this.commitCount * COMMIT_RECORD_SIZE, COMMIT_RECORD_SIZE)
    await fdatasyncAsync(this.commitFd)
    this.commitCount++
    this.last = rec
  }

  /**
   * Make block `head` durable: every batch submitted so far belongs to it.
   * Resolves once its batches and its commit record are on disk. The record
   * is written after the previous commit completed; in 'parallel' mode its
   * sync overlaps the data syncs, in 'ordered' mode it follows them.
   */
  commit(head: number): Promise<CommitReply> {
    if (this.failed) return Promise.reject(this.failed)
    const upTo = this.streams.map((s) => s.submitted)
    const from = this.streams.map((s) => s.requested)
    for (const s of this.streams) s.requested = s.submitted
    const jobs = this.streams.map((s) => s.jobsSubmitted)
    const prev = this.chain
    const run = (async () => {
      for (let i = 0; i < this.streams.length; i++) this.streams[i]!.waitWritten(jobs[i]!)
      if (this.failed) throw this.failed
      let created = false
      const syncs: Promise<void>[] = []
      this.streams.forEach((s, i) => {
        const t = s.touched(from[i]!, upTo[i]!)
        created ||= t.created
        for (const seg of t.segs) syncs.push(fdatasyncAsync(seg.fd))
      })
      if (created) syncs.push(this.fsyncDirAsync())
      const data = Promise.all(syncs)
      data.catch(() => undefined)
      if (this.ordered) await data
      await prev
      if (this.failed) throw this.failed
      const positions = this.streams.map((s, i) => s.positionAt(upTo[i]!))
      const rec: CommitRecord = {
        seq: (this.last?.seq ?? 0) + 1,
        head,
        horizon: this.last?.horizon ?? head,
        segments: positions.map((p) => p.segment),
        ends: positions.map((p) => p.end),
        flags: 0,
      }
      await Promise.all([this.appendRecord(rec), data])
      const streams = this.streams.map((s, i) => s.finishCommit(upTo[i]!))
      return { record: rec, streams, released: this.released() }
    })()
    run.catch((e: Error) => this.fail(e))
    this.chain = run.catch(() => undefined)
    return run
  }

  /** Append a prune record moving the horizon to min(horizon, head); a no-op reply when it would not move. */
  prune(horizon: number): Promise<PruneReply> {
    if (this.failed) return Promise.reject(this.failed)
    const prev = this.chain
    const run = (async (): Promise<PruneReply> => {
      await prev
      if (this.failed) throw this.failed
      const last = this.last
      if (last === undefined || horizon <= last.horizon) return { record: undefined, released: this.released() }
      const rec: CommitRecord = { ...last, seq: last.seq + 1, horizon: Math.min(horizon, last.head), flags: COMMIT_FLAG_PRUNE }
      await this.appendRecord(rec)
      return { record: rec, released: this.released() }
    })()
    run.catch((e: Error) => this.fail(e))
    this.chain = run.catch(() => undefined)
    return run
  }

  /** Discard every batch submitted since the last commit (after pending commits finish). */
  rollback(): Promise<RollbackReply> {
    const prev = this.chain
    const run = (async (): Promise<RollbackReply> => {
      await prev
      for (const s of this.streams) s.dropQueued()
      for (const s of this.streams) s.rollback()
      return { released: this.released() }
    })()
    this.chain = run.catch(() => undefined)
    return run
  }

  /** Finish pending work and close every file. */
  async close(): Promise<void> {
    await this.chain
    if (!this.failed) for (const s of this.streams) s.flush()
    for (const s of this.streams) s.close()
    fs.closeSync(this.commitFd)
  }
}
