/**
 * Main-thread side of the chain store's writer. `startWriter` runs the
 * `WriterCore` in a worker thread (default: the machines have 2 cores, one
 * packs records, the other compresses and drives the I/O) or inline when
 * workers are not wanted.
 *
 * In worker mode, requests travel through a ring of fixed-size slots in
 * shared memory, not through `postMessage`: sealing a batch writes eight
 * numbers and bumps a counter (plus an `Atomics.notify` that costs nothing
 * while the worker is busy), where a message costs 10–50 µs of main-thread
 * time on these machines. Waking a sleeping worker is itself not free
 * (`Atomics.notify` on a `waitAsync` waiter costs 50–90 µs of the caller's
 * time here), so while blocks are being written the worker polls the ring
 * every millisecond by itself and the host only wakes it for a control
 * request (commit, prune, rollback); an idle worker sleeps until notified. Arena chunks are SharedArrayBuffers, sent once by
 * message when created; the worker holds back a batch whose chunk has not
 * arrived yet. Replies (one per commit, prune or rollback) come back by
 * message, matched by request id.
 */
import { Worker } from 'node:worker_threads'
import { StorageIOError, StoreStateError } from './errors.js'
import { WriterCore, type CommitReply, type PruneReply, type RollbackReply, type WriterInit } from './writerCore.js'

/** Slots of the request ring (a power of two). */
export const RING_SLOTS = 4096
/** Numbers per ring slot: an op code and up to 7 arguments. */
export const SLOT_WIDTH = 8
/** Ring op: a sealed batch (stream, chunk, start, length, recordCount, firstOrdinal, blockNumber). */
export const OP_BATCH = 1
/** Ring op: commit (id, head). */
export const OP_COMMIT = 2
/** Ring op: prune (id, horizon). */
export const OP_PRUNE = 3
/** Ring op: rollback (id). */
export const OP_ROLLBACK = 4
/** Ring op: close (id). */
export const OP_CLOSE = 5
/** Index in the control array of the number of slots the host has published. */
export const CTRL_HEAD = 0
/** Index in the control array of the number of slots the worker has consumed. */
export const CTRL_TAIL = 1
/** Index in the control array of the worker's sleep state (one of the `SLEEP_` values). */
export const CTRL_SLEEPING = 2
/** Sleep state: the worker is draining the ring. */
export const SLEEP_AWAKE = 0
/** Sleep state: the worker looks at the ring again within `POLL_MS` by itself (a block is being written). */
export const SLEEP_POLLING = 1
/** Sleep state: the worker sleeps until notified (the store has been idle for a while). */
export const SLEEP_DEEP = 2
/** Poll period of a worker in `SLEEP_POLLING`. */
export const POLL_MS = 1

/** Messages from the host to the writer worker (the ring carries everything else). */
export type HostMessage =
  | { t: 'init'; id: number; init: WriterInit; ctrl: SharedArrayBuffer; ring: SharedArrayBuffer }
  | { t: 'chunk'; stream: number; chunk: number; buffer: SharedArrayBuffer }

/** A reply of the writer worker to a request with an id. */
export interface WorkerReply {
  id: number
  result?: unknown
  error?: string
}

/** The writer as the store sees it; calls are applied in call order. */
export interface WriterHost {
  /** Arena chunks must live in SharedArrayBuffers (worker mode). */
  readonly shared: boolean
  /** Register arena chunk `id` of `stream` (ids are never reused for another buffer). */
  addChunk(stream: number, id: number, bytes: Uint8Array): void
  /** Hand over a sealed batch: bytes [start, start+length) of chunk `chunk`. */
  submit(stream: number, chunk: number, start: number, length: number, recordCount: number, firstOrdinal: number, blockNumber: number): void
  /** Durably commit block `head` (every batch submitted so far belongs to it or earlier blocks). */
  commit(head: number): Promise<CommitReply>
  /** Append a prune record. */
  prune(horizon: number): Promise<PruneReply>
  /** Drop the batches submitted since the last commit. */
  rollback(): Promise<RollbackReply>
  /** Finish pending work, close files, stop the worker. */
  close(): Promise<void>
}

function asIOError(e: unknown): never {
  throw e instanceof StorageIOError ? e : new StorageIOError(e instanceof Error ? e.message : String(e))
}

class InlineHost implements WriterHost {
  readonly shared = false
  constructor(private readonly core: WriterCore) {}
  addChunk(stream: number, id: number, bytes: Uint8Array): void {
    this.core.addChunk(stream, id, bytes)
  }
  submit(stream: number, chunk: number, start: number, length: number, recordCount: number, firstOrdinal: number, blockNumber: number): void {
    this.core.submit(stream, chunk, start, length, recordCount, firstOrdinal, blockNumber)
  }
  commit(head: number): Promise<CommitReply> {
    return this.core.commit(head).catch(asIOError)
  }
  prune(horizon: number): Promise<PruneReply> {
    return this.core.prune(horizon).catch(asIOError)
  }
  rollback(): Promise<RollbackReply> {
    return this.core.rollback().catch(asIOError)
  }
  close(): Promise<void> {
    return this.core.close().catch(asIOError)
  }
}

