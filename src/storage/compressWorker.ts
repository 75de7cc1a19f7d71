/**
 * Worker thread that compresses sealed batches and computes their headers
 * (zstd + CRC-32), so the node's main thread only packs records. Jobs arrive
 * in order and are answered in order; buffers move by transfer, not copy.
 */
import { parentPort } from 'node:worker_threads'
import { encodeBatch } from './codec.js'
import { encodeBatchHeader } from './format.js'
import type { CompressJob, CompressResult } from './compressPool.js'

const port = parentPort
if (port) {
  port.on('message', (job: CompressJob) => {
    const raw = new Uint8Array(job.buffer, 0, job.length)
    const enc = encodeBatch(raw, job.level)
    const header = encodeBatchHeader(
      { storedLen: enc.data.length, rawLen: job.length, recordCount: job.recordCount, firstOrdinal: job.firstOrdinal, blockNumber: job.blockNumber, codec: enc.codec, stream: job.stream },
      enc.data,
    )
    // Copy into a fresh transferable buffer (zstd-napi output may live in a shared pool).
    const data = enc.data === raw ? raw : new Uint8Array(enc.data)
    const res: CompressResult = { id: job.id, header, data }
    port.postMessage(res, [header.buffer as ArrayBuffer, ...(data.buffer === job.buffer ? [job.buffer] : [data.buffer as ArrayBuffer])])
  })
}
