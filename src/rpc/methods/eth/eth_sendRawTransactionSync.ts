/**
 * eth_sendRawTransactionSync(raw, timeoutMs?) (EIP-7966): submit and wait for
 * the receipt. Invalid transactions fail at once with the
 * eth_sendRawTransaction error; a transaction that cannot run yet (nonce gap,
 * funds) gets code 5; no receipt within the timeout gets code 4; both carry
 * the hash as `data`. The timeout defaults to SYNC_TX_DEFAULT_TIMEOUT_MS and
 * must not exceed SYNC_TX_MAX_TIMEOUT_MS (-32602 otherwise).
 */
import { defineMethod } from '../../method.js'
import { params, data, optional, quantityNumber } from '../../params.js'
import { requireBackend } from '../../context.js'
import { formatReceipt } from '../../format.js'
import { InvalidParamsError, SyncNotReadyError, SyncTimeoutError } from '../../errors.js'
import { SYNC_TX_DEFAULT_TIMEOUT_MS, SYNC_TX_MAX_TIMEOUT_MS } from '../../server/limits.js'
import { bytesToHex, toQuantity } from '../../../primitives/hex.js'
import { submitRaw } from '../common.js'

/** The receipt object. */
export const eth_sendRawTransactionSync = defineMethod('eth_sendRawTransactionSync', params(data, optional(quantityNumber)), async (ctx, [raw, timeout]) => {
  if (timeout !== undefined && (timeout < 1 || timeout > SYNC_TX_MAX_TIMEOUT_MS)) {
    throw new InvalidParamsError(`invalid params[1]: timeout must be between 1 and ${SYNC_TX_MAX_TIMEOUT_MS} ms`)
  }
  const timeoutMs = timeout ?? SYNC_TX_DEFAULT_TIMEOUT_MS
  const backend = requireBackend(ctx)
  const sub = await submitRaw(backend, raw)
  const hash = bytesToHex(sub.hash)
  if (sub.status === 'queued') {
    throw new SyncNotReadyError(hash, sub.reason ?? 'the transaction is queued', sub.expectedNonce === undefined ? undefined : toQuantity(sub.expectedNonce))
  }
  const receipt = await backend.waitForReceipt(sub.hash, timeoutMs, ctx.session.signal)
  if (receipt === undefined) throw new SyncTimeoutError(hash, timeoutMs)
  return formatReceipt(receipt)
})
