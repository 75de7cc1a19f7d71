/**
 * 0x10 BLS12_MAP_FP_TO_G1 (EIP-2537, Prague): maps one 64-byte field element
 * to a G1 subgroup point (RFC 9380 simplified SWU + 11-isogeny, then cofactor
 * clearing). Input exactly 64 bytes. Gas 5500.
 */
import type { Precompile } from './types.js'
import { BLS_GAS, guard, mapFpToG1, readFp, writeG1 } from './bls12.js'
import { OUT_OF_GAS, charge } from './util.js'

/** The BLS12-381 map-to-G1 precompile. */
export const blsMapFpToG1: Precompile = (input, gasLimit) => {
  const gas = BLS_GAS.mapG1
  if (gas > gasLimit) return OUT_OF_GAS
  if (input.length !== 64) return { ok: false, reason: 'bls12 map fp to g1: input length must be 64' }
  return guard(() => charge(gas, gasLimit, writeG1(mapFpToG1(readFp(input, 0)))))
}
