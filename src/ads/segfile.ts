/**
 * Entry log: an append-only, head-prunable file split into segments
 * (`NNNNNNNN.seg`), as QMDB's HPFile. A virtual offset is `segment * segBytes +
 * position`; an entry never crosses a segment end (it starts the next segment
 * instead, and the old one simply ends short), so every read is one `pread` on
 * one file. Appends of a block are encoded in place into one block buffer
 * (served to reads of this block's entries from memory) and written with one
 * `write` per segment at the end of the block; `sync()` fdatasyncs every file
 * written since the last sync (one fsync per committed block). Reads return a
 * position in a reused buffer (`locate`), never an object per entry.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { QmdbCorruptionError } from './errors.js'
import { peekEntryLength } from './entry.js'

/** Block buffers kept for reuse per log (one in flight in the Merkle worker, one being filled). */
const MAX_SPARE_BUFFERS = 2

/**
 * Default size of a log's tail cache: the last bytes written, kept in memory so reads of
 * recent entries (the old entry of an update is often one a recent block wrote or moved)
 * cost no `pread`. Per log (shard); 0 disables it.
 */
export const DEFAULT_TAIL_CACHE_BYTES = 16 << 20

function segName(id: number): string {
  return `${String(id).padStart(8, '0')}.seg`
}

/** Calls fdatasync on `fd` and resolves when done. */
function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())))
}

/** Fsyncs a directory (makes created/deleted file names durable). */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try { fs.fsyncSync(fd) } finally { fs.closeSync(fd) }
}

/** Append-only segmented log of entries. */
export class EntryLog {
  /** Next append offset (the logical size). */
  size = 0
  private readonly fds = new Map<number, number>()
  private firstSeg = 0
  /**
   * The current block's appends, contiguous. They cover the virtual ranges
   * `runOff[i] .. runOff[i] + (runBuf[i+1] ?? bufLen) - runBuf[i]` (a new run starts
   * when an entry skips to the next segment).
   */
  buf: Uint8Array = new Uint8Array(1 << 16)
  private bufLen = 0
  private runBuf: number[] = [0]
  private runOff: number[] = [0]
  private pendingStart = 0
  /** Position in `buf` of the entry reserved last. */
  lastPos = 0
  /** Buffer holding the entry found by the last `locate()`/`locateSeq()` (the block buffer or scratch). */
  rbuf: Uint8Array = new Uint8Array(0)
  private readonly unsynced = new Set<number>()
  private dirDirty = false
  private scratch = new Uint8Array(512)
  private readonly segEnds = new Map<number, number>()
  private chunk = new Uint8Array(0)
  private chunkOff = -1
  private chunkLen = 0
  private readonly spares: Uint8Array[] = []
  /** Prefetched entries (see `prefetch()`): open-addressing table offset -> position in `pfData`. */
  private pfKeys = new Float64Array(0)
  private pfPos = new Int32Array(0)
  private pfBits = 0
  private pfData: Uint8Array | undefined
  /**
   * Tail cache: a ring holding the written log bytes of virtual offsets [tailLo, tailHi)
   * at `off % tail.length` (an entry may wrap around the ring's end). tailHi is the end of
   * the last block written; tailHi - tailLo <= tail.length, so a cached entry is whole.
   */
  private readonly tail: Uint8Array
  private tailLo = 0
  private tailHi = 0
  /** Reads served by the tail cache and by `pread` (statistics). */
  readonly readStats = { tail: 0, pread: 0 }

  /**
   * Opens (creating `dir` if needed) a log whose segments are `segBytes` long, with a tail
   * cache of `tailBytes` (a multiple of 8; 0 = none).
   */
  constructor(readonly dir: string, readonly segBytes: number, tailBytes = DEFAULT_TAIL_CACHE_BYTES) {
    if (segBytes % 8 !== 0 || segBytes < 4096) throw new RangeError('segment size must be a multiple of 8 and >= 4096')
    if (tailBytes % 8 !== 0 || tailBytes < 0) throw new RangeError('tail cache size must be a non-negative multiple of 8')
    this.tail = new Uint8Array(tailBytes)
    fs.mkdirSync(dir, { recursive: true })
    const ids = this.segmentIds()
    this.firstSeg = ids.length > 0 ? ids[0]! : 0
  }

