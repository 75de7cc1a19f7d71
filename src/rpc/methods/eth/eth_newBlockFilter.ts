/** eth_newBlockFilter: install a filter collecting new EVM block hashes. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireFilters } from '../filterAccess.js'

/** The filter id. */
export const eth_newBlockFilter = defineMethod('eth_newBlockFilter', params(), (ctx) => requireFilters(ctx).install('block'))
