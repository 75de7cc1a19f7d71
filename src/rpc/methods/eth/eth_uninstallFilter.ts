/** eth_uninstallFilter(id): remove a filter; false when it did not exist. */
import { defineMethod } from '../../method.js'
import { params, string } from '../../params.js'
import { requireFilters } from '../filterAccess.js'

/** true when removed. */
export const eth_uninstallFilter = defineMethod('eth_uninstallFilter', params(string(66)), (ctx, [id]) => requireFilters(ctx).uninstall(id))
