/**
 * Parallel entry reads. Applying a block reads the old entry of every update
 * and delete and the predecessor of every create and delete: one random
 * `pread` each, which used to be the main thread's largest cost. A `ReadPool`
 * takes a batch of (shard, offset) requests that the index names before the
 * changes are applied, and reader threads (`reader-worker.ts`) and the calling
 * thread fill them in parallel into shared memory, one fixed slot per request.
 * The shard then serves `EntryLog.locate()` for those offsets from the slots.
 *
 * Only reads move: what is appended and what is deactivated is still decided on
 * the calling thread in block order, so nothing here can change a root. A slot
 * that could not be filled (an entry longer than a slot, a read error) is simply
 * not used: the log reads that entry itself as before.
 *
 * Protocol (shared Int32 control words): the caller writes the requests, then
 * `done = 0`, the claim word `(tag << 16) | 0`, `n`, and last `seq` (whose low
 * 15 bits are the tag). Readers wake on `seq`, read `seq` then `n`, and claim
 * chunks by compare-and-swap on the claim word, only while its tag is the `seq`
 * they read: a reader that read an older `seq` sees a newer tag (or the old
 * batch's exhausted word) and stops, so no request is read twice or skipped and
 * `done` counts exactly the batch's requests. The caller claims chunks too, then
 * waits for `done === n`.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Worker } from 'node:worker_threads'
import { peekEntryLength } from './entry.js'

/** Bytes per request slot: every entry of a 52-byte key and a value up to ~190 bytes fits. */
export const READ_SLOT_BYTES = 256
/** Requests per batch (8 MiB of slots): callers split larger read sets. */
export const READ_BATCH_MAX = 1 << 15
/** Requests a thread claims at a time. */
const CLAIM_CHUNK = 64
/** Control words: batch sequence number readers wait on, request count, claim word (tag, next request), requests done, stop flag. */
const C_SEQ = 0, C_N = 1, C_CLAIM = 2, C_DONE = 3, C_STOP = 4
const CTRL_WORDS = 8
/** Low bits of the claim word: the next unclaimed request (READ_BATCH_MAX + CLAIM_CHUNK fits). */
const IDX_BITS = 16
const IDX_MASK = (1 << IDX_BITS) - 1
/** The claim word's tag: the batch's `seq` modulo 2^15 (keeps the word a positive int32). */
const TAG_MASK = (1 << 15) - 1

/** Shared memory of a pool, also handed to each reader thread. */
export interface ReadPoolShared {
  ctrl: Int32Array
  offs: Float64Array
  shards: Uint8Array
  lens: Int32Array
  data: Uint8Array
  /** Directory of each shard's segment files. */
  dirs: string[]
  segBytes: number
}

function segPath(dir: string, id: number): string {
  return path.join(dir, `${String(id).padStart(8, '0')}.seg`)
}

/**
 * Reads requests [i, end) of a batch into their slots with `fds` (a per-thread cache of
 * read-only descriptors). Length = the entry's total length, or -1 when it was not read.
 */
export function readRequests(sh: ReadPoolShared, fds: Map<string, number>, i: number, end: number): void {
  for (; i < end; i++) {
    const off = sh.offs[i]!
    const dir = sh.dirs[sh.shards[i]!]!
    const id = Math.floor(off / sh.segBytes)
    const key = `${dir}\0${id}`
    let len = -1
    try {
      let fd = fds.get(key)
      if (fd === undefined) { fd = fs.openSync(segPath(dir, id), 'r'); fds.set(key, fd) }
      const got = fs.readSync(fd, sh.data, i * READ_SLOT_BYTES, READ_SLOT_BYTES, off - id * sh.segBytes)
      const need = peekEntryLength(sh.data, i * READ_SLOT_BYTES, got)
      if (need > 0 && need <= got) len = need
    } catch { /* left to the log's own read, which reports the error */ }
    sh.lens[i] = len
  }
}

/** Claims and reads chunks of the current batch until none is left; returns how many requests this thread read. */
export function drainBatch(sh: ReadPoolShared, fds: Map<string, number>): number {
  const c = sh.ctrl
  const tag = Atomics.load(c, C_SEQ) & TAG_MASK
  const n = Atomics.load(c, C_N)
  let did = 0
  for (;;) {
    const w = Atomics.load(c, C_CLAIM)
    // another batch's claim word (older: finished; newer: its own readers take it)
    if (w >>> IDX_BITS !== tag) return did
    const i = w & IDX_MASK
    if (i >= n) return did
    if (Atomics.compareExchange(c, C_CLAIM, w, w + CLAIM_CHUNK) !== w) continue
    const end = Math.min(n, i + CLAIM_CHUNK)
    readRequests(sh, fds, i, end)
    did += end - i
    if (Atomics.add(c, C_DONE, end - i) + (end - i) >= n) Atomics.notify(c, C_DONE)
  }
}

