/** Structured logging for the node with pino (JSON lines on stderr); `silent` in tests. */
import { pino, type Logger } from 'pino'
import type { RpcLogger } from '../rpc/logger.js'

/** A pino logger at `level`, writing to stderr so stdout carries only the banner. */
export function createLogger(level: 'silent' | 'error' | 'warn' | 'info' | 'debug'): Logger {
  return pino({ level, base: { name: 'tachyon' } }, pino.destination(2))
}

/** Adapt pino to the RPC layer's logger interface. */
export function toRpcLogger(l: Logger): RpcLogger {
  return {
    debug: (f, m) => l.debug(f, m),
    info: (f, m) => l.info(f, m),
    warn: (f, m) => l.warn(f, m),
    error: (f, m) => l.error(f, m),
  }
}
