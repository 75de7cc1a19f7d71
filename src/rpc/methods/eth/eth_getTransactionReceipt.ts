/** eth_getTransactionReceipt(hash): the receipt once the transaction is in a mini-block (placeholder blockHash until sealed), or null. */
import { defineMethod } from '../../method.js'
import { params, hash32 } from '../../params.js'
import { requireBackend } from '../../context.js'
import { formatReceipt } from '../../format.js'

/** The receipt object or null. */
export const eth_getTransactionReceipt = defineMethod('eth_getTransactionReceipt', params(hash32), (ctx, [h]) => {
  const r = requireBackend(ctx).getReceipt(h)
  return r === undefined ? null : formatReceipt(r)
})
