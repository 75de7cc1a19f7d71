/** eth_getTransactionCount(address, block?): the account nonce at a block selector. */
import { defineMethod } from '../../method.js'
import { params, address, optional } from '../../params.js'
import { blockSelector, LATEST } from '../../format.js'
import { requireBackend } from '../../context.js'
import { stateAt } from '../common.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Nonce as a quantity. */
export const eth_getTransactionCount = defineMethod('eth_getTransactionCount', params(address, optional(blockSelector)), (ctx, [addr, sel]) =>
  toQuantity(stateAt(requireBackend(ctx), sel ?? LATEST).account(addr)?.nonce ?? 0n),
)
