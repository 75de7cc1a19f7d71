/**
 * 0x0e BLS12_G2MSM (EIP-2537, Prague): Σ s_i·Q_i over k > 0 pairs of
 * (G2 point 256 bytes, scalar 32 bytes). Points must be on the curve and in
 * the subgroup. Gas k × 22500 × discount(k) / 1000.
 */
import type { Precompile } from './types.js'
import { BLS_GAS, G2_MSM_DISCOUNT, guard, msmG2, msmGas, readG2, writeG2, type BlsG2 } from './bls12.js'
import { toBig } from './bigint.js'
import { OUT_OF_GAS, charge } from './util.js'

const PAIR = 288

/** Gas for a G2 MSM of `k` pairs. */
export function blsG2MsmGas(k: number): bigint {
  return msmGas(k, BLS_GAS.g2Mul, G2_MSM_DISCOUNT)
}

/** The BLS12-381 G2 multi-scalar multiplication precompile. */
export const blsG2Msm: Precompile = (input, gasLimit) => {
  const k = Math.floor(input.length / PAIR)
  if (k === 0 || input.length % PAIR !== 0) return { ok: false, reason: 'bls12 g2msm: bad input length' }
  const gas = blsG2MsmGas(k)
  if (gas > gasLimit) return OUT_OF_GAS
  return guard(() => {
    const points: BlsG2[] = []
    const scalars: bigint[] = []
    for (let i = 0; i < k; i++) {
      points.push(readG2(input, i * PAIR, true))
      scalars.push(toBig(input.subarray(i * PAIR + 256, i * PAIR + 288)))
    }
    return charge(gas, gasLimit, writeG2(msmG2(points, scalars)))
  })
}
