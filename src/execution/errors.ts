/**
 * Typed errors for transaction processing: a transaction that cannot be
 * included under the block's rules and the current state (bad nonce, fees,
 * balance, gas). Thrown before any state change, so a sequencer can drop the
 * transaction and a block importer can reject the block.
 */

/** Why a transaction was rejected. */
export type TxRejectCode =
  | 'type-not-supported'
  | 'wrong-chain-id'
  | 'nonce-overflow'
  | 'nonce-too-low'
  | 'nonce-too-high'
  | 'gas-limit-overflow'
  | 'fee-overflow'
  | 'tip-above-fee-cap'
  | 'fee-cap-below-base-fee'
  | 'block-gas-limit'
  | 'blob-create'
  | 'no-blobs'
  | 'too-many-blobs'
  | 'bad-blob-version'
  | 'blob-fee-too-low'
  | 'setcode-create'
  | 'empty-authorization-list'
  | 'initcode-too-large'
  | 'intrinsic-gas-too-low'
  | 'sender-not-eoa'
  | 'insufficient-funds'

/** A transaction that is invalid for this block and state. */
export class TxRejectedError extends Error {
  override name = 'TxRejectedError'
  /** Machine-readable reason. */
  readonly code: TxRejectCode
  constructor(code: TxRejectCode, message: string) {
    super(message)
    this.code = code
  }
}
