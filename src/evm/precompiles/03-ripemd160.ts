/**
 * 0x03 RIPEMD160: RIPEMD-160 of the whole input, left-padded to 32 bytes.
 * Gas 600 + 120 per 32-byte word. Uses OpenSSL through `node:crypto` when it
 * offers ripemd160 (Node 20 does), else @noble/hashes.
 */
import { createHash, getHashes } from 'node:crypto'
import { ripemd160 as nobleRipemd160 } from '@noble/hashes/legacy.js'
import type { Precompile } from './types.js'
import { charge, OUT_OF_GAS, words } from './util.js'

const HAS_NATIVE = getHashes().includes('ripemd160')

/** RIPEMD-160 digest (20 bytes). */
export function ripemd160Hash(data: Uint8Array): Uint8Array {
  if (HAS_NATIVE) {
    try {
      return createHash('ripemd160').update(data).digest()
    } catch {
      // OpenSSL builds without the legacy digest: fall through.
    }
  }
  return nobleRipemd160(data)
}

/** Gas for RIPEMD160 over `len` bytes. */
export function ripemd160Gas(len: number): bigint {
  return BigInt(600 + 120 * words(len))
}

/** The RIPEMD160 precompile (Frontier). */
export const ripemd160: Precompile = (input, gasLimit) => {
  const gas = ripemd160Gas(input.length)
  if (gas > gasLimit) return OUT_OF_GAS
  const out = new Uint8Array(32)
  out.set(ripemd160Hash(input), 12)
  return charge(gas, gasLimit, out)
}
