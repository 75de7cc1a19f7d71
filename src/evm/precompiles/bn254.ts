/**
 * BN254 (alt_bn128) encoding shared by 0x06-0x08, per EIP-196/197: G1 as
 * x ‖ y (32-byte big-endian each, (0,0) = infinity), G2 as
 * x.imag ‖ x.real ‖ y.imag ‖ y.real (all zero = infinity). Coordinates must be
 * below the field modulus, points on the curve, G2 points in the order-r
 * subgroup. Curve arithmetic is @noble/curves.
 */
import { bn254 } from '@noble/curves/bn254.js'
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js'
import type { Fp2 } from '@noble/curves/abstract/tower.js'
import { toBig, writeBig } from './bigint.js'

/** Base field modulus p. */
export const BN_P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n
/** Group order r. */
export const BN_R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n

/** A G1 point. */
export type G1 = WeierstrassPoint<bigint>
/** A G2 point. */
export type G2 = WeierstrassPoint<Fp2>

const G1P = bn254.G1.Point
const G2P = bn254.G2.Point
const Fp2F = bn254.fields.Fp2

/** Thrown for malformed points; the precompile turns it into a failure. */
export class BnInputError extends Error {}

function isZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false
  return true
}

/** Decode 64 bytes at `off` as a G1 point; throws BnInputError when invalid. */
export function readG1(b: Uint8Array, off: number): G1 {
  if (isZero(b, off, off + 64)) return G1P.ZERO
  const x = toBig(b.subarray(off, off + 32))
  const y = toBig(b.subarray(off + 32, off + 64))
  if (x >= BN_P || y >= BN_P) throw new BnInputError('bn254: coordinate not in field')
  // y^2 = x^3 + 3
  if ((y * y - x * x * x - 3n) % BN_P !== 0n) throw new BnInputError('bn254: G1 point not on curve')
  try {
    return G1P.fromAffine({ x, y })
  } catch {
    throw new BnInputError('bn254: invalid G1 point')
  }
}

/** Decode 128 bytes at `off` as a G2 point (on curve and in the subgroup); throws BnInputError when invalid. */
export function readG2(b: Uint8Array, off: number): G2 {
  if (isZero(b, off, off + 128)) return G2P.ZERO
  const xi = toBig(b.subarray(off, off + 32))
  const xr = toBig(b.subarray(off + 32, off + 64))
  const yi = toBig(b.subarray(off + 64, off + 96))
  const yr = toBig(b.subarray(off + 96, off + 128))
  if (xi >= BN_P || xr >= BN_P || yi >= BN_P || yr >= BN_P) throw new BnInputError('bn254: coordinate not in field')
  try {
    // fromAffine itself rejects some coordinates (e.g. y = 0 with x != 0) by throwing a plain Error
    const p = G2P.fromAffine({ x: Fp2F.fromBigTuple([xr, xi]), y: Fp2F.fromBigTuple([yr, yi]) })
    p.assertValidity() // on curve and torsion-free
    return p
  } catch {
    throw new BnInputError('bn254: invalid G2 point')
  }
}

/** Encode a G1 point as 64 bytes (infinity → zeros). */
export function writeG1(p: G1): Uint8Array {
  const out = new Uint8Array(64)
  if (p.is0()) return out
  const a = p.toAffine()
  writeBig(out, 0, 32, a.x)
  writeBig(out, 32, 32, a.y)
  return out
}

/** G1 addition of two encoded points. */
export function g1Add(a: G1, b: G1): G1 {
  return a.add(b)
}

/** G1 scalar multiplication by any 256-bit scalar (reduced mod r: G1 has prime order). */
export function g1Mul(p: G1, scalar: bigint): G1 {
  const s = scalar % BN_R
  if (s === 0n || p.is0()) return G1P.ZERO
  return p.multiplyUnsafe(s)
}

/** True when the product of pairings e(g1_i, g2_i) is one. Pairs with an infinity member contribute 1. */
export function pairingCheck(pairs: { g1: G1; g2: G2 }[]): boolean {
  const live = pairs.filter((q) => !q.g1.is0() && !q.g2.is0())
  if (live.length === 0) return true
  const f = bn254.pairingBatch(live)
  return bn254.fields.Fp12.eql(f, bn254.fields.Fp12.ONE)
}
