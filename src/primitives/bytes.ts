/**
 * Byte-array helpers shared by every layer: concatenation, comparison and
 * big-endian integer conversion. Kept allocation-light: callers on hot paths
 * pass preallocated buffers where a variant allows it.
 */
import { RangeError256 } from './errors.js'

/** An empty byte array, shared (never write to it). */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0)

/** Concatenate byte arrays into a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lexicographic comparison: negative, zero or positive like `Array.sort` expects. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** Interpret bytes as an unsigned big-endian integer. */
export function bytesToBigInt(b: Uint8Array): bigint {
  let v = 0n
  let i = 0
  // 6 bytes at a time keeps each step inside a safe integer.
  for (; i + 6 <= b.length; i += 6) {
    v = (v << 48n) | BigInt(b[i]! * 0x10000000000 + b[i + 1]! * 0x100000000 + ((b[i + 2]! << 24) >>> 0) + (b[i + 3]! << 16) + (b[i + 4]! << 8) + b[i + 5]!)
  }
  for (; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!)
  return v
}

/** Encode an unsigned bigint big-endian into exactly `size` bytes (left-padded). */
export function bigIntToBytes(v: bigint, size: number): Uint8Array {
  if (v < 0n) throw new RangeError256(`negative value ${v}`)
  const out = new Uint8Array(size)
  let x = v
  for (let i = size - 1; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  if (x > 0n) throw new RangeError256(`value does not fit in ${size} bytes`)
  return out
}

/** Write an unsigned bigint big-endian into `out[offset..offset+32)`. */
export function writeU256(out: Uint8Array, offset: number, v: bigint): void {
  let x = v
  for (let i = offset + 31; i >= offset; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
}

/** Minimal big-endian encoding of an unsigned integer (zero is the empty array), as RLP wants. */
export function bigIntToMinimalBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError256(`negative value ${v}`)
  if (v <= 0x1fffffffffffffn) return safeToMinimalBytes(Number(v))
  // Above 2^53: go through hex, decoding nibble pairs by char code.
  const hex = v.toString(16)
  const odd = hex.length & 1
  const out = new Uint8Array((hex.length + odd) >> 1)
  let j = 0
  let i = 0
  if (odd) out[i++] = nibbleOf(hex.charCodeAt(j++))
  for (; i < out.length; i++, j += 2) out[i] = (nibbleOf(hex.charCodeAt(j)) << 4) | nibbleOf(hex.charCodeAt(j + 1))
  return out
}

/** Value of a lower-case hex digit as produced by `toString(16)`. */
function nibbleOf(c: number): number {
  return c <= 57 ? c - 48 : c - 87
}

/** Minimal bytes of a non-negative safe integer, without BigInt. */
function safeToMinimalBytes(v: number): Uint8Array {
  if (v === 0) return EMPTY_BYTES
  let n = 1
  // Count bytes with division: bit operators would truncate above 2^32.
  for (let x = v; x >= 256; x = Math.floor(x / 256)) n++
  const out = new Uint8Array(n)
  for (let i = n - 1; i >= 0; i--) {
    out[i] = v % 256
    v = Math.floor(v / 256)
  }
  return out
}

/** Minimal big-endian encoding of a safe non-negative integer. */
export function numberToMinimalBytes(v: number): Uint8Array {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError256(`not a non-negative safe integer: ${v}`)
  return safeToMinimalBytes(v)
}

/** Interpret bytes as a big-endian unsigned safe integer; throws when it does not fit. */
export function bytesToNumber(b: Uint8Array): number {
  if (b.length > 7) {
    const v = bytesToBigInt(b)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError256('integer too large for a number')
    return Number(v)
  }
  let v = 0
  for (let i = 0; i < b.length; i++) v = v * 256 + b[i]!
  if (v > Number.MAX_SAFE_INTEGER) throw new RangeError256('integer too large for a number')
  return v
}
