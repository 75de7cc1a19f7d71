/**
 * Typed pool rejections. The pool sits below `rpc`, so each error carries the
 * JSON-RPC code the RPC layer should answer with (geth's conventions:
 * -32000 for rule violations such as nonce too low or underpriced, -32602
 * for undecodable bytes, -32003 for signature / chain-id problems) and a
 * stable `reason` for programmatic handling.
 */

/** Why the pool refused a transaction. */
export type TxPoolRejectReason =
  | 'decode'
  | 'invalid'
  | 'invalid-signature'
  | 'wrong-chain-id'
  | 'already-known'
  | 'nonce-too-low'
  | 'insufficient-funds'
  | 'intrinsic-gas'
  | 'oversized'
  | 'underpriced'
  | 'replacement-underpriced'
  | 'gas-limit'
  | 'sender-limit'
  | 'pool-full'

/** A rejected transaction. */
export class TxPoolError extends Error {
  override name = 'TxPoolError'
  constructor(
    readonly reason: TxPoolRejectReason,
    message: string,
    /** JSON-RPC error code to answer with. */
    readonly rpcCode: number = -32000,
  ) {
    super(message)
  }
}
