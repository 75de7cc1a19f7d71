/**
 * Typed transaction errors. Decoding failures (malformed bytes) are
 * `TxDecodeError`, a `DecodeError`, so generic byte-level handlers catch
 * them; rule violations of a well-formed transaction (bad signature, wrong
 * chain, too little gas, …) are `InvalidTransactionError` with a stable
 * `code`, so the pool, the executor and RPC can map them without string
 * matching. Subclasses exist for the codes callers most often branch on.
 */
import { DecodeError } from '../../primitives/errors.js'

/** Why a transaction's bytes could not be decoded. */
export type TxDecodeErrorCode =
  | 'empty'
  | 'unsupported-type'
  | 'not-a-list'
  | 'field-count'
  | 'bad-field'
  | 'bad-address'
  | 'bad-access-list'
  | 'bad-y-parity'
  | 'create-not-allowed'
  | 'bad-authorization'
  | 'bad-blob-hash'

/** Malformed transaction bytes: wrong envelope, field count, non-canonical or oversized field. */
export class TxDecodeError extends DecodeError {
  override name = 'TxDecodeError'
  /** Machine-readable reason. */
  readonly code: TxDecodeErrorCode
  constructor(code: TxDecodeErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/** Why a well-formed transaction is not valid under the given rules. */
export type InvalidTxCode =
  | 'type-not-supported'
  | 'invalid-signature'
  | 'wrong-chain-id'
  | 'oversized'
  | 'fee-cap-below-tip'
  | 'intrinsic-gas-too-low'
  | 'gas-limit-overflow'
  | 'gas-price-product-overflow'
  | 'nonce-overflow'
  | 'initcode-too-large'
  | 'blob-create'
  | 'no-blobs'
  | 'too-many-blobs'
  | 'bad-blob-version'
  | 'setcode-create'
  | 'empty-authorization-list'

/** A decoded transaction that breaks a validity rule of its fork or chain. */
export class InvalidTransactionError extends Error {
  override name = 'InvalidTransactionError'
  /** Machine-readable reason. */
  readonly code: InvalidTxCode
  constructor(code: InvalidTxCode, message: string) {
    super(message)
    this.code = code
  }
}

/** The signature is malformed, high-s (after Homestead) or recovers no public key. */
export class InvalidSignatureError extends InvalidTransactionError {
  override name = 'InvalidSignatureError'
  constructor(message: string) {
    super('invalid-signature', message)
  }
}

/** The transaction is signed for another chain (or its type/v carries a chain id where none is allowed). */
export class WrongChainIdError extends InvalidTransactionError {
  override name = 'WrongChainIdError'
  constructor(message: string) {
    super('wrong-chain-id', message)
  }
}

/** The gas limit is below the intrinsic gas (or the EIP-7623 calldata floor). */
export class IntrinsicGasTooLowError extends InvalidTransactionError {
  override name = 'IntrinsicGasTooLowError'
  /** The gas the transaction needs at least. */
  readonly required: bigint
  constructor(required: bigint, gasLimit: bigint) {
    super('intrinsic-gas-too-low', `intrinsic gas too low: have ${gasLimit}, want ${required}`)
    this.required = required
  }
}
