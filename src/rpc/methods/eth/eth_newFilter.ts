/** eth_newFilter(criteria): install a log filter; poll it with eth_getFilterChanges. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { logFilter } from '../../format.js'
import { requireFilters } from '../filterAccess.js'

/** The filter id. */
export const eth_newFilter = defineMethod('eth_newFilter', params(logFilter), (ctx, [f]) => requireFilters(ctx).install('logs', f))
