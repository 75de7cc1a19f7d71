/** eth_newPendingTransactionFilter: install a filter collecting hashes of transactions entering the pool. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireFilters } from '../filterAccess.js'

/** The filter id. */
export const eth_newPendingTransactionFilter = defineMethod('eth_newPendingTransactionFilter', params(), (ctx) => requireFilters(ctx).install('pendingTransaction'))
