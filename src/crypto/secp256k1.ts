/**
 * secp256k1 signing and public-key recovery. Uses the native `secp256k1`
 * addon (measured ~24x `@noble/curves` here) and falls back to noble when the
 * addon does not load, so the node runs everywhere. Enforces the low-s rule
 * where callers ask for it (EIP-2: transactions after Homestead).
 */
import { createRequire } from 'node:module'
import { secp256k1 as noble } from '@noble/curves/secp256k1.js'
import { bigIntToBytes, bytesToBigInt } from '../primitives/bytes.js'
import { keccak256 } from './keccak.js'

/** Curve order n. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
/** n / 2: signatures with s above this are "high-s" and invalid for transactions (EIP-2). */
export const SECP256K1_HALF_N = SECP256K1_N >> 1n

/** A recoverable ECDSA signature. */
export interface Signature {
  r: bigint
  s: bigint
  /** 0 or 1: parity of the R point's y coordinate. */
  yParity: number
}

interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean, output?: Uint8Array): Uint8Array
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array
  privateKeyVerify(privateKey: Uint8Array): boolean
}

function loadNative(): NativeSecp256k1 | undefined {
  if (process.env.TACHYON_NO_NATIVE_SECP256K1 === '1') return undefined
  try {
    const require = createRequire(import.meta.url)
    const mod = require('secp256k1/bindings') as NativeSecp256k1
    return mod
  } catch {
    try {
      const require = createRequire(import.meta.url)
      return require('secp256k1') as NativeSecp256k1
    } catch {
      return undefined
    }
  }
}

const native = loadNative()

/** Which backend this thread uses: `native` (addon) or `noble` (pure JS fallback). */
export const secp256k1Backend: 'native' | 'noble' = native ? 'native' : 'noble'

/**
 * Recover the 64-byte uncompressed public key (x ‖ y, no 0x04 prefix) that
 * signed `msgHash`, or null when the signature is invalid (r or s out of
 * range, no point on the curve). Does not enforce low-s; callers that need
 * EIP-2 check `s <= SECP256K1_HALF_N` themselves.
 */
export function recoverPublicKey(msgHash: Uint8Array, r: bigint, s: bigint, yParity: number): Uint8Array | null {
  if (r <= 0n || r >= SECP256K1_N || s <= 0n || s >= SECP256K1_N) return null
  if (yParity !== 0 && yParity !== 1) return null
  const sig = new Uint8Array(64)
  sig.set(bigIntToBytes(r, 32), 0)
  sig.set(bigIntToBytes(s, 32), 32)
  if (native) {
    try {
      const pub = native.ecdsaRecover(sig, yParity, msgHash, false)
      return pub.subarray(1)
    } catch {
      return null
    }
  }
  try {
    const recovered = new Uint8Array(65)
    recovered[0] = yParity
    recovered.set(sig, 1)
    const pub = noble.recoverPublicKey(recovered, msgHash, { prehash: false })
    const point = noble.Point.fromBytes(pub)
    return point.toBytes(false).subarray(1)
  } catch {
    return null
  }
}

/** Sign a 32-byte hash with a 32-byte private key; always returns low-s (RFC 6979 deterministic). */
export function signHash(msgHash: Uint8Array, privateKey: Uint8Array): Signature {
  if (native) {
    const { signature, recid } = native.ecdsaSign(msgHash, privateKey)
    return { r: bytesToBigInt(signature.subarray(0, 32)), s: bytesToBigInt(signature.subarray(32, 64)), yParity: recid }
  }
  const sig = noble.sign(msgHash, privateKey, { prehash: false, format: 'recovered' })
  return { r: bytesToBigInt(sig.subarray(1, 33)), s: bytesToBigInt(sig.subarray(33, 65)), yParity: sig[0]! }
}

/** The Ethereum address (20 bytes) of a 64-byte uncompressed public key. */
export function publicKeyToAddress(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey).subarray(12)
}

/** The 64-byte uncompressed public key of a private key. */
export function privateKeyToPublicKey(privateKey: Uint8Array): Uint8Array {
  if (native) return native.publicKeyCreate(privateKey, false).subarray(1)
  return noble.getPublicKey(privateKey, false).subarray(1)
}

/** The Ethereum address of a private key. */
export function privateKeyToAddress(privateKey: Uint8Array): Uint8Array {
  return publicKeyToAddress(privateKeyToPublicKey(privateKey))
}

/** Recover the signer's address, or null for an invalid signature. */
export function recoverAddress(msgHash: Uint8Array, r: bigint, s: bigint, yParity: number): Uint8Array | null {
  const pub = recoverPublicKey(msgHash, r, s, yParity)
  return pub ? publicKeyToAddress(pub) : null
}
