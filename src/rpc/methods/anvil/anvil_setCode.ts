/** anvil_setCode(address, code): overwrite an account's code in the dev chain. */
import { defineMethod } from '../../method.js'
import { params, address, data } from '../../params.js'
import { requireDev } from '../common.js'

/** null. */
export const anvil_setCode = defineMethod('anvil_setCode', params(address, data), (ctx, [a, code]) => {
  requireDev(ctx).setCode(a, code)
  return null
})
