/**
 * 0x08 BN254 pairing check (EIP-197): input is k pairs of (G1 64 bytes,
 * G2 128 bytes); the length must be a multiple of 192. Returns a 32-byte 1
 * when the product of the pairings is the identity, else 0; empty input
 * returns 1. Gas 100000 + 80000k (Byzantium), 45000 + 34000k from Istanbul.
 */
import { forkAtLeast } from '../../eth/fork.js'
import type { Precompile } from './types.js'
import { BnInputError, pairingCheck, readG1, readG2, type G1, type G2 } from './bn254.js'
import { OUT_OF_GAS, charge } from './util.js'

/** Pairing gas for `pairs` pairs. */
export function bn254PairingGas(pairs: number, istanbul: boolean): bigint {
  return istanbul ? 45000n + 34000n * BigInt(pairs) : 100000n + 80000n * BigInt(pairs)
}

/** The BN254 pairing precompile (Byzantium). */
export const bn254Pairing: Precompile = (input, gasLimit, fork) => {
  const k = Math.floor(input.length / 192)
  const gas = bn254PairingGas(k, forkAtLeast(fork, 'Istanbul'))
  if (gas > gasLimit) return OUT_OF_GAS
  if (input.length % 192 !== 0) return { ok: false, reason: 'bn254 pairing: input length not a multiple of 192' }
  const pairs: { g1: G1; g2: G2 }[] = []
  try {
    for (let i = 0; i < k; i++) pairs.push({ g1: readG1(input, i * 192), g2: readG2(input, i * 192 + 64) })
  } catch (e) {
    if (e instanceof BnInputError) return { ok: false, reason: e.message }
    throw e
  }
  const out = new Uint8Array(32)
  if (pairingCheck(pairs)) out[31] = 1
  return charge(gas, gasLimit, out)
}
