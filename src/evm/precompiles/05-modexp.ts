/**
 * 0x05 MODEXP (EIP-198): base^exp mod m over arbitrary-length big-endian
 * integers. Input: baseLen ‖ expLen ‖ modLen (32-byte words) then base, exp,
 * mod, zero-padded. Output is exactly modLen bytes (m = 0 gives zeros).
 *
 * Pricing: EIP-198 from Byzantium, EIP-2565 from Berlin (Prague keeps it).
 * EIP-7883/EIP-7823 (Osaka: new pricing, 1024-byte length cap) are provided
 * as `modexpOsaka` and the 'eip7883' schedule, but no fork in `Fork` selects
 * them yet.
 */
import { forkAtLeast } from '../../eth/fork.js'
import type { Fork } from '../../eth/fork.js'
import type { Precompile, PrecompileResult } from './types.js'
import { bitLength, fromBig, toBig } from './bigint.js'
import { OUT_OF_GAS, charge, padded } from './util.js'

/** Modexp gas schedules. */
export type ModexpSchedule = 'eip198' | 'eip2565' | 'eip7883'

/** Lengths decoded from the 96-byte header. */
interface Header {
  bLen: bigint
  eLen: bigint
  mLen: bigint
}

function header(input: Uint8Array): Header {
  return { bLen: toBig(padded(input, 0, 32)), eLen: toBig(padded(input, 32, 32)), mLen: toBig(padded(input, 64, 32)) }
}

/** EIP-198 multiplication complexity. */
function complexity198(x: bigint): bigint {
  if (x <= 64n) return x * x
  if (x <= 1024n) return (x * x) / 4n + 96n * x - 3072n
  return (x * x) / 16n + 480n * x - 199680n
}

/** The adjusted exponent length ("iteration count" before the max(…,1)). */
function adjustedExpLen(input: Uint8Array, h: Header, perByte: bigint): bigint {
  const start = 96n + h.bLen
  const headLen = h.eLen < 32n ? Number(h.eLen) : 32
  let head = 0n
  if (headLen > 0 && start < BigInt(input.length)) head = toBig(padded(input, Number(start), headLen))
  const bits = BigInt(bitLength(head))
  const headPart = bits > 0n ? bits - 1n : 0n
  if (h.eLen <= 32n) return headPart
  return perByte * (h.eLen - 32n) + headPart
}

function gasFor(input: Uint8Array, h: Header, schedule: ModexpSchedule): bigint {
  const maxLen = h.bLen > h.mLen ? h.bLen : h.mLen
  let adj = adjustedExpLen(input, h, schedule === 'eip7883' ? 16n : 8n)
  if (adj < 1n) adj = 1n
  if (schedule === 'eip198') return (complexity198(maxLen) * adj) / 20n
  const w = (maxLen + 7n) / 8n
  if (schedule === 'eip2565') {
    const g = (w * w * adj) / 3n
    return g < 200n ? 200n : g
  }
  const g = (maxLen > 32n ? 2n * w * w : 16n) * adj
  return g < 500n ? 500n : g
}

/** Gas MODEXP charges for `input` under `schedule`. */
export function modexpGas(input: Uint8Array, schedule: ModexpSchedule): bigint {
  return gasFor(input, header(input), schedule)
}

/** The schedule a fork uses. */
export function modexpSchedule(fork: Fork): ModexpSchedule {
  return forkAtLeast(fork, 'Berlin') ? 'eip2565' : 'eip198'
}

/** base^exp mod m for m > 1 (square-and-multiply; 4-bit fixed window for long exponents). */
export function modPow(base: bigint, exp: Uint8Array, m: bigint): bigint {
  let b = base % m
  // skip leading zero bytes
  let i = 0
  while (i < exp.length && exp[i] === 0) i++
  if (i === exp.length) return 1n % m
  if (b === 0n) return 0n
  if (b === 1n) return 1n
  const n = exp.length - i
  if (n <= 8) {
    let r = 1n
    let started = false
    for (; i < exp.length; i++) {
      const byte = exp[i]!
      for (let bit = 7; bit >= 0; bit--) {
        if (started) r = (r * r) % m
        if ((byte >> bit) & 1) {
          r = started ? (r * b) % m : b
          started = true
        }
      }
    }
    return r
  }
  const table: bigint[] = new Array<bigint>(16)
  table[0] = 1n
  table[1] = b
  for (let k = 2; k < 16; k++) table[k] = (table[k - 1]! * b) % m
  let r = 1n
  let started = false
  for (; i < exp.length; i++) {
    const byte = exp[i]!
    for (const nib of [byte >> 4, byte & 15]) {
      if (started) {
        r = (r * r) % m
        r = (r * r) % m
        r = (r * r) % m
        r = (r * r) % m
        if (nib !== 0) r = (r * table[nib]!) % m
      } else if (nib !== 0) {
        r = table[nib]!
        started = true
      }
    }
  }
  return r
}

// Guard for lengths we would have to allocate; any real call above it is out of gas first.
const MAX_LEN = 0x7fffffffn

function run(input: Uint8Array, gasLimit: bigint, schedule: ModexpSchedule): PrecompileResult {
  const h = header(input)
  const gas = gasFor(input, h, schedule)
  if (gas > gasLimit) return OUT_OF_GAS
  if (schedule === 'eip7883') {
    if (h.bLen > 1024n || h.eLen > 1024n || h.mLen > 1024n) return { ok: false, reason: 'modexp input too large (EIP-7823)' }
  } else if (h.bLen === 0n && h.mLen === 0n) {
    return charge(gas, gasLimit, new Uint8Array(0))
  }
  if (h.mLen === 0n) return charge(gas, gasLimit, new Uint8Array(0))
  if (h.bLen > MAX_LEN || h.eLen > MAX_LEN || h.mLen > MAX_LEN) return OUT_OF_GAS
  const bLen = Number(h.bLen)
  const eLen = Number(h.eLen)
  const mLen = Number(h.mLen)
  const m = toBig(padded(input, 96 + bLen + eLen, mLen))
  if (m <= 1n) return charge(gas, gasLimit, new Uint8Array(mLen))
  const base = toBig(padded(input, 96, bLen))
  const r = modPow(base, padded(input, 96 + bLen, eLen), m)
  return charge(gas, gasLimit, fromBig(r, mLen))
}

/** The MODEXP precompile (Byzantium; EIP-2565 pricing from Berlin). */
export const modexp: Precompile = (input, gasLimit, fork) => run(input, gasLimit, modexpSchedule(fork))

/** MODEXP with Osaka rules (EIP-7883 pricing, EIP-7823 1024-byte limits); not wired to a fork yet. */
export const modexpOsaka: Precompile = (input, gasLimit) => run(input, gasLimit, 'eip7883')
