/** eth_getBlockTransactionCountByNumber(block): transaction count of a block, or null. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireBackend } from '../../context.js'
import { blockNumberOrTag } from '../../format.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Count as a quantity, or null. */
export const eth_getBlockTransactionCountByNumber = defineMethod('eth_getBlockTransactionCountByNumber', params(blockNumberOrTag), (ctx, [sel]) => {
  const b = requireBackend(ctx).getBlock(sel)
  return b === undefined ? null : toQuantity(b.transactions.length)
})
