/**
 * secp256k1 signing and public-key recovery. Uses the native `secp256k1`
 * addon (libsecp256k1, measured ~24x `@noble/curves` here) and falls back to
 * noble when the addon does not load or `TACHYON_NO_NATIVE_SECP256K1=1`, so
 * the node runs everywhere. Both backends sit behind one small interface and
 * are exported (`secp256k1Backends`) so tests and benchmarks can check that
 * they agree. Enforces the low-s rule where callers ask for it (EIP-2:
 * transactions after Homestead).
 */
import { createRequire } from 'node:module'
import { secp256k1 as noble } from '@noble/curves/secp256k1.js'
import { KeyError } from '../primitives/errors.js'
import { bytesToBigInt, writeU256 } from '../primitives/bytes.js'
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

/**
 * One implementation of the three curve operations the node needs. Inputs are
 * already validated by the exported functions (r, s in range, parity 0/1,
 * 32-byte hash and key); methods may still throw, and callers map that.
 */
export interface Secp256k1Backend {
  /** `native` (libsecp256k1 addon) or `noble` (pure JS). */
  readonly name: 'native' | 'noble'
  /** 64-byte x ‖ y public key from a 64-byte r ‖ s signature, or null when no key recovers. */
  recover(msgHash: Uint8Array, rs: Uint8Array, yParity: number): Uint8Array | null
  /** Deterministic (RFC 6979) low-s signature: 64-byte r ‖ s and the recovery id. */
  sign(msgHash: Uint8Array, privateKey: Uint8Array): { rs: Uint8Array; recid: number }
  /** 64-byte x ‖ y public key of a private key. */
  publicKey(privateKey: Uint8Array): Uint8Array
}

interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean, output?: Uint8Array): Uint8Array
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array
}

function loadNative(): Secp256k1Backend | undefined {
  let mod: NativeSecp256k1
  try {
    // `secp256k1/bindings` is the addon only; plain `secp256k1` would silently fall back to elliptic.js.
    mod = createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1
  } catch {
    return undefined
  }
  return {
    name: 'native',
    recover(msgHash, rs, yParity) {
      try {
        return mod.ecdsaRecover(rs, yParity, msgHash, false).subarray(1)
      } catch {
        return null
      }
    },
    sign(msgHash, privateKey) {
      const { signature, recid } = mod.ecdsaSign(msgHash, privateKey)
      return { rs: signature, recid }
    },
    publicKey(privateKey) {
      return mod.publicKeyCreate(privateKey, false).subarray(1)
    },
  }
}

/** The pure-JS backend (`@noble/curves`), always available. */
const nobleBackend: Secp256k1Backend = {
  name: 'noble',
  recover(msgHash, rs, yParity) {
    try {
      const recovered = new Uint8Array(65)
      recovered[0] = yParity
      recovered.set(rs, 1)
      // noble returns the compressed key by default; re-serialize uncompressed.
      const pub = noble.recoverPublicKey(recovered, msgHash, { prehash: false })
      return noble.Point.fromBytes(pub).toBytes(false).subarray(1)
    } catch {
      return null
    }
  },
  sign(msgHash, privateKey) {
    const sig = noble.sign(msgHash, privateKey, { prehash: false, format: 'recovered' })
    return { rs: sig.subarray(1, 65), recid: sig[0]! }
  },
  publicKey(privateKey) {
    return noble.getPublicKey(privateKey, false).subarray(1)
  },
}

const nativeBackend = loadNative()

/** Every backend this process can use: `noble` always, `native` when the addon loaded (regardless of the env switch). */
export const secp256k1Backends: { readonly native?: Secp256k1Backend; readonly noble: Secp256k1Backend } = Object.freeze(
  nativeBackend ? { native: nativeBackend, noble: nobleBackend } : { noble: nobleBackend },
)

const active: Secp256k1Backend = process.env.TACHYON_NO_NATIVE_SECP256K1 === '1' || !nativeBackend ? nobleBackend : nativeBackend

