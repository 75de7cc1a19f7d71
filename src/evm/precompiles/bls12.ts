/**
 * BLS12-381 encoding and arithmetic shared by the EIP-2537 precompiles
 * (0x0b-0x11): field elements are 64 bytes big-endian whose top 16 bytes
 * must be zero and whose value must be below p; G1 = x ‖ y (128 bytes), G2 =
 * x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1 (256 bytes); all zeros is the point at infinity.
 * Points must be on the curve; the subgroup check is requested per call
 * (MSM and pairing need it, addition does not). Curve math: @noble/curves.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { mulAddUnsafe, pippenger } from '@noble/curves/abstract/curve.js'
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js'
import type { Fp2 } from '@noble/curves/abstract/tower.js'
import { toBig, writeBig } from './bigint.js'

/** Base field modulus p. */
export const BLS_P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn
/** Subgroup order q (the scalar field). */
export const BLS_Q = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n

/** A G1 point. */
export type BlsG1 = WeierstrassPoint<bigint>
/** A G2 point. */
export type BlsG2 = WeierstrassPoint<Fp2>

const G1P = bls12_381.G1.Point
const G2P = bls12_381.G2.Point
const F2 = bls12_381.fields.Fp2
const G2_B = G2P.CURVE().b

/** Thrown for malformed input; precompiles turn it into a failure. */
export class BlsInputError extends Error {}

/** Gas per EIP-2537 operation (Prague). */
export const BLS_GAS = {
  g1Add: 375n,
  g1Mul: 12000n,
  g2Add: 600n,
  g2Mul: 22500n,
  pairingBase: 37700n,
  pairingPerPair: 32600n,
  mapG1: 5500n,
  mapG2: 23800n,
} as const

/** EIP-2537 G1 MSM discounts (per mille) for k = 1..128; larger k uses the last entry. */
export const G1_MSM_DISCOUNT: readonly number[] = [
  1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665, 661, 658, 654, 651, 648, 645, 642,
  640, 637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615, 613, 611, 609, 608, 606, 604, 603, 601, 599, 598, 596, 595, 593, 592,
  591, 589, 588, 586, 585, 584, 582, 581, 580, 579, 577, 576, 575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563, 562, 561,
  560, 559, 558, 557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545, 544, 543, 542, 541, 540, 540, 539, 538, 537,
  536, 536, 535, 534, 533, 532, 532, 531, 530, 529, 528, 528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519,
]

/** EIP-2537 G2 MSM discounts (per mille) for k = 1..128; larger k uses the last entry. */
export const G2_MSM_DISCOUNT: readonly number[] = [
  1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704, 699, 693, 688, 683, 679, 674, 670, 666,
  663, 659, 655, 652, 649, 646, 643, 640, 637, 634, 632, 629, 627, 624, 622, 620, 618, 615, 613, 611, 609, 607, 606, 604, 602, 600,
  598, 597, 595, 593, 592, 590, 589, 587, 586, 584, 583, 582, 580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568, 567, 566, 565,
  563, 562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549, 548, 547, 546, 545, 545, 544, 543, 542, 541, 541,
  540, 539, 538, 537, 537, 536, 535, 535, 534, 533, 532, 532, 531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524,
]

/** MSM gas: k × mulCost × discount(k) / 1000. */
export function msmGas(k: number, mulCost: bigint, table: readonly number[]): bigint {
  if (k === 0) return 0n
  const d = table[Math.min(k, table.length) - 1]!
  return (BigInt(k) * mulCost * BigInt(d)) / 1000n
}

function isZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false
  return true
}

/** Decode a 64-byte field element at `off` (top 16 bytes zero, value < p). */
export function readFp(b: Uint8Array, off: number): bigint {
  if (!isZero(b, off, off + 16)) throw new BlsInputError('bls12-381: field element top 16 bytes not zero')
  const v = toBig(b.subarray(off + 16, off + 64))
  if (v >= BLS_P) throw new BlsInputError('bls12-381: field element not below modulus')
  return v
}

/** Decode a 128-byte field element pair (c0 ‖ c1) at `off` as Fp2. */
export function readFp2(b: Uint8Array, off: number): Fp2 {
  return F2.fromBigTuple([readFp(b, off), readFp(b, off + 64)])
}

/** Decode a G1 point (128 bytes at `off`); checks the curve equation and, when `subgroup`, the order-q subgroup. */
export function readG1(b: Uint8Array, off: number, subgroup: boolean): BlsG1 {
  const x = readFp(b, off)
  const y = readFp(b, off + 64)
  if (x === 0n && y === 0n) return G1P.ZERO
  if ((y * y - x * x * x - 4n) % BLS_P !== 0n) throw new BlsInputError('bls12-381: G1 point not on curve')
  const p = G1P.fromAffine({ x, y })
  if (subgroup && !p.isTorsionFree()) throw new BlsInputError('bls12-381: G1 point not in subgroup')
  return p
}

