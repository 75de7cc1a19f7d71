/** anvil_impersonateAccount(address): let eth_sendTransaction send from `address` without its key. */
import { defineMethod } from '../../method.js'
import { params, address } from '../../params.js'
import { requireDev } from '../common.js'

/** null. */
export const anvil_impersonateAccount = defineMethod('anvil_impersonateAccount', params(address), (ctx, [a]) => {
  requireDev(ctx).impersonate(a)
  return null
})
