/**
 * Entry log: an append-only, head-prunable file split into segments
 * (`NNNNNNNN.seg`), as QMDB's HPFile. A virtual offset is `segment * segBytes +
 * position`; an entry never crosses a segment end (it starts the next segment
 * instead, and the old one simply ends short), so every read is one `pread` on
 * one file. Appends of a block collect in memory and are written with one
 * `write` per segment at the end of the block; `sync()` fdatasyncs every file
 * written since the last sync (one fsync per committed block).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { QmdbCorruptionError } from './errors.js'
import { peekEntryLength } from './entry.js'

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
  private pending = new Uint8Array(1 << 16)
  private pendingLen = 0
  private pendingStart = 0
  private readonly unsynced = new Set<number>()
  private dirDirty = false
  private readonly scratch = new Uint8Array(512)
  private readonly segEnds = new Map<number, number>()

  /** Opens (creating `dir` if needed) a log whose segments are `segBytes` long. */
  constructor(readonly dir: string, readonly segBytes: number) {
    if (segBytes % 8 !== 0 || segBytes < 4096) throw new RangeError('segment size must be a multiple of 8 and >= 4096')
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

  /**
   * Drops everything at or after `size` (crash rollback to the committed size):
   * truncates the last kept segment, deletes later ones.
   */
  truncate(size: number): void {
    this.pendingLen = 0
    this.segEnds.clear()
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
    this.pendingStart = size
  }

  /** Appends `bytes[0..len)` (one whole entry); returns its offset. */
  append(bytes: Uint8Array, len: number): number {
    let off = this.size
    const seg = Math.floor(off / this.segBytes)
    if (off + len > (seg + 1) * this.segBytes) {
      if (len > this.segBytes) throw new RangeError('entry larger than a segment')
      this.writePending()
      off = (seg + 1) * this.segBytes
      this.pendingStart = off
    } else if (this.pendingLen > 0 && Math.floor(this.pendingStart / this.segBytes) !== seg) {
      // the previous entry ended exactly at a segment end: pending data belongs to the old segment
      this.writePending()
    }
    if (this.pendingLen + len > this.pending.length) {
      const grown = new Uint8Array(Math.max(this.pending.length * 2, this.pendingLen + len))
      grown.set(this.pending.subarray(0, this.pendingLen))
      this.pending = grown
    }
    this.pending.set(bytes.subarray(0, len), this.pendingLen)
    this.pendingLen += len
    this.size = off + len
    return off
  }

  /** Writes buffered appends to their segment file (no fsync). */
  writePending(): void {
    if (this.pendingLen === 0) { this.pendingStart = this.size; return }
    const id = Math.floor(this.pendingStart / this.segBytes)
    const fd = this.fd(id)
    let done = 0
    const pos = this.pendingStart - id * this.segBytes
    while (done < this.pendingLen) done += fs.writeSync(fd, this.pending, done, this.pendingLen - done, pos + done)
    this.unsynced.add(id)
    this.pendingLen = 0
    this.pendingStart = this.size
  }

  /** End of the data in segment `id` (the logical size for the last one, the file length for earlier ones). */
  segmentDataEnd(id: number): number {
    if (id === Math.floor(this.size / this.segBytes) || id * this.segBytes >= this.pendingStart) return this.size
    const cached = this.segEnds.get(id)
    if (cached !== undefined) return cached
    const end = id * this.segBytes + fs.fstatSync(this.fd(id)).size
    this.segEnds.set(id, end)
    return end
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

  /**
   * Reads the entry at `off`. Returns a buffer and the position of the entry in
   * it; the buffer is scratch space, valid until the next read.
   */
  read(off: number): { buf: Uint8Array; pos: number; avail: number } {
    if (off >= this.pendingStart) {
      const pos = off - this.pendingStart
      return { buf: this.pending, pos, avail: this.pendingLen - pos }
    }
    const id = Math.floor(off / this.segBytes)
    const fd = this.fd(id)
    const p = off - id * this.segBytes
    let buf: Uint8Array = this.scratch
    let got = fs.readSync(fd, buf, 0, buf.length, p)
    const need = peekEntryLength(buf, 0, got)
    if (need < 0) throw new QmdbCorruptionError(`no entry at offset ${off}`)
    if (need > got) {
      buf = new Uint8Array(need)
      got = fs.readSync(fd, buf, 0, need, p)
      if (got < need) throw new QmdbCorruptionError(`entry at offset ${off} is truncated`)
    }
    return { buf, pos: 0, avail: got }
  }

  /**
   * Calls `fn(buf, pos, len, offset)` for each entry in `[from, to)`, reading
   * sequentially in large chunks. `from` must be an entry start. Stops early if
   * `fn` returns false.
   */
  scan(from: number, to: number, fn: (buf: Uint8Array, pos: number, len: number, offset: number) => boolean | void): void {
    this.writePending()
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
