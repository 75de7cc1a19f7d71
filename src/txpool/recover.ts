/**
 * Sender recovery off the main thread. Recovering a sender (secp256k1
 * `ecdsaRecover`, ~60 µs native on the loaded 2-core box) was the largest
 * main-thread cost per transaction. Submissions that arrive in the same
 * event-loop turn (a JSON-RPC batch, concurrent requests) are collected and
 * flushed once per turn (`setImmediate`): a lone transaction is admitted
 * inline (a worker round trip costs about as much as the recovery), a burst
 * is decoded here (the pool needs the decoded transaction anyway, and a
 * worker then only sees canonical bytes), split into chunks sent as one
 * packed message each to a small pool of workers (`recover-worker.ts`),
 * which recover the senders and hash the bytes; the remaining stateless
 * checks (`validateStateless` with the recovered sender) run here when the
 * answer comes back, in the same order as inline admission.
 * Results are handed back strictly in submission order, so a sender's
 * nonce n is always pooled before n+1 that was submitted after it.
 */
import { Worker } from 'node:worker_threads'
import type { Fork } from '../eth/fork.js'
import type { Transaction } from '../eth/transaction/index.js'
import { TxPoolError } from './errors.js'
import { admitRaw, checkRawSize, decodeRaw, validateStateless, type Admitted } from './validation.js'
import { NO_KEY, RECOVERED, RECOVERY_RESULT_BYTES, type RecoveryRequest, type RecoveryResponse } from './recover-protocol.js'

/** Most transactions in one worker message: a turn's burst is split evenly over the workers up to this size. */
export const RECOVERY_MAX_CHUNK = 256
/** Fewest transactions worth a message of their own when a burst is split. */
const MIN_CHUNK = 16

interface Entry {
  raw: Uint8Array
  /** Decoded on the main thread before the worker sees the bytes. */
  tx: Transaction | undefined
  done: boolean
  result: Admitted | TxPoolError | undefined
  /** Called once, in submission order, with the result. */
  settle: (r: Admitted | TxPoolError) => void
}

/** Options of `SenderRecovery`. */
export interface SenderRecoveryOptions {
  fork: Fork
  chainId: bigint
  /** Worker threads (default 2; 0 = always inline). */
  workers?: number
  /** Bursts up to this size are admitted inline (default 1). */
  inlineMax?: number
  /** Most transactions per worker message (default RECOVERY_MAX_CHUNK). */
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
    this.chunk = opts.chunk ?? RECOVERY_MAX_CHUNK
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
      this.enqueue(raw, (r) => (r instanceof TxPoolError ? reject(r) : resolve(r)))
    })
  }

  /**
   * Admit many raw transactions with one promise (a JSON-RPC batch): the
   * results, in order, each the admitted transaction or its `TxPoolError`.
   * Ordered with every other admission like `admit` calls in this order.
   */
  admitMany(raws: readonly Uint8Array[]): Promise<(Admitted | TxPoolError)[]> {
    const out: (Admitted | TxPoolError)[] = new Array(raws.length)
    if (raws.length === 0) return Promise.resolve(out)
    return new Promise((resolve) => {
      const last = raws.length - 1
      for (let i = 0; i < raws.length; i++) {
        const raw = raws[i]!
        const settle = (r: Admitted | TxPoolError): void => {
          out[i] = r
          if (i === last) resolve(out)
        }
        try {
          checkRawSize(raw)
        } catch (e) {
          // settled in order with the others (nothing to recover)
          this.order.push({ raw, tx: undefined, done: true, result: e as TxPoolError, settle })
          continue
        }
        this.enqueue(raw, settle)
      }
      this.release()
    })
  }

  private enqueue(raw: Uint8Array, settle: (r: Admitted | TxPoolError) => void): void {
    const e: Entry = { raw, tx: undefined, done: false, result: undefined, settle }
    this.queue.push(e)
    this.order.push(e)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
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
    // decode here: malformed bytes are refused at once, and workers see only canonical encodings
    const ok: Entry[] = []
    for (const e of q) {
      try {
        e.tx = decodeRaw(e.raw)
        ok.push(e)
      } catch (err) {
        if (!(err instanceof TxPoolError)) throw err
        e.result = err
        e.done = true
      }
    }
    if (ok.length < q.length) this.release()
    // one message per worker (each message wakes a thread: on a loaded box
    // every wake-up costs far more than the copy), at most `chunk` per message
    const per = Math.min(this.chunk, Math.max(MIN_CHUNK, Math.ceil(ok.length / this.workers.length)))
    for (let i = 0; i < ok.length; i += per) this.send(ok.slice(i, i + per))
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
    const req: RecoveryRequest = { id, data, offsets }
    w.postMessage(req, [data.buffer as ArrayBuffer, offsets.buffer as ArrayBuffer])
  }

  private onResults(m: RecoveryResponse): void {
    const entries = this.waiting.get(m.id)
    if (entries === undefined) return
    this.waiting.delete(m.id)
    const res = m.results
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!
      const at = RECOVERY_RESULT_BYTES * i
      const status = res[at + 52]!
      if (status !== RECOVERED && status !== NO_KEY) {
        this.settleInline(e)
        continue
      }
      try {
        const tx = e.tx!
        // views into the one results buffer (a copy each cost two more heap objects per transaction)
        const sender = validateStateless(tx, e.raw, this.opts, status === RECOVERED ? res.subarray(at, at + 20) : null)
        e.result = { tx, sender, hash: res.subarray(at + 20, at + 52) }
      } catch (err) {
        if (!(err instanceof TxPoolError)) throw err
        e.result = err
      }
      e.done = true
    }
    this.release()
  }

  /** Hand back finished entries in submission order. */
  private release(): void {
    while (this.orderHead < this.order.length && this.order[this.orderHead]!.done) {
      const e = this.order[this.orderHead++]!
      const r = e.result!
      e.settle(r)
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
