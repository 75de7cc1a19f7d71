/** eth_getLogs(filter): logs over a block range (≤ MAX_LOG_BLOCK_RANGE) or one block hash (EIP-234), ≤ MAX_LOGS_PER_RESPONSE results. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { requireBackend } from '../../context.js'
import { formatLog, logFilter } from '../../format.js'
import { queryLogs } from '../../logs.js'

/** Log objects in chain order. */
export const eth_getLogs = defineMethod('eth_getLogs', params(logFilter), (ctx, [f]) => queryLogs(requireBackend(ctx), f).map(formatLog))
