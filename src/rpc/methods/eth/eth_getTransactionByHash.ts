/** eth_getTransactionByHash(hash): a pooled, mini-block or sealed transaction, or null. */
import { defineMethod } from '../../method.js'
import { params, hash32 } from '../../params.js'
import { requireBackend } from '../../context.js'
import { formatTransaction } from '../../format.js'

/** The transaction object or null. */
export const eth_getTransactionByHash = defineMethod('eth_getTransactionByHash', params(hash32), (ctx, [h]) => {
  const t = requireBackend(ctx).getTransaction(h)
  return t === undefined ? null : formatTransaction(t)
})
