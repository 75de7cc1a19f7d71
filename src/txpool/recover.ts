/**
 * Sender recovery off the main thread. Recovering a sender (secp256k1
 * `ecdsaRecover`, ~80 µs native on the loaded 2-core box) was the largest
 * main-thread cost per transaction. Submissions that arrive in the same
 * event-loop turn (a JSON-RPC batch, concurrent requests) are collected and
 * flushed once per turn (`setImmediate`): a lone transaction is admitted
 * inline (a worker round trip costs about as much as the recovery), a burst
 * is split into chunks sent as one packed message each to a small pool of
 * workers (`recover-worker.ts`, which run the same `admitRaw` checks).
 * Results are handed back strictly in submission order, so a sender's
 * nonce n is always pooled before n+1 that was submitted after it.
 */
import { Worker } from 'node:worker_threads'
import type { Fork } from '../eth/fork.js'
import { decodeTransaction } from '../eth/transaction/index.js'
import { TxPoolError, type TxPoolRejectReason } from './errors.js'
import { admitRaw, checkRawSize, type Admitted } from './validation.js'

/** A batch sent to a worker: raws concatenated in `data`, transaction i = data[offsets[i], offsets[i+1]). */
export interface RecoveryRequest {
  id: number
  fork: Fork
  chainId: bigint
  data: Uint8Array
  offsets: Uint32Array
}

/** A worker's answer: 52 bytes (sender ‖ hash) per transaction; failed ones listed. */
export interface RecoveryResponse {
  id: number
  results: Uint8Array
  failures: { index: number; reason: TxPoolRejectReason; message: string; rpcCode: number }[]
}

interface Entry {
  raw: Uint8Array
  done: boolean
  result: Admitted | TxPoolError | undefined
  resolve: (r: Admitted) => void
  reject: (e: TxPoolError) => void
}

/** Options of `SenderRecovery`. */
export interface SenderRecoveryOptions {
  fork: Fork
  chainId: bigint
  /** Worker threads (default 2; 0 = always inline). */
  workers?: number
  /** Bursts up to this size are admitted inline (default 1). */
  inlineMax?: number
  /** Transactions per worker message (default 64). */
  chunk?: number
}

/** Batched, ordered stateless admission with a worker pool. */
export class SenderRecovery {
  private readonly workers: Worker[] = []
  private readonly waiting = new Map<number, Entry[]>()
  private queue: Entry[] = []
  /** Entries in submission order, not yet handed back. */
  private readonly order: Entry[] = []
  private orderHead = 0
  private scheduled = false
  private nextId = 1
  private nextWorker = 0
  private closed = false
  private readonly inlineMax: number
  private readonly chunk: number

  constructor(private readonly opts: SenderRecoveryOptions) {
    this.inlineMax = opts.inlineMax ?? 1
    this.chunk = opts.chunk ?? 64
    const n = opts.workers ?? 2
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./recover-worker.js', import.meta.url))
      w.unref()
      w.on('message', (m: RecoveryResponse) => this.onResults(m))
      w.on('error', (err) => this.onWorkerError(err))
      this.workers.push(w)
    }
  }

  /** Admit raw bytes (decode, signature, chain id, size, intrinsic gas, hash); rejects with `TxPoolError`. */
  admit(raw: Uint8Array): Promise<Admitted> {
    checkRawSize(raw)
    return new Promise<Admitted>((resolve, reject) => {
      const e: Entry = { raw, done: false, result: undefined, resolve, reject }
      this.queue.push(e)
      this.order.push(e)
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    this.scheduled = false
    const q = this.queue
    this.queue = []
    if (q.length === 0) return
    if (this.closed || this.workers.length === 0 || q.length <= this.inlineMax) {
      for (const e of q) this.settleInline(e)
      this.release()
      return
    }
    for (let i = 0; i < q.length; i += this.chunk) this.send(q.slice(i, i + this.chunk))
  }

  private settleInline(e: Entry): void {
    try {
      e.result = admitRaw(e.raw, this.opts)
    } catch (err) {
      if (!(err instanceof TxPoolError)) throw err
      e.result = err
    }
    e.done = true
  }

  private send(entries: Entry[]): void {
    let size = 0
    for (const e of entries) size += e.raw.length
    const data = new Uint8Array(size)
    const offsets = new Uint32Array(entries.length + 1)
    let p = 0
    entries.forEach((e, i) => {
      offsets[i] = p
      data.set(e.raw, p)
      p += e.raw.length
    })
    offsets[entries.length] = p
    const id = this.nextId++
    this.waiting.set(id, entries)
    const w = this.workers[this.nextWorker++ % this.workers.length]!
    const req: RecoveryRequest = { id, fork: this.opts.fork, chainId: this.opts.chainId, data, offsets }
    w.postMessage(req, [data.buffer as ArrayBuffer, offsets.buffer as ArrayBuffer])
  }

  private onResults(m: RecoveryResponse): void {
    const entries = this.waiting.get(m.id)
    if (entries === undefined) return
    this.waiting.delete(m.id)
    const failed = new Map(m.failures.map((f) => [f.index, f]))
    entries.forEach((e, i) => {
      const f = failed.get(i)
      if (f !== undefined) e.result = new TxPoolError(f.reason, f.message, f.rpcCode)
      else {
        // decoding again here is cheap (~6 µs) next to the recovery the worker did
        e.result = { tx: decodeTransaction(e.raw), sender: m.results.slice(52 * i, 52 * i + 20), hash: m.results.slice(52 * i + 20, 52 * i + 52) }
      }
      e.done = true
    })
    this.release()
  }

  /** Hand back finished entries in submission order. */
  private release(): void {
    while (this.orderHead < this.order.length && this.order[this.orderHead]!.done) {
      const e = this.order[this.orderHead++]!
      const r = e.result!
      if (r instanceof TxPoolError) e.reject(r)
      else e.resolve(r)
    }
    if (this.orderHead > 1024 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead)
      this.orderHead = 0
    }
  }

  private onWorkerError(err: Error): void {
    // fall back to inline admission for everything in flight; no more workers
    for (const w of this.workers) void w.terminate()
    this.workers.length = 0
    for (const entries of this.waiting.values()) for (const e of entries) this.settleInline(e)
    this.waiting.clear()
    this.release()
    void err
  }

  /** Stop the workers (pending admissions finish inline). */
  async close(): Promise<void> {
    this.closed = true
    const ws = this.workers.splice(0)
    for (const entries of this.waiting.values()) for (const e of entries) this.settleInline(e)
    this.waiting.clear()
    this.release()
    await Promise.all(ws.map((w) => w.terminate()))
  }
}