/** Decode a G2 point (256 bytes at `off`); checks the curve equation and, when `subgroup`, the order-q subgroup. */
export function readG2(b: Uint8Array, off: number, subgroup: boolean): BlsG2 {
  const x = readFp2(b, off)
  const y = readFp2(b, off + 128)
  if (F2.is0(x) && F2.is0(y)) return G2P.ZERO
  const rhs = F2.add(F2.mul(F2.sqr(x), x), G2_B)
  if (!F2.eql(F2.sqr(y), rhs)) throw new BlsInputError('bls12-381: G2 point not on curve')
  const p = G2P.fromAffine({ x, y })
  if (subgroup && !p.isTorsionFree()) throw new BlsInputError('bls12-381: G2 point not in subgroup')
  return p
}

/** Encode a G1 point as 128 bytes (infinity → zeros). */
export function writeG1(p: BlsG1): Uint8Array {
  const out = new Uint8Array(128)
  if (p.is0()) return out
  const a = p.toAffine()
  writeBig(out, 16, 48, a.x)
  writeBig(out, 80, 48, a.y)
  return out
}

/** Encode a G2 point as 256 bytes (infinity → zeros). */
export function writeG2(p: BlsG2): Uint8Array {
  const out = new Uint8Array(256)
  if (p.is0()) return out
  const a = p.toAffine()
  writeBig(out, 16, 48, a.x.c0)
  writeBig(out, 80, 48, a.x.c1)
  writeBig(out, 144, 48, a.y.c0)
  writeBig(out, 208, 48, a.y.c1)
  return out
}

/** Σ scalars[i]·points[i] for subgroup points (scalars any size; reduced mod q). */
export function msmG1(points: BlsG1[], scalars: bigint[]): BlsG1 {
  const [ps, ss] = nonZero(points, scalars)
  if (ps.length === 0) return G1P.ZERO
  if (ps.length === 1) return ps[0]!.multiplyUnsafe(ss[0]!)
  return ps.length <= 8 ? mulAddUnsafe(G1P, ps, ss) : pippenger(G1P, ps, ss)
}

/** Σ scalars[i]·points[i] over G2 (see msmG1). */
export function msmG2(points: BlsG2[], scalars: bigint[]): BlsG2 {
  const [ps, ss] = nonZero(points, scalars)
  if (ps.length === 0) return G2P.ZERO
  if (ps.length === 1) return ps[0]!.multiplyUnsafe(ss[0]!)
  return ps.length <= 8 ? mulAddUnsafe(G2P, ps, ss) : pippenger(G2P, ps, ss)
}

function nonZero<P extends { is0(): boolean }>(points: P[], scalars: bigint[]): [P[], bigint[]] {
  const ps: P[] = []
  const ss: bigint[] = []
  for (let i = 0; i < points.length; i++) {
    const s = scalars[i]! % BLS_Q
    if (s === 0n || points[i]!.is0()) continue
    ps.push(points[i]!)
    ss.push(s)
  }
  return [ps, ss]
}

/** The G1 identity. */
export const BLS_G1_ZERO: BlsG1 = G1P.ZERO
/** The G2 identity. */
export const BLS_G2_ZERO: BlsG2 = G2P.ZERO

/** True when Π e(g1_i, g2_i) = 1 (subgroup points; pairs with an infinity member contribute 1). */
export function blsPairingCheck(pairs: { g1: BlsG1; g2: BlsG2 }[]): boolean {
  const live = pairs.filter((q) => !q.g1.is0() && !q.g2.is0())
  if (live.length === 0) return true
  return bls12_381.fields.Fp12.eql(bls12_381.pairingBatch(live), bls12_381.fields.Fp12.ONE)
}

// At runtime noble's hasher mapToCurve takes a bare bigint for G1 (m = 1) and returns the
// cofactor-cleared projective point; its declared type (bigint[] → affine) does not say so.
const mapG1 = bls12_381.G1.mapToCurve as unknown as (u: bigint) => BlsG1
const mapG2 = bls12_381.G2.mapToCurve as unknown as (u: bigint[]) => BlsG2

/** EIP-2537 MAP_FP_TO_G1: simplified SWU map plus isogeny, then cofactor clearing. */
export function mapFpToG1(u: bigint): BlsG1 {
  return mapG1(u)
}

/** EIP-2537 MAP_FP2_TO_G2: simplified SWU map plus isogeny, then cofactor clearing. */
export function mapFp2ToG2(u: Fp2): BlsG2 {
  return mapG2([u.c0, u.c1])
}

/** Run `f`, turning a BlsInputError into a failure result. */
export function guard<T>(f: () => T): T | { ok: false; reason: string } {
  try {
    return f()
  } catch (e) {
    if (e instanceof BlsInputError) return { ok: false, reason: e.message }
    throw e
  }
}