  /** Sorted ids of the segment files present. */
  segmentIds(): number[] {
    return fs.readdirSync(this.dir).filter((n) => /^\d{8}\.seg$/.test(n)).map((n) => Number(n.slice(0, 8))).sort((a, b) => a - b)
  }

  /** Offset of the first byte still on disk (after head pruning). */
  get startOffset(): number {
    return this.firstSeg * this.segBytes
  }

  private fd(id: number): number {
    let fd = this.fds.get(id)
    if (fd === undefined) {
      const p = path.join(this.dir, segName(id))
      if (!fs.existsSync(p)) this.dirDirty = true
      fd = fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644)
      this.fds.set(id, fd)
    }
    return fd
  }

  private resetPending(): void {
    this.bufLen = 0
    this.pendingStart = this.size
    this.runBuf = [0]
    this.runOff = [this.size]
  }

  /**
   * Drops everything at or after `size` (crash rollback to the committed size):
   * truncates the last kept segment, deletes later ones.
   */
  truncate(size: number): void {
    this.segEnds.clear()
    this.chunkOff = -1
    const lastId = Math.floor(size / this.segBytes)
    for (const id of this.segmentIds()) {
      if (id > lastId || (id === lastId && size % this.segBytes === 0 && size > 0 && id * this.segBytes === size)) {
        const fd = this.fds.get(id)
        if (fd !== undefined) { fs.closeSync(fd); this.fds.delete(id) }
        fs.unlinkSync(path.join(this.dir, segName(id)))
        this.dirDirty = true
      } else if (id === lastId) {
        const fd = this.fd(id)
        const len = size - id * this.segBytes
        if (fs.fstatSync(fd).size < len) throw new QmdbCorruptionError(`segment ${id} shorter than the committed size`)
        fs.ftruncateSync(fd, len)
        this.unsynced.add(id)
      }
    }
    this.size = size
    this.tailLo = this.tailHi = size
    this.resetPending()
  }

  /**
   * Reserves `len` bytes for one entry in the block buffer; returns its offset.
   * The caller encodes the entry at `buf[lastPos ..]` (the buffer may have been replaced).
   */
  reserve(len: number): number {
    let off = this.size
    const seg = Math.floor(off / this.segBytes)
    if (off + len > (seg + 1) * this.segBytes) {
      if (len > this.segBytes) throw new RangeError('entry larger than a segment')
      off = (seg + 1) * this.segBytes
      if (this.bufLen === 0) { this.pendingStart = off; this.runOff[0] = off } else { this.runBuf.push(this.bufLen); this.runOff.push(off) }
    }
    if (this.bufLen + len > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.bufLen + len))
      grown.set(this.buf.subarray(0, this.bufLen))
      this.buf = grown
    }
    this.lastPos = this.bufLen
    this.bufLen += len
    this.size = off + len
    return off
  }

  /** Bytes of the current block's appends (their end position in `buf`). */
  get pendingLen(): number {
    return this.bufLen
  }

  /** Appends `bytes[0..len)` (one whole entry); returns its offset. */
  append(bytes: Uint8Array, len: number): number {
    const off = this.reserve(len)
    this.buf.set(bytes.subarray(0, len), this.lastPos)
    return off
  }

  /** Writes the block's appends to their segment files (one write per segment run, no fsync). */
  private writeRuns(): void {
    for (let r = 0; r < this.runBuf.length; r++) {
      let bp = this.runBuf[r]!
      const bEnd = r + 1 < this.runBuf.length ? this.runBuf[r + 1]! : this.bufLen
      let off = this.runOff[r]!
      while (bp < bEnd) {
        const id = Math.floor(off / this.segBytes)
        const n = Math.min(bEnd - bp, (id + 1) * this.segBytes - off)
        const fd = this.fd(id)
        let done = 0
        while (done < n) done += fs.writeSync(fd, this.buf, bp + done, n - done, off - id * this.segBytes + done)
        this.unsynced.add(id)
        this.toTail(bp, off, n)
        bp += n; off += n
      }
    }
  }

  /** Copies `buf[bp..bp+n)` (virtual offsets off..off+n, just written) into the tail ring. */
  private toTail(bp: number, off: number, n: number): void {
    const R = this.tail.length
    if (R === 0) return
    // not contiguous with the cached bytes (a segment's unused tail was skipped): restart the cache here
    if (off !== this.tailHi) this.tailLo = off
    if (n > R) { bp += n - R; off += n - R; n = R }
    const p = off % R
    const first = Math.min(n, R - p)
    this.tail.set(this.buf.subarray(bp, bp + first), p)
    if (first < n) this.tail.set(this.buf.subarray(bp + first, bp + n), 0)
    this.tailHi = off + n
    if (this.tailLo < this.tailHi - R) this.tailLo = this.tailHi - R
  }

  /**
   * Ends the block: writes its appends (no fsync) and hands over the block buffer
   * (entries contiguous, in serial order) and its length; the log starts a fresh buffer.
   */
  takeBlock(): { entries: Uint8Array; len: number } {
    this.writeRuns()
    const out = { entries: this.buf, len: this.bufLen }
    const want = Math.max(1 << 16, this.bufLen + (this.bufLen >> 2))
    const spare = this.spares.pop()
    // a recycled buffer has its pages mapped already (a fresh one page-faults on every first touch)
    this.buf = spare !== undefined && spare.length >= this.bufLen ? spare : new Uint8Array(want)
    this.resetPending()
    return out
  }

  /**
   * Gives back a block buffer returned by `takeBlock()` once nothing reads it any more
   * (the Merkle worker has hashed it), so the next block reuses it instead of allocating.
   */
  recycle(buf: Uint8Array): void {
    if (this.spares.length < MAX_SPARE_BUFFERS && buf !== this.buf) this.spares.push(buf)
  }

  /** Writes buffered appends to their segment files (no fsync) and drops them from memory. */
  writePending(): void {
    this.writeRuns()
    this.resetPending()
  }

  /** End of the data in segment `id` (the logical size for the last one, the file length for earlier ones). */
  segmentDataEnd(id: number): number {
    if (id === Math.floor(this.size / this.segBytes)) return this.size
    let end = -1
    for (let r = 0; r < this.runBuf.length && this.bufLen > 0; r++) {
      const rs = this.runOff[r]!, re = rs + (r + 1 < this.runBuf.length ? this.runBuf[r + 1]! : this.bufLen) - this.runBuf[r]!
      const lo = id * this.segBytes, hi = lo + this.segBytes
      if (re > lo && rs < hi) end = Math.max(end, Math.min(re, hi))
    }
    if (end >= 0) return end
    const cached = this.segEnds.get(id)
    if (cached !== undefined) return cached
    const fileEnd = id * this.segBytes + fs.fstatSync(this.fd(id)).size
    this.segEnds.set(id, fileEnd)
    return fileEnd
  }

  /** Whether a segment was created or deleted since the last `takeDirDirty()`. */
  takeDirDirty(): boolean {
    const d = this.dirDirty
    this.dirDirty = false
    return d
  }

  /** Fdatasyncs every segment written since the last call (asynchronously, on the libuv pool). */
  sync(): Promise<void> {
    const ids = [...this.unsynced]
    this.unsynced.clear()
    return Promise.all(ids.map((id) => fdatasyncAsync(this.fd(id)))).then(() => undefined)
  }

  /** Synchronous variant of `sync()`. */
  syncNow(): void {
    for (const id of this.unsynced) fs.fdatasyncSync(this.fd(id))
    this.unsynced.clear()
  }

  /** Lowest offset the tail cache serves (every entry at or after it, up to the written end, is in memory). */
  get cachedFrom(): number {
    return this.tailLo
  }

  /** Whether reading the entry at `off` needs a `pread` (it is neither in the current block's buffer nor in the tail cache). */
  onDisk(off: number): boolean {
    return !(off >= this.pendingStart && this.bufLen > 0) && !(off >= this.tailLo && off < this.tailHi)
  }

  /** Serves the entry at `off` from the tail cache (copied to scratch when it wraps); -1 if not cached. */
  private locateTail(off: number): number {
    if (off < this.tailLo || off >= this.tailHi) return -1
    const R = this.tail.length, p = off % R
    this.readStats.tail++
    if (R - p >= 256) {
      const need = peekEntryLength(this.tail, p, R - p)
      if (need > 0 && need <= R - p) { this.rbuf = this.tail; return p }
    }
    // near the ring's end: copy the entry (it may wrap) into scratch
    const head = Math.min(R - p, 256)
    const b = this.scratch
    b.set(this.tail.subarray(p, p + head), 0)
    if (head < 256) b.set(this.tail.subarray(0, 256 - head), head)
    const need = peekEntryLength(b, 0, 256)
    if (need < 0) throw new QmdbCorruptionError(`no entry at offset ${off}`)
    if (need > 256) {
      if (need > b.length) this.scratch = new Uint8Array(need)
      const d = this.scratch
      const a = Math.min(R - p, need)
      d.set(this.tail.subarray(p, p + a), 0)
      if (a < need) d.set(this.tail.subarray(0, need - a), a)
    }
    this.rbuf = this.scratch
    return 0
  }

  /**
   * Serves `locate()` of the given on-disk offsets from `data` (entry `i` at
   * `data[i * slotBytes]`, `lens[i]` bytes, skipped when < 0) until `endPrefetch()`.
   * The entries were read by a `ReadPool`; an entry on disk never changes.
   */
  prefetch(data: Uint8Array, offs: Float64Array, slotBytes: number, lens: Int32Array, n: number): void {
    let bits = 4
    while ((1 << bits) < 2 * n) bits++
    if (this.pfKeys.length < 1 << bits) { this.pfKeys = new Float64Array(1 << bits); this.pfPos = new Int32Array(1 << bits) }
    this.pfBits = bits
    const keys = this.pfKeys, mask = (1 << bits) - 1
    keys.fill(-1, 0, 1 << bits)
    for (let i = 0; i < n; i++) {
      if (lens[i]! <= 0) continue
      const off = offs[i]!
      let h = EntryLog.slotOf(off, bits)
      while (keys[h] !== -1 && keys[h] !== off) h = (h + 1) & mask
      keys[h] = off
      this.pfPos[h] = i * slotBytes
    }
    this.pfData = data
  }

  /** Stops serving prefetched entries (their memory is about to be reused). */
  endPrefetch(): void {
    this.pfData = undefined
  }

  private static slotOf(off: number, bits: number): number {
    const q = off / 8
    return Math.imul((q | 0) ^ ((q / 0x100000000) | 0), 0x9e3779b1) >>> (32 - bits)
  }

  /**
   * Finds the entry at `off` without allocating: returns its position in `this.rbuf`
   * (the block buffer for this block's appends, else a scratch buffer filled by one
   * `pread`; valid until the next locate or append).
   */
  locate(off: number): number {
    if (off >= this.pendingStart && this.bufLen > 0) {
      let r = this.runOff.length - 1
      while (r > 0 && this.runOff[r]! > off) r--
      this.rbuf = this.buf
      return this.runBuf[r]! + off - this.runOff[r]!
    }
    if (this.pfData !== undefined) {
      const keys = this.pfKeys, mask = (1 << this.pfBits) - 1
      for (let h = EntryLog.slotOf(off, this.pfBits); keys[h] !== -1; h = (h + 1) & mask) {
        if (keys[h] === off) { this.rbuf = this.pfData; return this.pfPos[h]! }
      }
    }
    const t = this.locateTail(off)
    if (t >= 0) return t
    this.readStats.pread++
    const id = Math.floor(off / this.segBytes)
    const fd = this.fd(id)
    const p = off - id * this.segBytes
    let got = fs.readSync(fd, this.scratch, 0, 256, p)
    const need = peekEntryLength(this.scratch, 0, got)
    if (need < 0) throw new QmdbCorruptionError(`no entry at offset ${off}`)
    if (need > got) {
      if (need > this.scratch.length) this.scratch = new Uint8Array(need)
      got = fs.readSync(fd, this.scratch, 0, need, p)
      if (got < need) throw new QmdbCorruptionError(`entry at offset ${off} is truncated`)
    }
    this.rbuf = this.scratch
    return 0
  }

  /**
   * Like `locate()`, for a forward-moving cursor (compaction): serves entries from a
   * 1 MiB read-ahead chunk, so sequential entries cost one `pread` per chunk.
   */
  locateSeq(off: number): number {
    if (off >= this.pendingStart && this.bufLen > 0) return this.locate(off)
    const t = this.locateTail(off)
    if (t >= 0) return t
    for (let attempt = 0; attempt < 2; attempt++) {
      const pos = off - this.chunkOff
      if (this.chunkOff >= 0 && pos >= 0 && pos + 5 <= this.chunkLen) {
        const need = peekEntryLength(this.chunk, pos, this.chunkLen - pos)
        if (need > 0 && pos + need <= this.chunkLen) { this.rbuf = this.chunk; return pos }
      }
      if (attempt === 1) break
      const id = Math.floor(off / this.segBytes)
      if (this.chunk.length === 0) this.chunk = new Uint8Array(1 << 20)
      const want = Math.min(this.chunk.length, (id + 1) * this.segBytes - off)
      this.chunkLen = fs.readSync(this.fd(id), this.chunk, 0, want, off - id * this.segBytes)
      this.chunkOff = off
    }
    return this.locate(off)
  }

  /**
   * Reads the entry at `off`. Returns a buffer and the position of the entry in
   * it; the buffer is scratch space, valid until the next read.
   */
  read(off: number): { buf: Uint8Array; pos: number; avail: number } {
    const pos = this.locate(off)
    const avail = this.rbuf === this.buf ? this.bufLen - pos : peekEntryLength(this.rbuf, pos, this.rbuf.length - pos)
    return { buf: this.rbuf, pos, avail }
  }

  /**
   * Calls `fn(buf, pos, len, offset)` for each entry in `[from, to)`, reading
   * sequentially in large chunks. `from` must be an entry start. Stops early if
   * `fn` returns false.
   */
  scan(from: number, to: number, fn: (buf: Uint8Array, pos: number, len: number, offset: number) => boolean | void): void {
    if (this.bufLen > 0) this.writePending()
    const chunk = new Uint8Array(4 << 20)
    let off = from
    while (off < to) {
      const id = Math.floor(off / this.segBytes)
      const segEnd = Math.min(to, (id + 1) * this.segBytes)
      const fd = this.fd(id)
      const fileLen = Math.min(fs.fstatSync(fd).size + id * this.segBytes, segEnd)
      while (off < fileLen) {
        const want = Math.min(chunk.length, fileLen - off)
        let got = 0
        while (got < want) {
          const n = fs.readSync(fd, chunk, got, want - got, off - id * this.segBytes + got)
          if (n === 0) throw new QmdbCorruptionError(`short read in segment ${id}`)
          got += n
        }
        let p = 0
        while (p < got) {
          const len = peekEntryLength(chunk, p, got - p)
          if (len < 0 || len > got - p) {
            if (off + p + (len < 0 ? 5 : len) > fileLen) throw new QmdbCorruptionError(`truncated entry at ${off + p}`)
            break // entry continues in the next chunk
          }
          if (len === 56 && chunk[p] === 0 && chunk[p + 1] === 0 && chunk[p + 2] === 0 && chunk[p + 3] === 0) {
            throw new QmdbCorruptionError(`zero bytes where an entry should be at ${off + p}`)
          }
          if (fn(chunk, p, len, off + p) === false) return
          p += len
        }
        if (p === 0) throw new QmdbCorruptionError(`entry at ${off} larger than the scan buffer`)
        off += p
      }
      off = (id + 1) * this.segBytes
    }
  }

  /** Deletes whole segments that end at or before `offset` (never the segment holding `size`). */
  pruneHead(offset: number): number {
    let removed = 0
    const lastId = Math.floor(this.size / this.segBytes)
    for (const id of this.segmentIds()) {
      if (id >= lastId || (id + 1) * this.segBytes > offset) break
      const fd = this.fds.get(id)
      if (fd !== undefined) { fs.closeSync(fd); this.fds.delete(id) }
      fs.unlinkSync(path.join(this.dir, segName(id)))
      this.unsynced.delete(id)
      this.dirDirty = true
      this.firstSeg = id + 1
      removed++
    }
    return removed
  }

  /** Bytes on disk (sum of segment file sizes). */
  diskBytes(): number {
    let n = 0
    for (const id of this.segmentIds()) n += fs.statSync(path.join(this.dir, segName(id))).size
    return n
  }

  /** Closes every file descriptor. */
  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd)
    this.fds.clear()
  }
}