/** Which backend this thread uses: `native` (addon) or `noble` (pure JS fallback). */
export const secp256k1Backend: 'native' | 'noble' = active.name

/**
 * Recover the 64-byte uncompressed public key (x ‖ y, no 0x04 prefix) that
 * signed `msgHash`, or null when the signature is invalid (r or s out of
 * range, no point on the curve). Does not enforce low-s; callers that need
 * EIP-2 check `s <= SECP256K1_HALF_N` themselves. `backend` defaults to the active one.
 */
export function recoverPublicKey(msgHash: Uint8Array, r: bigint, s: bigint, yParity: number, backend: Secp256k1Backend = active): Uint8Array | null {
  if (r <= 0n || r >= SECP256K1_N || s <= 0n || s >= SECP256K1_N) return null
  if (yParity !== 0 && yParity !== 1) return null
  if (!(msgHash instanceof Uint8Array) || msgHash.length !== 32) return null
  const sig = new Uint8Array(64)
  writeU256(sig, 0, r)
  writeU256(sig, 32, s)
  return backend.recover(msgHash, sig, yParity)
}

function checkPrivateKey(privateKey: Uint8Array): void {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) throw new KeyError('a private key is 32 bytes')
  const k = bytesToBigInt(privateKey)
  if (k === 0n || k >= SECP256K1_N) throw new KeyError('private key is zero or not below the curve order')
}

/**
 * Sign a 32-byte hash with a 32-byte private key; always returns low-s
 * (RFC 6979 deterministic). Throws `KeyError` for an invalid key.
 */
export function signHash(msgHash: Uint8Array, privateKey: Uint8Array, backend: Secp256k1Backend = active): Signature {
  checkPrivateKey(privateKey)
  if (!(msgHash instanceof Uint8Array) || msgHash.length !== 32) throw new KeyError('the signed message hash must be 32 bytes')
  const { rs, recid } = backend.sign(msgHash, privateKey)
  return { r: bytesToBigInt(rs.subarray(0, 32)), s: bytesToBigInt(rs.subarray(32, 64)), yParity: recid }
}

/** The Ethereum address (20 bytes) of a 64-byte uncompressed public key. */
export function publicKeyToAddress(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey).subarray(12)
}

/** The 64-byte uncompressed public key of a private key; `KeyError` for an invalid key. */
export function privateKeyToPublicKey(privateKey: Uint8Array, backend: Secp256k1Backend = active): Uint8Array {
  checkPrivateKey(privateKey)
  return backend.publicKey(privateKey)
}

/** The Ethereum address of a private key. */
export function privateKeyToAddress(privateKey: Uint8Array): Uint8Array {
  return publicKeyToAddress(privateKeyToPublicKey(privateKey))
}

/**
 * Recover the signer's address from a 64-byte big-endian r ‖ s, without
 * the bigint round trip of `recoverAddress` (the pool's recovery workers
 * read r and s straight from the raw transaction). Null when no key
 * recovers (r or s zero or not below n, no point on the curve); like
 * `recoverPublicKey` it does not enforce low-s.
 */
export function recoverAddressCompact(msgHash: Uint8Array, rs: Uint8Array, yParity: number, backend: Secp256k1Backend = active): Uint8Array | null {
  if (yParity !== 0 && yParity !== 1) return null
  if (!(msgHash instanceof Uint8Array) || msgHash.length !== 32 || !(rs instanceof Uint8Array) || rs.length !== 64) return null
  const pub = backend.recover(msgHash, rs, yParity)
  return pub ? publicKeyToAddress(pub) : null
}

/** Recover the signer's address, or null for an invalid signature. */
export function recoverAddress(msgHash: Uint8Array, r: bigint, s: bigint, yParity: number): Uint8Array | null {
  const pub = recoverPublicKey(msgHash, r, s, yParity)
  return pub ? publicKeyToAddress(pub) : null
}