class WorkerHost implements WriterHost {
  readonly shared = true
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private failure: Error | undefined
  private closed = false
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(8 * Int32Array.BYTES_PER_ELEMENT))
  private readonly ring = new Float64Array(new SharedArrayBuffer(RING_SLOTS * SLOT_WIDTH * Float64Array.BYTES_PER_ELEMENT))
  private head = 0

  constructor(private readonly worker: Worker) {
    worker.unref()
    worker.on('message', (r: WorkerReply) => {
      const w = this.waiting.get(r.id)
      if (w === undefined) return
      this.waiting.delete(r.id)
      if (this.waiting.size === 0) worker.unref()
      if (r.error !== undefined) w.reject(new StorageIOError(r.error))
      else w.resolve(r.result)
    })
    worker.on('error', (e) => this.fail(e))
    worker.on('exit', (code) => {
      this.fail(new StorageIOError(`writer worker exited with code ${code}${this.closed ? ' while closing' : ''}`))
    })
  }

  private fail(e: Error): void {
    this.failure ??= e
    for (const w of this.waiting.values()) w.reject(e)
    this.waiting.clear()
  }

  /** Publish one ring slot (waits, blocking, while the ring is full: the worker is thousands of requests behind). */
  private put(op: number, a: number, b: number, c: number, d: number, e: number, f: number, g: number): void {
    const ctrl = this.ctrl
    while (((this.head - Atomics.load(ctrl, CTRL_TAIL)) | 0) >= RING_SLOTS) {
      if (this.failure) throw this.failure
      Atomics.wait(ctrl, CTRL_TAIL, Atomics.load(ctrl, CTRL_TAIL), 1)
    }
    const o = (this.head & (RING_SLOTS - 1)) * SLOT_WIDTH
    const r = this.ring
    r[o] = op
    r[o + 1] = a
    r[o + 2] = b
    r[o + 3] = c
    r[o + 4] = d
    r[o + 5] = e
    r[o + 6] = f
    r[o + 7] = g
    this.head = (this.head + 1) | 0
    Atomics.store(ctrl, CTRL_HEAD, this.head)
    const sleep = Atomics.load(ctrl, CTRL_SLEEPING)
    if (sleep === SLEEP_DEEP || (sleep === SLEEP_POLLING && op !== OP_BATCH)) Atomics.notify(ctrl, CTRL_HEAD)
  }

  private request<T>(op: number, arg: number): Promise<T> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      // Keep the process alive while the worker owes an answer.
      if (this.waiting.size === 0) this.worker.ref()
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.put(op, id, arg, 0, 0, 0, 0, 0)
    })
  }

  /** Send the recovered state and the shared ring; resolves once the worker has opened its files. */
  init(init: WriterInit): Promise<void> {
    const id = this.nextId++
    return new Promise<void>((resolve, reject) => {
      this.worker.ref()
      this.waiting.set(id, { resolve: () => resolve(), reject })
      this.worker.postMessage({ t: 'init', id, init, ctrl: this.ctrl.buffer as SharedArrayBuffer, ring: this.ring.buffer as SharedArrayBuffer } satisfies HostMessage)
    })
  }

  addChunk(stream: number, id: number, bytes: Uint8Array): void {
    if (!(bytes.buffer instanceof SharedArrayBuffer) || bytes.byteOffset !== 0) throw new StoreStateError('worker arena chunks must be whole SharedArrayBuffers')
    this.worker.postMessage({ t: 'chunk', stream, chunk: id, buffer: bytes.buffer } satisfies HostMessage)
  }
  submit(stream: number, chunk: number, start: number, length: number, recordCount: number, firstOrdinal: number, blockNumber: number): void {
    if (this.failure) return
    this.put(OP_BATCH, stream, chunk, start, length, recordCount, firstOrdinal, blockNumber)
  }
  commit(head: number): Promise<CommitReply> {
    return this.request(OP_COMMIT, head)
  }
  prune(horizon: number): Promise<PruneReply> {
    return this.request(OP_PRUNE, horizon)
  }
  rollback(): Promise<RollbackReply> {
    return this.request(OP_ROLLBACK, 0)
  }
  async close(): Promise<void> {
    // From here on the worker may exit by itself (its loop empties once its files are closed).
    this.closed = true
    try {
      if (!this.failure) await this.request(OP_CLOSE, 0)
    } finally {
      await this.worker.terminate()
    }
  }
}

/** Start the writer for a recovered store: in a worker thread, or inline when `inWorker` is false. */
export async function startWriter(init: WriterInit, inWorker: boolean): Promise<WriterHost> {
  if (!inWorker) return new InlineHost(new WriterCore(init))
  const host = new WorkerHost(new Worker(new URL('./writerWorker.js', import.meta.url)))
  try {
    await host.init(init)
  } catch (e) {
    await host.close().catch(() => undefined)
    throw e
  }
  return host
}
