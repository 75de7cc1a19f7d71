/** eth_getCode(address, block?): deployed bytecode at a block selector (`0x` for none). */
import { defineMethod } from '../../method.js'
import { params, address, optional } from '../../params.js'
import { blockSelector, LATEST } from '../../format.js'
import { requireBackend } from '../../context.js'
import { stateAt } from '../common.js'
import { bytesToHex } from '../../../primitives/hex.js'

/** Bytecode as hex. */
export const eth_getCode = defineMethod('eth_getCode', params(address, optional(blockSelector)), (ctx, [addr, sel]) => {
  const state = stateAt(requireBackend(ctx), sel ?? LATEST)
  const acct = state.account(addr)
  return acct === undefined ? '0x' : bytesToHex(state.code(acct.codeHash))
})
