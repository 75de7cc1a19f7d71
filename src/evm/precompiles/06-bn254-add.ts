/**
 * 0x06 BN254 ECADD (EIP-196): adds two G1 points. Input zero-padded to 128
 * bytes; invalid points fail (all gas consumed). Gas 500 (Byzantium), 150
 * from Istanbul (EIP-1108).
 */
import { forkAtLeast } from '../../eth/fork.js'
import type { Precompile } from './types.js'
import { BnInputError, readG1, writeG1 } from './bn254.js'
import { OUT_OF_GAS, charge, padded } from './util.js'

/** ECADD gas for a fork. */
export function bn254AddGas(istanbul: boolean): bigint {
  return istanbul ? 150n : 500n
}

/** The BN254 ECADD precompile (Byzantium). */
export const bn254Add: Precompile = (input, gasLimit, fork) => {
  const gas = bn254AddGas(forkAtLeast(fork, 'Istanbul'))
  if (gas > gasLimit) return OUT_OF_GAS
  const data = padded(input, 0, 128)
  try {
    const p = readG1(data, 0)
    const q = readG1(data, 64)
    return charge(gas, gasLimit, writeG1(p.add(q)))
  } catch (e) {
    if (e instanceof BnInputError) return { ok: false, reason: e.message }
    throw e
  }
}
