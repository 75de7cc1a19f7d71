/**
 * 0x11 BLS12_MAP_FP2_TO_G2 (EIP-2537, Prague): maps one Fp2 element (c0 ‖ c1,
 * 128 bytes) to a G2 subgroup point (simplified SWU + 3-isogeny, then
 * cofactor clearing). Input exactly 128 bytes. Gas 23800.
 */
import type { Precompile } from './types.js'
import { BLS_GAS, guard, mapFp2ToG2, readFp2, writeG2 } from './bls12.js'
import { OUT_OF_GAS, charge } from './util.js'

/** The BLS12-381 map-to-G2 precompile. */
export const blsMapFp2ToG2: Precompile = (input, gasLimit) => {
  const gas = BLS_GAS.mapG2
  if (gas > gasLimit) return OUT_OF_GAS
  if (input.length !== 128) return { ok: false, reason: 'bls12 map fp2 to g2: input length must be 128' }
  return guard(() => charge(gas, gasLimit, writeG2(mapFp2ToG2(readFp2(input, 0)))))
}
