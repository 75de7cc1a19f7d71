/**
 * Signing and sender recovery. Sender recovery enforces EIP-2 (s ≤ n/2)
 * from Homestead on and maps every failure to `InvalidSignatureError`; the
 * EIP-7702 authority recovery returns null instead, because an invalid
 * authorization is skipped rather than invalidating its transaction.
 */
import { recoverAddress, SECP256K1_HALF_N, SECP256K1_N, signHash } from '../../crypto/secp256k1.js'
import { forkAtLeast, DEFAULT_FORK, type Fork } from '../fork.js'
import { authorizationSigningHash, legacyYParity, signingHash, type UnsignedTransaction } from './codec.js'
import { InvalidSignatureError } from './errors.js'
import type { Authorization, Transaction } from './types.js'

/** Sign `unsigned` with a 32-byte private key. Legacy transactions with `chainId` null are signed pre-EIP-155 (v = 27/28). */
export function signTransaction(unsigned: UnsignedTransaction, privateKey: Uint8Array): Transaction {
  const sig = signHash(signingHash(unsigned), privateKey)
  if (unsigned.type === 0) {
    const v = unsigned.chainId === null ? 27n + BigInt(sig.yParity) : unsigned.chainId * 2n + 35n + BigInt(sig.yParity)
    return { ...unsigned, v, r: sig.r, s: sig.s }
  }
  return { ...unsigned, yParity: sig.yParity, r: sig.r, s: sig.s } as Transaction
}

/** The y parity a transaction's signature carries, or null for a legacy `v` that encodes none. */
export function signatureYParity(tx: Transaction): number | null {
  return tx.type === 0 ? legacyYParity(tx.v) : tx.yParity
}

/**
 * Recover the sender's 20-byte address. Throws `InvalidSignatureError` when
 * r or s is out of range, s is high under Homestead+ rules (EIP-2), v or
 * yParity is malformed, or no key recovers. `recovered`: the result of the
 * curve operation when it already ran elsewhere on this transaction's
 * signing hash (the pool's recovery workers; null = no key recovered); every
 * check above still runs here, only the curve operation is skipped.
 */
export function recoverSender(tx: Transaction, fork: Fork = DEFAULT_FORK, recovered?: Uint8Array | null): Uint8Array {
  const yParity = signatureYParity(tx)
  if (yParity === null || (yParity !== 0 && yParity !== 1)) throw new InvalidSignatureError('invalid signature v / yParity')
  if (tx.r <= 0n || tx.r >= SECP256K1_N) throw new InvalidSignatureError('signature r out of range')
  if (tx.s <= 0n || tx.s >= SECP256K1_N) throw new InvalidSignatureError('signature s out of range')
  if (forkAtLeast(fork, 'Homestead') && tx.s > SECP256K1_HALF_N) throw new InvalidSignatureError('signature s is high (EIP-2)')
  const addr = recovered !== undefined ? recovered : recoverAddress(signingHash(tx), tx.r, tx.s, yParity)
  if (!addr) throw new InvalidSignatureError('signature does not recover a public key')
  return addr
}

/** Sign an EIP-7702 authorization (chain id 0 = valid on every chain). */
export function signAuthorization(auth: Pick<Authorization, 'chainId' | 'address' | 'nonce'>, privateKey: Uint8Array): Authorization {
  const sig = signHash(authorizationSigningHash(auth), privateKey)
  return { chainId: auth.chainId, address: auth.address, nonce: auth.nonce, yParity: sig.yParity, r: sig.r, s: sig.s }
}

/** The authority that signed an EIP-7702 authorization, or null when the signature is invalid (s must be ≤ n/2). */
export function recoverAuthority(auth: Authorization): Uint8Array | null {
  if (auth.yParity !== 0 && auth.yParity !== 1) return null
  if (auth.r <= 0n || auth.r >= SECP256K1_N || auth.s <= 0n || auth.s > SECP256K1_HALF_N) return null
  return recoverAddress(authorizationSigningHash(auth), auth.r, auth.s, auth.yParity)
}
