/** eth_blobBaseFee: the EIP-4844 blob base fee of the next block. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireBackend } from '../../context.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Wei per blob gas. */
export const eth_blobBaseFee = defineMethod('eth_blobBaseFee', params(), (ctx) => toQuantity(requireBackend(ctx).blobBaseFee()))
