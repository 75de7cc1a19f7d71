/** anvil_setNonce(address, nonce): overwrite an account's nonce in the dev chain. */
import { defineMethod } from '../../method.js'
import { params, address, quantityU64 } from '../../params.js'
import { requireDev } from '../common.js'

/** null. */
export const anvil_setNonce = defineMethod('anvil_setNonce', params(address, quantityU64), (ctx, [a, n]) => {
  requireDev(ctx).setNonce(a, n)
  return null
})
