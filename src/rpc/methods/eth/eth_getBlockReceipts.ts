/** eth_getBlockReceipts(block): every receipt of a block, or null for an unknown block. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireBackend } from '../../context.js'
import { blockSelector, formatReceipt } from '../../format.js'

/** Receipt objects in transaction order. */
export const eth_getBlockReceipts = defineMethod('eth_getBlockReceipts', params(blockSelector), (ctx, [sel]) => {
  const rs = requireBackend(ctx).getBlockReceipts(sel)
  return rs === undefined ? null : rs.map(formatReceipt)
})
