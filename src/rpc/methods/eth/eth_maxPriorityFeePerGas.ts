/** eth_maxPriorityFeePerGas: suggested EIP-1559 tip. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireBackend } from '../../context.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Wei per gas. */
export const eth_maxPriorityFeePerGas = defineMethod('eth_maxPriorityFeePerGas', params(), (ctx) => toQuantity(requireBackend(ctx).maxPriorityFeePerGas()))
