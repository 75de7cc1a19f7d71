/** eth_getBalance(address, block?): balance at a block selector (`latest` = newest mini-block state). */
import { defineMethod } from '../../method.js'
import { params, address, optional } from '../../params.js'
import { blockSelector, LATEST } from '../../format.js'
import { requireBackend } from '../../context.js'
import { stateAt } from '../common.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Balance in wei. */
export const eth_getBalance = defineMethod('eth_getBalance', params(address, optional(blockSelector)), (ctx, [addr, sel]) =>
  toQuantity(stateAt(requireBackend(ctx), sel ?? LATEST).account(addr)?.balance ?? 0n),
)
