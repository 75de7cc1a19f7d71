/** The filter manager for filter methods, or -32004 when no chain is attached. */
import type { RpcContext } from '../context.js'
import type { FilterManager } from '../filters.js'
import { MethodNotSupportedError } from '../errors.js'

/** The server's filter manager. */
export function requireFilters(ctx: RpcContext): FilterManager {
  if (ctx.filters === undefined) throw new MethodNotSupportedError('no chain is attached to this node')
  return ctx.filters
}
