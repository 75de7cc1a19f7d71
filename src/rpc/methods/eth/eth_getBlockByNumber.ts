/** eth_getBlockByNumber(block, full): a block by number or tag (`pending` = the block being filled), or null. */
import { defineMethod } from '../../method.js'
import { params, bool, optional } from '../../params.js'
import { requireBackend } from '../../context.js'
import { blockNumberOrTag, formatBlock } from '../../format.js'

/** The block object or null. */
export const eth_getBlockByNumber = defineMethod('eth_getBlockByNumber', params(blockNumberOrTag, optional(bool)), (ctx, [sel, full]) => {
  const b = requireBackend(ctx).getBlock(sel)
  return b === undefined ? null : formatBlock(b, full ?? false)
})
