/** evm_increaseTime(seconds): move the dev clock forward; returns the total offset in seconds. */
import { defineMethod } from '../../method.js'
import { params, quantityU64 } from '../../params.js'
import { requireDev } from '../common.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Total offset as a quantity. */
export const evm_increaseTime = defineMethod('evm_increaseTime', params(quantityU64), (ctx, [s]) => toQuantity(requireDev(ctx).increaseTime(s)))
