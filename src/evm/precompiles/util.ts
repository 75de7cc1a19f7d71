/**
 * Small helpers shared by the precompiles: gas accounting against the call's
 * limit, word counts, and zero-padded reads of call data (precompiles treat
 * missing input bytes as zeros).
 */
import type { PrecompileResult } from './types.js'

/** Failure result that consumes all gas (the interpreter charges the whole limit). */
export function fail(reason: string): PrecompileResult {
  return { ok: false, reason }
}

/** Shared out-of-gas failure. */
export const OUT_OF_GAS: PrecompileResult = { ok: false, reason: 'out of gas' }

/** Success when `gasUsed` fits in `gasLimit`, else out of gas. */
export function charge(gasUsed: bigint, gasLimit: bigint, output: Uint8Array): PrecompileResult {
  if (gasUsed > gasLimit) return OUT_OF_GAS
  return { ok: true, gasUsed, output }
}

/** Number of 32-byte words needed for `len` bytes, rounded up. */
export function words(len: number): number {
  return Math.ceil(len / 32)
}

/** `input[offset, offset+len)` with bytes past the end of input read as zero. Copies only when padding is needed. */
export function padded(input: Uint8Array, offset: number, len: number): Uint8Array {
  if (offset + len <= input.length) return input.subarray(offset, offset + len)
  const out = new Uint8Array(len)
  if (offset < input.length) out.set(input.subarray(offset), 0)
  return out
}

/** True when `b[from, to)` are all zero. */
export function isZeroRange(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false
  return true
}
