/**
 * Stateless admission of raw transaction bytes, shared by the pool's
 * synchronous path and the recovery path (`recover.ts`): decode,
 * `validateTransaction` (signature → sender, chain id, size, intrinsic gas)
 * and the transaction hash, with every failure mapped to the `TxPoolError`
 * the RPC layer answers with. The sender and the hash come from the raw
 * bytes (`raw.ts`: no re-encoding); a sender recovered on a worker is
 * passed in as `recovered`.
 */
import { decodeTransaction, validateTransaction, InvalidTransactionError, InvalidSignatureError, WrongChainIdError, IntrinsicGasTooLowError, type Transaction } from '../eth/transaction/index.js'
import type { Fork } from '../eth/fork.js'
import { DecodeError } from '../primitives/errors.js'
import { TxPoolError } from './errors.js'
import { MAX_TX_BYTES } from './limits.js'
import { keccak256 } from '../crypto/keccak.js'
import { recoverRawSender } from './raw.js'

/** What the stateless checks yield. */
export interface Admitted {
  tx: Transaction
  sender: Uint8Array
  hash: Uint8Array
}

/** The rules stateless admission applies. */
export interface AdmissionRules {
  fork: Fork
  chainId: bigint
}

/** Map a validation failure to the pool's typed rejection (rethrows anything else). */
export function validationError(e: unknown): TxPoolError {
  if (e instanceof TxPoolError) return e
  if (e instanceof DecodeError) return new TxPoolError('decode', `invalid transaction: ${e.message}`, -32602)
  if (e instanceof IntrinsicGasTooLowError) return new TxPoolError('intrinsic-gas', e.message)
  if (e instanceof InvalidSignatureError) return new TxPoolError('invalid-signature', `invalid sender: ${e.message}`, -32003)
  if (e instanceof WrongChainIdError) return new TxPoolError('wrong-chain-id', `invalid chain id: ${e.message}`, -32003)
  if (e instanceof InvalidTransactionError) return new TxPoolError(e.code === 'oversized' ? 'oversized' : 'invalid', e.message)
  throw e
}

/** Size check of raw bytes (before anything is decoded). */
export function checkRawSize(raw: Uint8Array): void {
  if (raw.length > MAX_TX_BYTES) throw new TxPoolError('oversized', `oversized data: transaction size ${raw.length}, limit ${MAX_TX_BYTES}`)
}

/** Decode raw bytes; throws `TxPoolError`. */
export function decodeRaw(raw: Uint8Array): Transaction {
  checkRawSize(raw)
  try {
    return decodeTransaction(raw)
  } catch (e) {
    throw validationError(e)
  }
}

/**
 * Stateless checks of a decoded transaction; returns its sender. Throws
 * `TxPoolError`. `recovered`: the curve operation's result when it already
 * ran (`recoverRawSender`, here or on a worker; null = no key recovered).
 */
export function validateStateless(tx: Transaction, raw: Uint8Array, rules: AdmissionRules, recovered?: Uint8Array | null): Uint8Array {
  try {
    return validateTransaction(tx, { fork: rules.fork, chainId: rules.chainId, maxSize: MAX_TX_BYTES, encoded: raw, ...(recovered !== undefined ? { recovered } : {}) }).sender
  } catch (e) {
    throw validationError(e)
  }
}

/** The sender recovered from decoded canonical bytes, or undefined when the bytes path failed (then `validateTransaction` recovers from the fields). */
export function rawSender(raw: Uint8Array, tx: Transaction): Uint8Array | null | undefined {
  try {
    return recoverRawSender(raw, tx)
  } catch {
    return undefined
  }
}

/** Decode, validate and hash raw bytes. Throws `TxPoolError`. */
export function admitRaw(raw: Uint8Array, rules: AdmissionRules): Admitted {
  const tx = decodeRaw(raw)
  const sender = validateStateless(tx, raw, rules, rawSender(raw, tx))
  // the strict decoder accepts only the canonical encoding: its hash is the transaction hash
  return { tx, sender, hash: keccak256(raw) }
}
