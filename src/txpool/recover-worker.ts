/**
 * Worker of `SenderRecovery` (`recover.ts`): takes a batch of raw
 * transactions packed in one buffer, runs the stateless admission
 * (`admitRaw`: decode, signature → sender, chain id, size, intrinsic gas,
 * hash) on each, and answers with one packed buffer: per transaction
 * 52 bytes (sender ‖ hash) or a failure (reason, message, RPC code).
 */
import { parentPort } from 'node:worker_threads'
import { admitRaw } from './validation.js'
import { TxPoolError } from './errors.js'
import type { RecoveryRequest, RecoveryResponse } from './recover.js'

const port = parentPort
if (port === null) throw new Error('recover-worker must run in a worker thread')
port.on('message', (m: RecoveryRequest) => {
  const n = m.offsets.length - 1
  const out = new Uint8Array(52 * n)
  const failures: RecoveryResponse['failures'] = []
  for (let i = 0; i < n; i++) {
    const raw = m.data.subarray(m.offsets[i]!, m.offsets[i + 1]!)
    try {
      const a = admitRaw(raw, { fork: m.fork, chainId: m.chainId })
      out.set(a.sender, 52 * i)
      out.set(a.hash, 52 * i + 20)
    } catch (e) {
      if (e instanceof TxPoolError) failures.push({ index: i, reason: e.reason, message: e.message, rpcCode: e.rpcCode })
      else failures.push({ index: i, reason: 'invalid', message: `invalid transaction: ${(e as Error).message}`, rpcCode: -32000 })
    }
  }
  const res: RecoveryResponse = { id: m.id, results: out, failures }
  port.postMessage(res, [out.buffer as ArrayBuffer])
})
