/** eth_createAccessList(request, block?): the EIP-2930 access list a call touches and its gas with that list. */
import { defineMethod } from '../../method.js'
import { params, optional } from '../../params.js'
import { blockSelector, callRequest, formatAccessList, LATEST } from '../../format.js'
import { requireBackend } from '../../context.js'
import { executionOptions } from '../common.js'
import { toQuantity } from '../../../primitives/hex.js'

/** `{accessList, gasUsed, error?}`. */
export const eth_createAccessList = defineMethod('eth_createAccessList', params(callRequest, optional(blockSelector)), async (ctx, [req, sel]) => {
  const r = await requireBackend(ctx).createAccessList(req, sel ?? LATEST, executionOptions(ctx))
  const out: Record<string, unknown> = { accessList: formatAccessList(r.accessList), gasUsed: toQuantity(r.gasUsed) }
  if (r.error !== undefined) out.error = r.error
  return out
})
