/** eth_getTransactionByBlockNumberAndIndex(block, index): a transaction by position, or null. */
import { defineMethod } from '../../method.js'
import { params, quantityNumber } from '../../params.js'
import { requireBackend } from '../../context.js'
import { blockNumberOrTag, formatTransaction } from '../../format.js'

/** The transaction object or null. */
export const eth_getTransactionByBlockNumberAndIndex = defineMethod(
  'eth_getTransactionByBlockNumberAndIndex',
  params(blockNumberOrTag, quantityNumber),
  (ctx, [sel, index]) => {
    const t = requireBackend(ctx).getBlock(sel)?.transactions[index]
    return t === undefined ? null : formatTransaction(t)
  },
)
