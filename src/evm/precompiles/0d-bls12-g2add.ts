/**
 * 0x0d BLS12_G2ADD (EIP-2537, Prague): adds two G2 points. Input exactly 512
 * bytes; points must be on the curve (no subgroup check). Gas 600.
 */
import type { Precompile } from './types.js'
import { BLS_GAS, guard, readG2, writeG2 } from './bls12.js'
import { OUT_OF_GAS, charge } from './util.js'

/** The BLS12-381 G2 addition precompile. */
export const blsG2Add: Precompile = (input, gasLimit) => {
  const gas = BLS_GAS.g2Add
  if (gas > gasLimit) return OUT_OF_GAS
  if (input.length !== 512) return { ok: false, reason: 'bls12 g2add: input length must be 512' }
  return guard(() => charge(gas, gasLimit, writeG2(readG2(input, 0, false).add(readG2(input, 256, false)))))
}
