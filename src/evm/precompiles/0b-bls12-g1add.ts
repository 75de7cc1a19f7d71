/**
 * 0x0b BLS12_G1ADD (EIP-2537, Prague): adds two G1 points. Input exactly 256
 * bytes; points must be on the curve (no subgroup check). Gas 375.
 */
import type { Precompile } from './types.js'
import { BLS_GAS, guard, readG1, writeG1 } from './bls12.js'
import { OUT_OF_GAS, charge } from './util.js'

/** The BLS12-381 G1 addition precompile. */
export const blsG1Add: Precompile = (input, gasLimit) => {
  const gas = BLS_GAS.g1Add
  if (gas > gasLimit) return OUT_OF_GAS
  if (input.length !== 256) return { ok: false, reason: 'bls12 g1add: input length must be 256' }
  return guard(() => charge(gas, gasLimit, writeG1(readG1(input, 0, false).add(readG1(input, 128, false)))))
}
