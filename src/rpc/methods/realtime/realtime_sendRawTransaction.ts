/**
 * realtime_sendRawTransaction(raw) (MegaETH): submit and wait up to
 * REALTIME_TX_TIMEOUT_MS for the receipt; then -32000 "realtime transaction
 * expired" (the transaction stays in the pool).
 */
import { defineMethod } from '../../method.js'
import { params, data } from '../../params.js'
import { requireBackend } from '../../context.js'
import { formatReceipt } from '../../format.js'
import { InvalidInputError } from '../../errors.js'
import { REALTIME_TX_TIMEOUT_MS } from '../../server/limits.js'
import { bytesToHex } from '../../../primitives/hex.js'
import { submitRaw } from '../common.js'

/** The receipt object. */
export const realtime_sendRawTransaction = defineMethod('realtime_sendRawTransaction', params(data), async (ctx, [raw]) => {
  const backend = requireBackend(ctx)
  const sub = await submitRaw(backend, raw)
  const receipt = await backend.waitForReceipt(sub.hash, REALTIME_TX_TIMEOUT_MS, ctx.session.signal)
  if (receipt === undefined) throw new InvalidInputError('realtime transaction expired', bytesToHex(sub.hash))
  return formatReceipt(receipt)
})
