/**
 * Stateless transaction validity: everything that can be checked from the
 * transaction, the fork and the chain id alone (no account state, no base
 * fee). The pool runs it on admission, the executor before applying a
 * transaction. Each rule violation throws an `InvalidTransactionError` with
 * its `code`; on success the recovered sender and the intrinsic gas are
 * returned so callers do not recompute them.
 */
import { forkAtLeast, type Fork } from '../fork.js'
import { encodeTransaction, legacyChainId } from './codec.js'
import { IntrinsicGasTooLowError, InvalidSignatureError, InvalidTransactionError, WrongChainIdError } from './errors.js'
import { floorDataGas, intrinsicGas } from './gas.js'
import { recoverSender } from './sign.js'
import type { Transaction } from './types.js'

/** Largest encoded transaction accepted by default: 128 KiB, like geth's pool `txMaxSize` (4 slots of 32 KiB). */
export const TX_MAX_SIZE = 128 * 1024
/** Largest initcode of a creating transaction from Shanghai (EIP-3860: 2 × the EIP-170 code limit). */
export const MAX_INITCODE_SIZE = 49152
/** Version byte of a KZG blob versioned hash (EIP-4844). */
export const BLOB_COMMITMENT_VERSION_KZG = 0x01
/** Largest gas limit or nonce representable (2^64 - 1). */
export const MAX_UINT64 = (1n << 64n) - 1n
const MAX_UINT256 = (1n << 256n) - 1n

/** Fork in which each transaction type becomes valid. */
export const TX_TYPE_FORK: Record<Transaction['type'], Fork> = { 0: 'Frontier', 1: 'Berlin', 2: 'London', 3: 'Cancun', 4: 'Prague' }

/** Most blobs one transaction may carry under `fork` (the per-block maximum: 6 in Cancun, 9 in Prague). */
export function maxBlobsPerTransaction(fork: Fork): number {
  return forkAtLeast(fork, 'Prague') ? 9 : 6
}

/** Options of `validateTransaction`. */
export interface ValidateOptions {
  /** Rules to apply. */
  fork: Fork
  /** The chain's id; when given, typed and EIP-155 transactions must carry it. */
  chainId?: bigint
  /** Largest accepted encoding in bytes (default `TX_MAX_SIZE`; `Infinity` for consensus-only checks). */
  maxSize?: number
  /** The transaction's canonical bytes when the caller has them (saves re-encoding for the size check). */
  encoded?: Uint8Array
  /** The sender already recovered from the signing hash elsewhere (null: no key recovered); see `recoverSender`. */
  recovered?: Uint8Array | null
}

/** What a valid transaction yields. */
export interface ValidTransaction {
  /** Recovered 20-byte sender. */
  sender: Uint8Array
  /** Intrinsic gas under the fork (the EIP-7623 floor is not included). */
  intrinsicGas: bigint
}

