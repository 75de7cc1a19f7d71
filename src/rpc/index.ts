/**
 * The RPC layer's public surface: start a server with the method registry,
 * the backend interface the chain implements, errors, limits and formatting.
 */
export { startRpcServer, type RpcServer, type RpcServerOptions } from './server/server.js'
export { ALL_METHODS, NO_CHAIN_METHODS } from './methods/index.js'
export { buildRegistry, defineMethod, type RpcMethod } from './method.js'
export { Keyring } from './keyring.js'
export type * from './backend.js'
export type { NodeInfo, RpcContext } from './context.js'
export * from './errors.js'
export * as limits from './server/limits.js'
