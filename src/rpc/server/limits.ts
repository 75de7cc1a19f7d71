/**
 * Every bound the RPC server puts on untrusted input, as named constants with
 * geth/reth-like defaults (research/ecosystem.md § Bounding bad JSON-RPC
 * input). One place to read and tune them; `RpcLimits` lets tests and the CLI
 * override any of them per server.
 */

/** Largest HTTP request body accepted (geth: 5 MiB). Larger bodies get HTTP 413 and -32005. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024
/** Most items in one batch (geth: 1000). Larger batches get one -32005 error. */
export const MAX_BATCH_ITEMS = 1000
/** Largest total response of one batch (geth: 25 MB); items past it get -32005. */
export const MAX_BATCH_RESPONSE_BYTES = 25 * 1000 * 1000
/** Largest WebSocket message accepted (geth's WS read limit: 32 MiB); the socket closes with 1009 beyond it. */
export const WS_MAX_PAYLOAD_BYTES = 32 * 1024 * 1024
/** A WS client that lets this much unsent data pile up is disconnected (slow consumer). */
export const WS_MAX_BUFFERED_BYTES = 64 * 1024 * 1024
/** Subscriptions one WS connection may hold (MegaETH public: 5; reth: 1024). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 128
/** Time allowed to receive the request headers (geth: 30 s). */
export const HEADERS_TIMEOUT_MS = 30_000
/** Time allowed to receive a whole request (geth: 30 s read timeout). */
export const REQUEST_TIMEOUT_MS = 30_000
/** Idle time before an HTTP keep-alive socket is closed. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000
/** Idle time after which any HTTP socket is closed (geth: 120 s). */
export const IDLE_TIMEOUT_MS = 120_000
/** Longest accepted method name; longer names get -32600 instead of a log line echoing them. */
export const MAX_METHOD_NAME_LENGTH = 128
/** Longest accepted string id. */
export const MAX_STRING_ID_LENGTH = 256
/** Gas cap for eth_call / eth_estimateGas / eth_createAccessList / eth_callAfter (geth: 50M). */
export const RPC_GAS_CAP = 50_000_000n
/** Wall-clock bound for one eth_call-like execution (geth --rpc.evmtimeout: 5 s). */
export const RPC_EVM_TIMEOUT_MS = 5_000
/** Blocks one eth_getLogs / eth_getFilterLogs query may span (reth: 100k). */
export const MAX_LOG_BLOCK_RANGE = 100_000n
/** Logs one eth_getLogs response may hold (reth: 20k). */
export const MAX_LOGS_PER_RESPONSE = 20_000
/** Most `address` entries and topic alternatives in a log filter. */
export const MAX_FILTER_ADDRESSES = 1_000
/** Most blocks eth_feeHistory reports (MegaETH: 256; geth: 1024). */
export const MAX_FEE_HISTORY_BLOCKS = 1024
/** Most reward percentiles in one eth_feeHistory call. */
export const MAX_FEE_HISTORY_PERCENTILES = 100
/** Installed filters across all clients. */
export const MAX_FILTERS = 10_000
/** A filter not polled for this long is removed (geth: 5 min). */
export const FILTER_TIMEOUT_MS = 5 * 60_000
/** Changes a filter buffers between polls; older ones are dropped first. */
export const MAX_FILTER_BUFFER = 10_000
/** Default wait of eth_sendRawTransactionSync (EIP-7966 recommends 2 s). */
export const SYNC_TX_DEFAULT_TIMEOUT_MS = 2_000
/** Largest wait eth_sendRawTransactionSync accepts; larger values are rejected with -32602. */
export const SYNC_TX_MAX_TIMEOUT_MS = 30_000
/** Fixed wait of realtime_sendRawTransaction (MegaETH: 10 s, then -32000 "realtime transaction expired"). */
export const REALTIME_TX_TIMEOUT_MS = 10_000
/** Default wait of eth_callAfter's nonce condition (MegaETH: 3 s). */
export const CALL_AFTER_DEFAULT_TIMEOUT_MS = 3_000
/** Largest wait of eth_callAfter's nonce condition (MegaETH: 60 s). */
export const CALL_AFTER_MAX_TIMEOUT_MS = 60_000
/** Most storage slots in one tachyon_getProof request. */
export const MAX_PROOF_SLOTS = 1_000

/** The limits one server instance enforces; every field defaults to the constant above. */
export interface RpcLimits {
  maxBodyBytes: number
  maxBatchItems: number
  maxBatchResponseBytes: number
  wsMaxPayloadBytes: number
  wsMaxBufferedBytes: number
  maxSubscriptionsPerConnection: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  idleTimeoutMs: number
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<RpcLimits> = Object.freeze({
  maxBodyBytes: MAX_BODY_BYTES,
  maxBatchItems: MAX_BATCH_ITEMS,
  maxBatchResponseBytes: MAX_BATCH_RESPONSE_BYTES,
  wsMaxPayloadBytes: WS_MAX_PAYLOAD_BYTES,
  wsMaxBufferedBytes: WS_MAX_BUFFERED_BYTES,
  maxSubscriptionsPerConnection: MAX_SUBSCRIPTIONS_PER_CONNECTION,
  headersTimeoutMs: HEADERS_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
})
