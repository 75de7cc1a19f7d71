/**
 * What a method handler gets besides its params: the node's identity
 * (chain id, client version, keys), the chain backend when one is attached,
 * the filter manager, and the calling connection's session (transport,
 * subscriptions, a signal that fires when the client goes away).
 */
import type { Backend } from './backend.js'
import type { Keyring } from './keyring.js'
import type { RpcLogger } from './logger.js'
import type { FilterManager } from './filters.js'
import type { SubscriptionSession } from './subscriptions.js'
import { MethodNotSupportedError } from './errors.js'

/** Static facts about the node. */
export interface NodeInfo {
  chainId: bigint
  /** web3_clientVersion, e.g. `tachyon/v0.1.0/linux-x64/node20.20.2`. */
  clientVersion: string
  /** Local signing keys (dev accounts). */
  keyring: Keyring
  /** Gas cap of eth_call-like execution (default RPC_GAS_CAP; `--rpc-gas-cap`). */
  gasCap?: bigint
}

/** One client connection (an HTTP request or a WebSocket). */
export interface RpcSession {
  readonly id: number
  readonly transport: 'http' | 'ws'
  /** Subscriptions of this WS connection; undefined over HTTP. */
  readonly subscriptions: SubscriptionSession | undefined
  /** Aborted when the connection closes, so long waits (sync send, callAfter) stop early. */
  readonly signal: AbortSignal
}

/** Everything a handler may use. */
export interface RpcContext {
  readonly node: NodeInfo
  readonly backend: Backend | undefined
  readonly filters: FilterManager | undefined
  readonly session: RpcSession
  readonly logger: RpcLogger
}

/** The backend, or -32004 when the node runs without a chain (config-only mode). */
export function requireBackend(ctx: RpcContext): Backend {
  if (ctx.backend === undefined) throw new MethodNotSupportedError('no chain is attached to this node')
  return ctx.backend
}
