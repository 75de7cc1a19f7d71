/**
 * eth_callAfter(request, condition, stateOverrides?, blockOverrides?)
 * (MegaETH): wait until `condition.account`'s nonce reaches
 * `condition.nonce` (timeout ms, default 3000, max 60000), then eth_call at
 * `latest`. Timeout: -32000 "Timeout: timeout waiting for nonce condition".
 */
import { defineMethod } from '../../method.js'
import { params, optional, objectOf, address, quantityU64, quantityNumber } from '../../params.js'
import { blockOverrides, callRequest, LATEST, stateOverrides } from '../../format.js'
import { requireBackend } from '../../context.js'
import { callOutput, executionOptions } from '../common.js'
import { InvalidInputError, InvalidParamsError } from '../../errors.js'
import { CALL_AFTER_DEFAULT_TIMEOUT_MS, CALL_AFTER_MAX_TIMEOUT_MS } from '../../server/limits.js'

const condition = objectOf({ account: address, nonce: quantityU64, timeout: optional(quantityNumber) })

/** The call's return data. */
export const eth_callAfter = defineMethod(
  'eth_callAfter',
  params(callRequest, condition, optional(stateOverrides), optional(blockOverrides)),
  async (ctx, [req, cond, overrides, blockOv]) => {
    const timeout = cond.timeout ?? CALL_AFTER_DEFAULT_TIMEOUT_MS
    if (timeout > CALL_AFTER_MAX_TIMEOUT_MS) throw new InvalidParamsError(`invalid params[1].timeout: at most ${CALL_AFTER_MAX_TIMEOUT_MS} ms`)
    const backend = requireBackend(ctx)
    if (!(await backend.waitForNonce(cond.account, cond.nonce, timeout, ctx.session.signal))) {
      throw new InvalidInputError('Timeout: timeout waiting for nonce condition')
    }
    return callOutput(await backend.call(req, LATEST, executionOptions(ctx), overrides, blockOv))
  },
)
