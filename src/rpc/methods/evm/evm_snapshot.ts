/** evm_snapshot: snapshot the dev chain (the open block is sealed first when it holds changes); returns an id for evm_revert. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireDev } from '../common.js'
import { toQuantity } from '../../../primitives/hex.js'

/** Snapshot id as a quantity. */
export const evm_snapshot = defineMethod('evm_snapshot', params(), async (ctx) => toQuantity(await requireDev(ctx).snapshot()))
