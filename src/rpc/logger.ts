/**
 * The logging interface the RPC layer writes to: the subset of pino's API it
 * uses, so `rpc` does not depend on a logging library and tests can pass a
 * silent logger.
 */

/** Log function: structured fields first, message second (pino style). */
export type LogFn = (fields: Record<string, unknown>, message?: string) => void

/** A structured logger. */
export interface RpcLogger {
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
}

const noop: LogFn = () => {}

/** A logger that drops everything. */
export const SILENT_LOGGER: RpcLogger = { debug: noop, info: noop, warn: noop, error: noop }
