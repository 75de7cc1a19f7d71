/** eth_getFilterChanges(id): what arrived since the last poll; -32001 for unknown or expired filters. */
import { defineMethod } from '../../method.js'
import { params, string } from '../../params.js'
import { requireFilters } from '../filterAccess.js'

/** Block hashes, transaction hashes or log objects. */
export const eth_getFilterChanges = defineMethod('eth_getFilterChanges', params(string(66)), (ctx, [id]) => requireFilters(ctx).changes(id))
