/** evm_revert(id): return the dev chain to a snapshot, block numbers included, as anvil does (later snapshots are dropped); false for unknown ids. */
import { defineMethod } from '../../method.js'
import { params, quantity } from '../../params.js'
import { requireDev } from '../common.js'

/** true when reverted. */
export const evm_revert = defineMethod('evm_revert', params(quantity), async (ctx, [id]) => requireDev(ctx).revert(id))
