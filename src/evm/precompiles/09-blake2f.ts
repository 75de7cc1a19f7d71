/**
 * 0x09 BLAKE2F (EIP-152): the BLAKE2b compression function F with a caller
 * chosen round count. Input is exactly 213 bytes: rounds (u32 big-endian) ‖
 * h (8 × u64 LE) ‖ m (16 × u64 LE) ‖ t (2 × u64 LE) ‖ f (one byte, 0 or 1).
 * Output: the new h (64 bytes). Gas: 1 per round. 64-bit words are kept as
 * (lo, hi) pairs of 32-bit integers so no BigInt is involved.
 */
import type { Precompile } from './types.js'
import { OUT_OF_GAS, charge } from './util.js'

const SIGMA: readonly number[][] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
]
// Flattened and doubled (index of the lo word) for the inner loop.
const SIGMA2: Uint8Array = Uint8Array.from(SIGMA.flat().map((x) => 2 * x))

/** BLAKE2b IV as (lo, hi) 32-bit pairs. */
const IV = Uint32Array.of(
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
  0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
)

/** Exact input length. */
export const BLAKE2F_INPUT_LENGTH = 213

const TWO32 = 4294967296

function readU32LE(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
}

// One mixing step G on v words a, b, c, d (word indices ×2) with message words x, y (lo indices into m).
function g(v: Uint32Array, a: number, b: number, c: number, d: number, m: Uint32Array, x: number, y: number): void {
  let al = v[a]!, ah = v[a + 1]!, bl = v[b]!, bh = v[b + 1]!, cl = v[c]!, ch = v[c + 1]!, dl = v[d]!, dh = v[d + 1]!
  let s = al + bl + m[x]!
  ah = (ah + bh + m[x + 1]! + Math.floor(s / TWO32)) >>> 0
  al = s >>> 0
  // d = rotr64(d ^ a, 32)
  let tl = dl ^ al, th = dh ^ ah
  dl = th >>> 0; dh = tl >>> 0
  s = cl + dl
  ch = (ch + dh + Math.floor(s / TWO32)) >>> 0
  cl = s >>> 0
  // b = rotr64(b ^ c, 24)
  tl = bl ^ cl; th = bh ^ ch
  bl = ((tl >>> 24) | (th << 8)) >>> 0; bh = ((th >>> 24) | (tl << 8)) >>> 0
  s = al + bl + m[y]!
  ah = (ah + bh + m[y + 1]! + Math.floor(s / TWO32)) >>> 0
  al = s >>> 0
  // d = rotr64(d ^ a, 16)
  tl = dl ^ al; th = dh ^ ah
  dl = ((tl >>> 16) | (th << 16)) >>> 0; dh = ((th >>> 16) | (tl << 16)) >>> 0
  s = cl + dl
  ch = (ch + dh + Math.floor(s / TWO32)) >>> 0
  cl = s >>> 0
  // b = rotr64(b ^ c, 63) = rotl64(b ^ c, 1)
  tl = bl ^ cl; th = bh ^ ch
  bl = ((tl << 1) | (th >>> 31)) >>> 0; bh = ((th << 1) | (tl >>> 31)) >>> 0
  v[a] = al; v[a + 1] = ah; v[b] = bl; v[b + 1] = bh; v[c] = cl; v[c + 1] = ch; v[d] = dl; v[d + 1] = dh
}

/**
 * BLAKE2b compression F. `h` (16 u32: lo, hi per word) is updated in place;
 * `m` is 32 u32, `t0`/`t1` the offset counter as (lo, hi) u32 pairs.
 */
export function blake2bCompress(rounds: number, h: Uint32Array, m: Uint32Array, t: Uint32Array, last: boolean): void {
  const v = new Uint32Array(32)
  v.set(h, 0)
  v.set(IV, 16)
  v[24] = v[24]! ^ t[0]!
  v[25] = v[25]! ^ t[1]!
  v[26] = v[26]! ^ t[2]!
  v[27] = v[27]! ^ t[3]!
  if (last) {
    v[28] = ~v[28]!
    v[29] = ~v[29]!
  }
  for (let r = 0; r < rounds; r++) {
    const o = (r % 10) * 16
    const s = SIGMA2
    g(v, 0, 8, 16, 24, m, s[o]!, s[o + 1]!)
    g(v, 2, 10, 18, 26, m, s[o + 2]!, s[o + 3]!)
    g(v, 4, 12, 20, 28, m, s[o + 4]!, s[o + 5]!)
    g(v, 6, 14, 22, 30, m, s[o + 6]!, s[o + 7]!)
    g(v, 0, 10, 20, 30, m, s[o + 8]!, s[o + 9]!)
    g(v, 2, 12, 22, 24, m, s[o + 10]!, s[o + 11]!)
    g(v, 4, 14, 16, 26, m, s[o + 12]!, s[o + 13]!)
    g(v, 6, 8, 18, 28, m, s[o + 14]!, s[o + 15]!)
  }
  for (let i = 0; i < 16; i++) h[i] = h[i]! ^ v[i]! ^ v[i + 16]!
}

/** The BLAKE2F precompile (Istanbul). */
export const blake2f: Precompile = (input, gasLimit) => {
  if (input.length !== BLAKE2F_INPUT_LENGTH) return { ok: false, reason: 'blake2f: input length must be 213' }
  const rounds = ((input[0]! << 24) | (input[1]! << 16) | (input[2]! << 8) | input[3]!) >>> 0
  const gas = BigInt(rounds)
  if (gas > gasLimit) return OUT_OF_GAS
  const f = input[212]!
  if (f !== 0 && f !== 1) return { ok: false, reason: 'blake2f: final flag must be 0 or 1' }
  const h = new Uint32Array(16)
  for (let i = 0; i < 16; i++) h[i] = readU32LE(input, 4 + 4 * i)
  const m = new Uint32Array(32)
  for (let i = 0; i < 32; i++) m[i] = readU32LE(input, 68 + 4 * i)
  const t = new Uint32Array(4)
  for (let i = 0; i < 4; i++) t[i] = readU32LE(input, 196 + 4 * i)
  blake2bCompress(rounds, h, m, t, f === 1)
  const out = new Uint8Array(64)
  for (let i = 0; i < 16; i++) {
    const w = h[i]!
    out[4 * i] = w & 0xff
    out[4 * i + 1] = (w >>> 8) & 0xff
    out[4 * i + 2] = (w >>> 16) & 0xff
    out[4 * i + 3] = w >>> 24
  }
  return charge(gas, gasLimit, out)
}
