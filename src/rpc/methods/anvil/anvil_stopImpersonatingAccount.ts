/** anvil_stopImpersonatingAccount(address): end an impersonation. */
import { defineMethod } from '../../method.js'
import { params, address } from '../../params.js'
import { requireDev } from '../common.js'

/** null. */
export const anvil_stopImpersonatingAccount = defineMethod('anvil_stopImpersonatingAccount', params(address), (ctx, [a]) => {
  requireDev(ctx).stopImpersonating(a)
  return null
})
