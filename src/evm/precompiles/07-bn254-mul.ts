/**
 * 0x07 BN254 ECMUL (EIP-196): multiplies a G1 point by a 256-bit scalar.
 * Input zero-padded to 96 bytes; invalid points fail (all gas consumed).
 * Gas 40000 (Byzantium), 6000 from Istanbul (EIP-1108).
 */
import { forkAtLeast } from '../../eth/fork.js'
import type { Precompile } from './types.js'
import { BnInputError, g1Mul, readG1, writeG1 } from './bn254.js'
import { toBig } from './bigint.js'
import { OUT_OF_GAS, charge, padded } from './util.js'

/** ECMUL gas for a fork. */
export function bn254MulGas(istanbul: boolean): bigint {
  return istanbul ? 6000n : 40000n
}

/** The BN254 ECMUL precompile (Byzantium). */
export const bn254Mul: Precompile = (input, gasLimit, fork) => {
  const gas = bn254MulGas(forkAtLeast(fork, 'Istanbul'))
  if (gas > gasLimit) return OUT_OF_GAS
  const data = padded(input, 0, 96)
  try {
    const p = readG1(data, 0)
    return charge(gas, gasLimit, writeG1(g1Mul(p, toBig(data.subarray(64, 96)))))
  } catch (e) {
    if (e instanceof BnInputError) return { ok: false, reason: e.message }
    throw e
  }
}
