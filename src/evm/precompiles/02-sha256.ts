/**
 * 0x02 SHA256: SHA-256 of the whole input. Gas 60 + 12 per 32-byte word.
 */
import { sha256 as sha256Hash } from '../../crypto/sha256.js'
import type { Precompile } from './types.js'
import { charge, OUT_OF_GAS, words } from './util.js'

/** Gas for SHA256 over `len` bytes. */
export function sha256Gas(len: number): bigint {
  return BigInt(60 + 12 * words(len))
}

/** The SHA256 precompile (Frontier). */
export const sha256: Precompile = (input, gasLimit) => {
  const gas = sha256Gas(input.length)
  if (gas > gasLimit) return OUT_OF_GAS
  return charge(gas, gasLimit, sha256Hash(input))
}
