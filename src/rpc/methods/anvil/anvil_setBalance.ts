/** anvil_setBalance(address, balance): overwrite an account's balance in the dev chain. */
import { defineMethod } from '../../method.js'
import { params, address, quantity } from '../../params.js'
import { requireDev } from '../common.js'

/** null. */
export const anvil_setBalance = defineMethod('anvil_setBalance', params(address, quantity), (ctx, [a, v]) => {
  requireDev(ctx).setBalance(a, v)
  return null
})
