/**
 * 0x0f BLS12_PAIRING_CHECK (EIP-2537, Prague): k > 0 pairs of (G1 128 bytes,
 * G2 256 bytes), all on the curve and in the subgroup (infinity allowed).
 * Returns a 32-byte 1 when Π e(P_i, Q_i) = 1, else 0. Gas 32600k + 37700.
 */
import type { Precompile } from './types.js'
import { BLS_GAS, blsPairingCheck, guard, readG1, readG2, type BlsG1, type BlsG2 } from './bls12.js'
import { OUT_OF_GAS, charge } from './util.js'

const PAIR = 384

/** Gas for a pairing check over `k` pairs. */
export function blsPairingGas(k: number): bigint {
  return BLS_GAS.pairingBase + BLS_GAS.pairingPerPair * BigInt(k)
}

/** The BLS12-381 pairing check precompile. */
export const blsPairing: Precompile = (input, gasLimit) => {
  const k = Math.floor(input.length / PAIR)
  if (k === 0 || input.length % PAIR !== 0) return { ok: false, reason: 'bls12 pairing: bad input length' }
  const gas = blsPairingGas(k)
  if (gas > gasLimit) return OUT_OF_GAS
  return guard(() => {
    const pairs: { g1: BlsG1; g2: BlsG2 }[] = []
    for (let i = 0; i < k; i++) pairs.push({ g1: readG1(input, i * PAIR, true), g2: readG2(input, i * PAIR + 128, true) })
    const out = new Uint8Array(32)
    if (blsPairingCheck(pairs)) out[31] = 1
    return charge(gas, gasLimit, out)
  })
}
