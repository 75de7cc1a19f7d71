/** eth_getBlockTransactionCountByHash(hash): transaction count of a block, or null. */
import { defineMethod } from '../../method.js'
import { params, hash32 } from '../../params.js'
import { requireBackend } from '../../context.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Count as a quantity, or null. */
export const eth_getBlockTransactionCountByHash = defineMethod('eth_getBlockTransactionCountByHash', params(hash32), (ctx, [hash]) => {
  const b = requireBackend(ctx).getBlock({ kind: 'hash', hash, requireCanonical: false })
  return b === undefined ? null : toQuantity(b.transactions.length)
})