/** The reader loop run by each reader thread (see reader-worker.ts). */
export function readerLoop(sh: ReadPoolShared): void {
  const fds = new Map<string, number>()
  let seen = Atomics.load(sh.ctrl, C_SEQ)
  for (;;) {
    Atomics.wait(sh.ctrl, C_SEQ, seen)
    if (Atomics.load(sh.ctrl, C_STOP) !== 0) break
    seen = Atomics.load(sh.ctrl, C_SEQ)
    drainBatch(sh, fds)
  }
  for (const fd of fds.values()) fs.closeSync(fd)
}

/** A pool of reader threads over the segment files of a store's shards. */
export class ReadPool {
  readonly shared: ReadPoolShared
  private readonly workers: Worker[] = []
  private readonly fds = new Map<string, number>()
  private n = 0

  /**
   * @param dirs shard directories (index = shard id)
   * @param segBytes segment size of the store
   * @param threads reader threads (the calling thread reads too)
   */
  constructor(dirs: string[], segBytes: number, threads: number) {
    const sab = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes)
    this.shared = {
      ctrl: new Int32Array(sab(4 * CTRL_WORDS)), offs: new Float64Array(sab(8 * READ_BATCH_MAX)),
      shards: new Uint8Array(sab(READ_BATCH_MAX)), lens: new Int32Array(sab(4 * READ_BATCH_MAX)),
      data: new Uint8Array(sab(READ_SLOT_BYTES * READ_BATCH_MAX)), dirs, segBytes,
    }
    for (let t = 0; t < threads; t++) {
      const w = new Worker(new URL('./reader-worker.js', import.meta.url), { workerData: this.shared })
      w.unref()
      this.workers.push(w)
    }
  }

  /** Number of reader threads. */
  get threads(): number {
    return this.workers.length
  }

  /** Starts a batch: the caller then adds requests with `add()` and calls `run()`. */
  begin(): void {
    this.n = 0
  }

  /** Whether the current batch is full. */
  get full(): boolean {
    return this.n === READ_BATCH_MAX
  }

  /** Adds a request for the entry at `offset` of shard `shard`; returns its slot. */
  add(shard: number, offset: number): number {
    const i = this.n++
    this.shared.offs[i] = offset
    this.shared.shards[i] = shard
    return i
  }

  /** Requests in the current batch. */
  get size(): number {
    return this.n
  }

  /** Reads the batch (reader threads and this thread in parallel); returns when every slot is filled. */
  run(): void {
    const c = this.shared.ctrl, n = this.n
    if (n === 0) return
    if (this.workers.length === 0 || n <= CLAIM_CHUNK) { readRequests(this.shared, this.fds, 0, n); return }
    const seq = (Atomics.load(c, C_SEQ) + 1) & 0x3fffffff
    Atomics.store(c, C_DONE, 0)
    Atomics.store(c, C_CLAIM, (seq & TAG_MASK) << IDX_BITS)
    Atomics.store(c, C_N, n)
    Atomics.store(c, C_SEQ, seq)
    Atomics.notify(c, C_SEQ)
    drainBatch(this.shared, this.fds)
    for (;;) {
      const d = Atomics.load(c, C_DONE)
      if (d >= n) break
      Atomics.wait(c, C_DONE, d)
    }
  }

  /** Forgets cached descriptors of segment files (after segments were deleted); reader threads reopen lazily on error. */
  closeFiles(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd)
    this.fds.clear()
  }

  /** Stops the reader threads and closes this thread's descriptors. */
  async close(): Promise<void> {
    Atomics.store(this.shared.ctrl, C_STOP, 1)
    Atomics.store(this.shared.ctrl, C_SEQ, (Atomics.load(this.shared.ctrl, C_SEQ) + 1) & 0x3fffffff)
    Atomics.notify(this.shared.ctrl, C_SEQ)
    await Promise.all(this.workers.map((w) => w.terminate()))
    this.closeFiles()
  }
}
