/** eth_getFilterLogs(id): every log matching a log filter's criteria. */
import { defineMethod } from '../../method.js'
import { params, string } from '../../params.js'
import { requireFilters } from '../filterAccess.js'

/** Log objects. */
export const eth_getFilterLogs = defineMethod('eth_getFilterLogs', params(string(66)), (ctx, [id]) => requireFilters(ctx).logs(id))
