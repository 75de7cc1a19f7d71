/** eth_getBlockByHash(hash, full): a block by hash, or null. */
import { defineMethod } from '../../method.js'
import { params, bool, hash32, optional } from '../../params.js'
import { requireBackend } from '../../context.js'
import { formatBlock } from '../../format.js'

/** The block object or null. */
export const eth_getBlockByHash = defineMethod('eth_getBlockByHash', params(hash32, optional(bool)), (ctx, [hash, full]) => {
  const b = requireBackend(ctx).getBlock({ kind: 'hash', hash, requireCanonical: false })
  return b === undefined ? null : formatBlock(b, full ?? false)
})
