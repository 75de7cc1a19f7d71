/** eth_getStorageAt(address, slot, block?): one storage word, always 32 bytes of hex. */
import { defineMethod } from '../../method.js'
import { params, address, optional, storageSlot } from '../../params.js'
import { blockSelector, LATEST } from '../../format.js'
import { requireBackend } from '../../context.js'
import { stateAt } from '../common.js'
import { bigIntToHex } from '../../../primitives/hex.js'

/** The word at `slot`. */
export const eth_getStorageAt = defineMethod('eth_getStorageAt', params(address, storageSlot, optional(blockSelector)), (ctx, [addr, slot, sel]) =>
  bigIntToHex(stateAt(requireBackend(ctx), sel ?? LATEST).storage(addr, slot), 32),
)
