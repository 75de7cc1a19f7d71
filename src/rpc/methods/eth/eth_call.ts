/**
 * eth_call(request, block?, stateOverrides?, blockOverrides?): execute
 * without committing. Gas is capped at RPC_GAS_CAP and time at
 * RPC_EVM_TIMEOUT_MS; a revert is error 3 with the revert data.
 */
import { defineMethod } from '../../method.js'
import { params, optional } from '../../params.js'
import { blockOverrides, blockSelector, callRequest, LATEST, stateOverrides } from '../../format.js'
import { requireBackend } from '../../context.js'
import { callOutput, executionOptions } from '../common.js'

/** The call's return data. */
export const eth_call = defineMethod(
  'eth_call',
  params(callRequest, optional(blockSelector), optional(stateOverrides), optional(blockOverrides)),
  async (ctx, [req, sel, overrides, blockOv]) => callOutput(await requireBackend(ctx).call(req, sel ?? LATEST, executionOptions(ctx), overrides, blockOv)),
)
