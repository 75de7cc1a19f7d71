/**
 * 0x01 ECRECOVER: recovers the signer address of a secp256k1 signature.
 * Input (zero-padded to 128 bytes): hash ‖ v ‖ r ‖ s, each a 32-byte word.
 * v must be exactly 27 or 28 as a whole word; r and s must lie in [1, n-1]
 * (no low-s rule here). Any invalid input yields empty output with the
 * 3000 gas still charged. Output: the address left-padded to 32 bytes.
 */
import { recoverAddress } from '../../crypto/secp256k1.js'
import { bytesToBigInt, EMPTY_BYTES } from '../../primitives/bytes.js'
import type { Precompile } from './types.js'
import { charge, isZeroRange, padded } from './util.js'

/** Fixed cost of ECRECOVER. */
export const ECRECOVER_GAS = 3000n

/** The ECRECOVER precompile (Frontier). */
export const ecrecover: Precompile = (input, gasLimit) => {
  if (ECRECOVER_GAS > gasLimit) return { ok: false, reason: 'out of gas' }
  const data = padded(input, 0, 128)
  // v: 31 zero bytes then 27 or 28.
  const v = data[63]!
  if (!isZeroRange(data, 32, 63) || (v !== 27 && v !== 28)) return charge(ECRECOVER_GAS, gasLimit, EMPTY_BYTES)
  const r = bytesToBigInt(data.subarray(64, 96))
  const s = bytesToBigInt(data.subarray(96, 128))
  // recoverAddress range-checks r and s and returns null on any failure.
  const addr = recoverAddress(data.slice(0, 32), r, s, v - 27)
  if (!addr) return charge(ECRECOVER_GAS, gasLimit, EMPTY_BYTES)
  const out = new Uint8Array(32)
  out.set(addr, 12)
  return charge(ECRECOVER_GAS, gasLimit, out)
}
