/** evm_mine(timestamp?): seal an EVM block now (ganache/anvil form: optional timestamp in seconds). */
import { defineMethod } from '../../method.js'
import { params, optional, quantityU64 } from '../../params.js'
import { requireDev } from '../common.js'

/** `0x0`, as anvil answers. */
export const evm_mine = defineMethod('evm_mine', params(optional(quantityU64)), async (ctx, [timestamp]) => {
  await requireDev(ctx).mine(1n, timestamp)
  return '0x0'
})
