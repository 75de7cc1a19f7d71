/** anvil_setStorageAt(address, slot, value): overwrite one storage word in the dev chain. */
import { defineMethod } from '../../method.js'
import { params, address, storageSlot } from '../../params.js'
import { requireDev } from '../common.js'

/** true, as anvil answers. */
export const anvil_setStorageAt = defineMethod('anvil_setStorageAt', params(address, storageSlot, storageSlot), (ctx, [a, slot, value]) => {
  requireDev(ctx).setStorageAt(a, slot, value)
  return true
})
