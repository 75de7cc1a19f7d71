/** eth_blockNumber: the newest sealed EVM block (mini-blocks do not advance it). */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireBackend } from '../../context.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Head EVM block number as a quantity. */
export const eth_blockNumber = defineMethod('eth_blockNumber', params(), (ctx) => toQuantity(requireBackend(ctx).blockNumber()))