/** Check every stateless rule; returns the sender and intrinsic gas, or throws `InvalidTransactionError`. */
export function validateTransaction(tx: Transaction, opts: ValidateOptions): ValidTransaction {
  const { fork } = opts
  if (!forkAtLeast(fork, TX_TYPE_FORK[tx.type])) {
    throw new InvalidTransactionError('type-not-supported', `transaction type ${tx.type} is not supported before ${TX_TYPE_FORK[tx.type]}`)
  }
  const maxSize = opts.maxSize ?? TX_MAX_SIZE
  if (Number.isFinite(maxSize)) {
    const size = (opts.encoded ?? encodeTransaction(tx)).length
    if (size > maxSize) throw new InvalidTransactionError('oversized', `transaction is ${size} bytes, limit ${maxSize}`)
  }
  // EIP-2681: the nonce must stay below 2^64 - 1 so that it can be incremented.
  if (tx.nonce >= MAX_UINT64) throw new InvalidTransactionError('nonce-overflow', `nonce ${tx.nonce} must be below 2^64-1`)
  if (tx.gasLimit > MAX_UINT64) throw new InvalidTransactionError('gas-limit-overflow', `gas limit ${tx.gasLimit} exceeds 2^64-1`)
  const feeCap = tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxFeePerGas
  if (tx.type >= 2) {
    const t = tx as Extract<Transaction, { maxPriorityFeePerGas: bigint }>
    if (t.maxPriorityFeePerGas > t.maxFeePerGas) {
      throw new InvalidTransactionError('fee-cap-below-tip', `maxFeePerGas ${t.maxFeePerGas} is below maxPriorityFeePerGas ${t.maxPriorityFeePerGas}`)
    }
  }
  if (tx.gasLimit * feeCap > MAX_UINT256) throw new InvalidTransactionError('gas-price-product-overflow', 'gas limit × fee cap exceeds 2^256-1')

  checkChainId(tx, opts)
  const sender = recoverSender(tx, fork, opts.recovered)

  if (tx.type === 3) {
    if (tx.to === null) throw new InvalidTransactionError('blob-create', 'blob transactions cannot create contracts')
    if (tx.blobVersionedHashes.length === 0) throw new InvalidTransactionError('no-blobs', 'blob transaction without blobs')
    const max = maxBlobsPerTransaction(fork)
    if (tx.blobVersionedHashes.length > max) throw new InvalidTransactionError('too-many-blobs', `${tx.blobVersionedHashes.length} blobs, at most ${max}`)
    for (const h of tx.blobVersionedHashes) {
      if (h.length !== 32 || h[0] !== BLOB_COMMITMENT_VERSION_KZG) throw new InvalidTransactionError('bad-blob-version', 'blob versioned hash must be 32 bytes with version 0x01')
    }
  }
  if (tx.type === 4) {
    if (tx.to === null) throw new InvalidTransactionError('setcode-create', 'set-code transactions cannot create contracts')
    if (tx.authorizationList.length === 0) throw new InvalidTransactionError('empty-authorization-list', 'set-code transaction with an empty authorization list')
  }
  if (tx.to === null && forkAtLeast(fork, 'Shanghai') && tx.data.length > MAX_INITCODE_SIZE) {
    throw new InvalidTransactionError('initcode-too-large', `initcode is ${tx.data.length} bytes, limit ${MAX_INITCODE_SIZE}`)
  }
  const gas = intrinsicGas(tx, fork)
  if (tx.gasLimit < gas) throw new IntrinsicGasTooLowError(gas, tx.gasLimit)
  if (forkAtLeast(fork, 'Prague')) {
    const floor = floorDataGas(tx.data)
    if (tx.gasLimit < floor) throw new IntrinsicGasTooLowError(floor, tx.gasLimit)
  }
  return { sender, intrinsicGas: gas }
}

function checkChainId(tx: Transaction, opts: ValidateOptions): void {
  if (tx.type !== 0) {
    if (opts.chainId !== undefined && tx.chainId !== opts.chainId) throw new WrongChainIdError(`transaction chain id ${tx.chainId}, expected ${opts.chainId}`)
    return
  }
  if (tx.v === 27n || tx.v === 28n) return
  if (tx.v < 35n) {
    // v = 0/1 is a bare y parity, not a legacy v; other small values are malformed EIP-155 ids.
    if (tx.v <= 1n || !forkAtLeast(opts.fork, 'SpuriousDragon')) throw new InvalidSignatureError(`invalid v ${tx.v}`)
    throw new WrongChainIdError(`invalid v ${tx.v}: neither 27/28 nor an EIP-155 value`)
  }
  if (!forkAtLeast(opts.fork, 'SpuriousDragon')) throw new InvalidSignatureError(`EIP-155 v ${tx.v} before Spurious Dragon`)
  const chainId = legacyChainId(tx.v)
  if (tx.chainId !== chainId) throw new WrongChainIdError(`chainId field ${tx.chainId} does not match v ${tx.v}`)
  if (opts.chainId !== undefined && chainId !== opts.chainId) throw new WrongChainIdError(`transaction chain id ${chainId}, expected ${opts.chainId}`)
}
