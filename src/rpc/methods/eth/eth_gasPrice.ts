/** eth_gasPrice: suggested legacy gas price (next base fee + suggested tip). */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireBackend } from '../../context.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Wei per gas. */
export const eth_gasPrice = defineMethod('eth_gasPrice', params(), (ctx) => toQuantity(requireBackend(ctx).gasPrice()))
