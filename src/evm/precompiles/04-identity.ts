/**
 * 0x04 IDENTITY: returns a copy of its input. Gas 15 + 3 per 32-byte word.
 */
import type { Precompile } from './types.js'
import { charge, OUT_OF_GAS, words } from './util.js'

/** Gas for IDENTITY over `len` bytes. */
export function identityGas(len: number): bigint {
  return BigInt(15 + 3 * words(len))
}

/** The IDENTITY precompile (Frontier). */
export const identity: Precompile = (input, gasLimit) => {
  const gas = identityGas(input.length)
  if (gas > gasLimit) return OUT_OF_GAS
  return charge(gas, gasLimit, input.slice())
}
