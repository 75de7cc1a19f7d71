/**
 * Typed JSON-RPC errors with the codes of EIP-1474 (and EIP-7966's 4/5 for
 * eth_sendRawTransactionSync). Every failure a method can report is one of
 * these classes, so the server maps errors to wire responses without guessing
 * and clients (viem, ethers) see the code they expect.
 */

/** The error codes this server emits. */
export const RpcErrorCode = {
  /** Invalid JSON was received. */
  Parse: -32700,
  /** The JSON sent is not a valid request object. */
  InvalidRequest: -32600,
  /** The method does not exist. */
  MethodNotFound: -32601,
  /** Invalid method parameters. */
  InvalidParams: -32602,
  /** Internal JSON-RPC error. */
  Internal: -32603,
  /** Missing or invalid input (also: transaction rejected by the pool, call timeout). */
  InvalidInput: -32000,
  /** Requested resource (block, filter, snapshot) not found. */
  ResourceNotFound: -32001,
  /** Requested resource not available. */
  ResourceUnavailable: -32002,
  /** Transaction creation failed (e.g. unknown sender for eth_sendTransaction). */
  TransactionRejected: -32003,
  /** Method exists but is not supported in this configuration. */
  MethodNotSupported: -32004,
  /** Request exceeds a defined limit (body, batch, subscriptions, range). */
  LimitExceeded: -32005,
  /** Execution reverted; `data` carries the revert bytes. */
  ExecutionReverted: 3,
  /** EIP-7966: the transaction was accepted but not processed within the timeout. */
  SyncTimeout: 4,
  /** EIP-7966: the transaction cannot be processed yet (nonce gap, funds). */
  SyncNotReady: 5,
} as const

/** One of the codes above. */
export type RpcErrorCodeValue = (typeof RpcErrorCode)[keyof typeof RpcErrorCode]

/** The JSON-RPC error object as sent on the wire. */
export interface RpcErrorObject {
  code: number
  message: string
  data?: unknown
}

/** Base class: an error with a JSON-RPC code, message and optional data. */
export class RpcError extends Error {
  override name = 'RpcError'
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
  /** The wire form. */
  toJSON(): RpcErrorObject {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data }
  }
}

/** -32700: the body is not valid JSON. */
export class ParseError extends RpcError {
  override name = 'ParseError'
  constructor(message = 'parse error') {
    super(RpcErrorCode.Parse, message)
  }
}

/** -32600: not a valid JSON-RPC 2.0 request object. */
export class InvalidRequestError extends RpcError {
  override name = 'InvalidRequestError'
  constructor(message = 'invalid request') {
    super(RpcErrorCode.InvalidRequest, message)
  }
}

/** -32601: no such method. */
export class MethodNotFoundError extends RpcError {
  override name = 'MethodNotFoundError'
  constructor(method: string) {
    super(RpcErrorCode.MethodNotFound, `the method ${method.length > 64 ? method.slice(0, 64) + '…' : method} does not exist/is not available`)
  }
}

/** -32602: wrong parameters. */
export class InvalidParamsError extends RpcError {
  override name = 'InvalidParamsError'
  constructor(message: string, data?: unknown) {
    super(RpcErrorCode.InvalidParams, message, data)
  }
}

/** -32603: a bug or unexpected failure inside the node. */
export class InternalError extends RpcError {
  override name = 'InternalError'
  constructor(message = 'internal error') {
    super(RpcErrorCode.Internal, message)
  }
}

/** -32000: invalid input, including transactions the pool rejects (geth convention). */
export class InvalidInputError extends RpcError {
  override name = 'InvalidInputError'
  constructor(message: string, data?: unknown) {
    super(RpcErrorCode.InvalidInput, message, data)
  }
}

/** -32001: a block, filter, subscription or snapshot that does not exist. */
export class ResourceNotFoundError extends RpcError {
  override name = 'ResourceNotFoundError'
  constructor(message: string) {
    super(RpcErrorCode.ResourceNotFound, message)
  }
}

/** -32003: the transaction could not be created or was rejected. */
export class TransactionRejectedError extends RpcError {
  override name = 'TransactionRejectedError'
  constructor(message: string, data?: unknown) {
    super(RpcErrorCode.TransactionRejected, message, data)
  }
}

/** -32004: the method exists but this node cannot serve it (e.g. no chain attached, eth_getProof over QMDB). */
export class MethodNotSupportedError extends RpcError {
  override name = 'MethodNotSupportedError'
  constructor(message: string) {
    super(RpcErrorCode.MethodNotSupported, message)
  }
}

/** -32005: a request exceeds a limit of `limits.ts`. */
export class LimitExceededError extends RpcError {
  override name = 'LimitExceededError'
  constructor(message: string) {
    super(RpcErrorCode.LimitExceeded, message)
  }
}

/** 3: execution reverted; `data` is the revert payload as hex. */
export class ExecutionRevertedError extends RpcError {
  override name = 'ExecutionRevertedError'
  constructor(data: string, reason?: string) {
    super(RpcErrorCode.ExecutionReverted, reason === undefined ? 'execution reverted' : `execution reverted: ${reason}`, data)
  }
}

/** EIP-7966 code 4: accepted but not processed in time; `data` is the tx hash. */
export class SyncTimeoutError extends RpcError {
  override name = 'SyncTimeoutError'
  constructor(txHash: string, timeoutMs: number) {
    super(RpcErrorCode.SyncTimeout, `The transaction was added to the mempool but wasn't processed in ${formatMs(timeoutMs)}.`, txHash)
  }
}

/** EIP-7966 code 5: accepted but not processable now (nonce gap, funds); `data` is the tx hash. */
export class SyncNotReadyError extends RpcError {
  override name = 'SyncNotReadyError'
  constructor(txHash: string, reason: string, expectedNonce?: string) {
    super(RpcErrorCode.SyncNotReady, `The transaction was added to the mempool but cannot be processed yet: ${reason}`, expectedNonce === undefined ? txHash : { txHash, expectedNonce })
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}
