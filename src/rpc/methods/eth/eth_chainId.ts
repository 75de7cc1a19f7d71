/** eth_chainId (EIP-695): the chain id as a quantity. Needs no chain. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { toQuantity } from '../../../primitives/hex.js'

/** The configured chain id, e.g. `0x7a69` for 31337. */
export const eth_chainId = defineMethod('eth_chainId', params(), (ctx) => toQuantity(ctx.node.chainId))
