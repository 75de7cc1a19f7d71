/** eth_getTransactionByBlockHashAndIndex(hash, index): a transaction by position, or null. */
import { defineMethod } from '../../method.js'
import { params, hash32, quantityNumber } from '../../params.js'
import { requireBackend } from '../../context.js'
import { formatTransaction } from '../../format.js'

/** The transaction object or null. */
export const eth_getTransactionByBlockHashAndIndex = defineMethod(
  'eth_getTransactionByBlockHashAndIndex',
  params(hash32, quantityNumber),
  (ctx, [hash, index]) => {
    const t = requireBackend(ctx).getBlock({ kind: 'hash', hash, requireCanonical: false })?.transactions[index]
    return t === undefined ? null : formatTransaction(t)
  },
)
