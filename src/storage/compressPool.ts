/**
 * Batch compression off the main thread: a single worker (the machines have
 * 2 cores: one packs records, one compresses) fed in FIFO order. Falls back
 * to inline compression when worker threads are disabled (`workers: 0`).
 */
import { Worker } from 'node:worker_threads'
import { encodeBatch } from './codec.js'
import { encodeBatchHeader } from './format.js'

/** A batch to compress (the buffer is transferred to the worker). */
export interface CompressJob {
  id: number
  buffer: ArrayBuffer
  length: number
  level: number
  recordCount: number
  firstOrdinal: number
  blockNumber: number
  stream: number
}

/** The encoded batch: header (with checksum) and stored payload. */
export interface CompressResult {
  id: number
  header: Uint8Array
  data: Uint8Array
}

/** Compresses batches inline or in one worker thread, answering in submission order. */
export class CompressPool {
  private worker: Worker | undefined
  private nextId = 0
  private waiting = new Map<number, { resolve: (r: CompressResult) => void; reject: (e: Error) => void }>()
  private failure: Error | undefined

  constructor(useWorker: boolean) {
    if (!useWorker) return
    this.worker = new Worker(new URL('./compressWorker.js', import.meta.url))
    this.worker.unref()
    this.worker.on('message', (r: CompressResult) => {
      const w = this.waiting.get(r.id)
      this.waiting.delete(r.id)
      w?.resolve(r)
    })
    this.worker.on('error', (e) => this.fail(e))
    this.worker.on('exit', (code) => {
      if (this.waiting.size > 0) this.fail(new Error(`compression worker exited with code ${code}`))
    })
  }

  private fail(e: Error): void {
    this.failure = e
    for (const w of this.waiting.values()) w.reject(e)
    this.waiting.clear()
  }

  /** Compress one batch; `raw` must own its ArrayBuffer from offset 0 (it is transferred). */
  run(job: Omit<CompressJob, 'id' | 'buffer' | 'length'>, raw: Uint8Array): Promise<CompressResult> | CompressResult {
    const id = this.nextId++
    if (this.worker === undefined) {
      const enc = encodeBatch(raw, job.level)
      const header = encodeBatchHeader({ ...job, storedLen: enc.data.length, rawLen: raw.length, codec: enc.codec }, enc.data)
      return { id, header, data: enc.data }
    }
    if (this.failure) return Promise.reject(this.failure)
    const full: CompressJob = { ...job, id, buffer: raw.buffer as ArrayBuffer, length: raw.length }
    return new Promise<CompressResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.worker!.postMessage(full, [full.buffer])
    })
  }

  /** Stop the worker. */
  async close(): Promise<void> {
    const w = this.worker
    this.worker = undefined
    if (w) await w.terminate()
  }
}
