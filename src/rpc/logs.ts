/**
 * Turning a parsed log filter into a bounded backend query: resolves
 * fromBlock/toBlock tags against the chain head, checks the range and block
 * hash, and enforces the range and result-size limits. Shared by eth_getLogs,
 * eth_getFilterLogs and the filter manager.
 */
import type { Backend, BlockSelector, LocatedLog, LogQuery } from './backend.js'
import type { LogFilterParams } from './format.js'
import { InvalidParamsError, LimitExceededError, ResourceNotFoundError } from './errors.js'
import { MAX_LOG_BLOCK_RANGE, MAX_LOGS_PER_RESPONSE } from './server/limits.js'
import { bytesToHex } from '../primitives/hex.js'

/** The block number a selector names, or throws -32001 when unknown. */
export function resolveNumber(backend: Backend, sel: BlockSelector): bigint {
  const r = backend.resolveBlock(sel)
  if (r === undefined) throw new ResourceNotFoundError(sel.kind === 'hash' ? `block ${bytesToHex(sel.hash)} not found` : 'block not found')
  return r.number
}

/** Resolve a filter into a query (default range: latest..latest). */
export function toLogQuery(backend: Backend, f: LogFilterParams): LogQuery {
  if (f.blockHash !== undefined) {
    const n = resolveNumber(backend, { kind: 'hash', hash: f.blockHash, requireCanonical: false })
    return { fromBlock: n, toBlock: n, blockHash: f.blockHash, addresses: f.addresses, topics: f.topics }
  }
  const latest: BlockSelector = { kind: 'tag', tag: 'latest' }
  const from = resolveNumber(backend, f.fromBlock ?? latest)
  const to = resolveNumber(backend, f.toBlock ?? latest)
  if (from > to) throw new InvalidParamsError(`invalid block range params: fromBlock ${from} is after toBlock ${to}`)
  if (to - from + 1n > MAX_LOG_BLOCK_RANGE) throw new LimitExceededError(`query exceeds max block range ${MAX_LOG_BLOCK_RANGE}`)
  return { fromBlock: from, toBlock: to, addresses: f.addresses, topics: f.topics }
}

/** Run a log query with the response-size limit. */
export function queryLogs(backend: Backend, f: LogFilterParams): LocatedLog[] {
  const logs = backend.getLogs(toLogQuery(backend, f))
  if (logs.length > MAX_LOGS_PER_RESPONSE) throw new LimitExceededError(`query returned more than ${MAX_LOGS_PER_RESPONSE} results, narrow the block range`)
  return logs
}
