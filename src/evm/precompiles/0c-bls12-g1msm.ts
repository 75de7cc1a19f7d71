/**
 * 0x0c BLS12_G1MSM (EIP-2537, Prague): Σ s_i·P_i over k > 0 pairs of
 * (G1 point 128 bytes, scalar 32 bytes). Points must be on the curve and in
 * the subgroup; scalars are any 256-bit value. Gas k × 12000 × discount(k) / 1000.
 */
import type { Precompile } from './types.js'
import { BLS_GAS, G1_MSM_DISCOUNT, guard, msmG1, msmGas, readG1, writeG1, type BlsG1 } from './bls12.js'
import { toBig } from './bigint.js'
import { OUT_OF_GAS, charge } from './util.js'

const PAIR = 160

/** Gas for a G1 MSM of `k` pairs. */
export function blsG1MsmGas(k: number): bigint {
  return msmGas(k, BLS_GAS.g1Mul, G1_MSM_DISCOUNT)
}

/** The BLS12-381 G1 multi-scalar multiplication precompile. */
export const blsG1Msm: Precompile = (input, gasLimit) => {
  const k = Math.floor(input.length / PAIR)
  if (k === 0 || input.length % PAIR !== 0) return { ok: false, reason: 'bls12 g1msm: bad input length' }
  const gas = blsG1MsmGas(k)
  if (gas > gasLimit) return OUT_OF_GAS
  return guard(() => {
    const points: BlsG1[] = []
    const scalars: bigint[] = []
    for (let i = 0; i < k; i++) {
      points.push(readG1(input, i * PAIR, true))
      scalars.push(toBig(input.subarray(i * PAIR + 128, i * PAIR + 160)))
    }
    return charge(gas, gasLimit, writeG1(msmG1(points, scalars)))
  })
}
