/**
 * Worker of `SenderRecovery` (`recover.ts`): takes a batch of raw
 * transactions packed in one buffer (already decoded by the main thread, so
 * canonical), and answers with one packed buffer of RECOVERY_RESULT_BYTES
 * per transaction: the sender recovered from the bytes (`recoverRawSender`),
 * the transaction hash (keccak256 of the bytes) and a status byte. Every
 * other stateless check runs on the main thread, where the transaction is
 * decoded anyway.
 */
import { parentPort } from 'node:worker_threads'
import { keccak256 } from '../crypto/keccak.js'
import { recoverRawSender } from './raw.js'
import { RECOVERY_RESULT_BYTES, RECOVERED, NO_KEY, WORKER_FAILED, type RecoveryRequest, type RecoveryResponse } from './recover-protocol.js'

const port = parentPort
if (port === null) throw new Error('recover-worker must run in a worker thread')
port.on('message', (m: RecoveryRequest) => {
  const n = m.offsets.length - 1
  const out = new Uint8Array(RECOVERY_RESULT_BYTES * n)
  for (let i = 0; i < n; i++) {
    const at = RECOVERY_RESULT_BYTES * i
    const raw = m.data.subarray(m.offsets[i]!, m.offsets[i + 1]!)
    try {
      const sender = recoverRawSender(raw)
      if (sender !== null) out.set(sender, at)
      out.set(keccak256(raw), at + 20)
      out[at + 52] = sender !== null ? RECOVERED : NO_KEY
    } catch {
      out[at + 52] = WORKER_FAILED // the main thread admits this one itself
    }
  }
  const res: RecoveryResponse = { id: m.id, results: out }
  port.postMessage(res, [out.buffer as ArrayBuffer])
})
