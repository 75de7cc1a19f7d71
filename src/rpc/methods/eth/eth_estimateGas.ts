/** eth_estimateGas(request, block?, stateOverrides?): the smallest gas limit that succeeds (binary search in the backend), capped at RPC_GAS_CAP. */
import { defineMethod } from '../../method.js'
import { params, optional } from '../../params.js'
import { blockSelector, callRequest, LATEST, stateOverrides } from '../../format.js'
import { requireBackend } from '../../context.js'
import { executionOptions } from '../common.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Gas as a quantity. */
export const eth_estimateGas = defineMethod(
  'eth_estimateGas',
  params(callRequest, optional(blockSelector), optional(stateOverrides)),
  async (ctx, [req, sel, overrides]) => toQuantity(await requireBackend(ctx).estimateGas(req, sel ?? LATEST, executionOptions(ctx), overrides)),
)
