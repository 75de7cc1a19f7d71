/**
 * Hex <-> bytes and hex <-> integer conversion with checked parsing.
 * Hex is the wire format of JSON-RPC and of the test fixtures, so every parse
 * validates its input and throws `HexError` with the reason.
 */
import { HexError } from './errors.js'

/** A `0x`-prefixed hex string. */
export type Hex = `0x${string}`

const HEX_CHARS = '0123456789abcdef'

/** Nibble value of an ASCII char code, or -1 when it is not a hex digit. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

/** At or above this many bytes, hex encoding goes through Node's native `Buffer` codec (measured crossover). */
const NATIVE_HEX_MIN = 48

/** ASCII codes of the two hex digits of each byte value. */
const HEX_DIGIT_CODES = new Uint8Array(512)
for (let i = 0; i < 256; i++) {
  HEX_DIGIT_CODES[2 * i] = HEX_CHARS.charCodeAt(i >> 4)
  HEX_DIGIT_CODES[2 * i + 1] = HEX_CHARS.charCodeAt(i & 15)
}
/**
 * Short encodings write their ASCII digits here and read them back as one
 * flat string: a `+=` loop built a rope of one cons string per byte, which
 * a Map keeps whole when the string is a key (~900 bytes for a 32-byte hash,
 * ~2x slower to build and look up; addresses and hashes are the node's most
 * common map keys). Synchronous use only.
 */
const HEX_SCRATCH = Buffer.alloc(2 + 2 * NATIVE_HEX_MIN)
HEX_SCRATCH[0] = 0x30 // '0'
HEX_SCRATCH[1] = 0x78 // 'x'

/** Short hex through HEX_SCRATCH; `prefix` keeps the leading `0x`. */
function shortHex(bytes: Uint8Array, prefix: boolean): string {
  const s = HEX_SCRATCH
  const c = HEX_DIGIT_CODES
  for (let i = 0, o = 2; i < bytes.length; i++, o += 2) {
    const b = bytes[i]!
    s[o] = c[2 * b]!
    s[o + 1] = c[2 * b + 1]!
  }
  return s.toString('latin1', prefix ? 0 : 2, 2 + 2 * bytes.length)
}

/** Encode bytes as lower-case `0x` hex. */
export function bytesToHex(bytes: Uint8Array): Hex {
  if (bytes.length >= NATIVE_HEX_MIN) return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`
  return shortHex(bytes, true) as Hex
}

/** Encode bytes as lower-case hex without the `0x` prefix. */
export function bytesToHexRaw(bytes: Uint8Array): string {
  if (bytes.length >= NATIVE_HEX_MIN) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
  return shortHex(bytes, false)
}

/**
 * Decode `0x`-prefixed hex into bytes. Throws `HexError` on a missing prefix,
 * odd length, bad character, or (when `size` is given) a length other than `size`.
 */
export function hexToBytes(hex: string, size?: number): Uint8Array {
  if (typeof hex !== 'string') throw new HexError(`expected a hex string, got ${typeof hex}`)
  if (hex.length < 2 || hex[0] !== '0' || (hex[1] !== 'x' && hex[1] !== 'X')) throw new HexError(`hex string must start with 0x: ${abbreviate(hex)}`)
  return hexBodyToBytes(hex, 2, size)
}

/** Decode hex that may or may not carry a `0x` prefix (fixture files use both). */
export function looseHexToBytes(hex: string, size?: number): Uint8Array {
  if (typeof hex !== 'string') throw new HexError(`expected a hex string, got ${typeof hex}`)
  const start = hex.length >= 2 && hex[0] === '0' && (hex[1] === 'x' || hex[1] === 'X') ? 2 : 0
  return hexBodyToBytes(hex, start, size)
}

/** At or above this many bytes, hex decoding validates with a regex and decodes with `Buffer` (measured crossover). */
const NATIVE_HEX_DECODE_MIN = 128
const HEX_BODY = /^[0-9a-fA-F]*$/

/** Char code (0..255) -> nibble value, or 0x100 for anything that is not a hex digit. */
const NIBBLE = new Uint16Array(256).fill(0x100)
for (let c = 0; c < 256; c++) {
  const v = nibble(c)
  if (v >= 0) NIBBLE[c] = v
}

function hexBodyToBytes(hex: string, start: number, size: number | undefined): Uint8Array {
  const len = hex.length - start
  if (len % 2 !== 0) throw new HexError(`hex string has odd length ${len}: ${abbreviate(hex)}`)
  const n = len / 2
  if (size !== undefined && n !== size) throw new HexError(`expected ${size} bytes, got ${n}: ${abbreviate(hex)}`)
  const out = new Uint8Array(n)
  if (n >= NATIVE_HEX_DECODE_MIN) {
    // Long input: validate with one regex (Buffer's decoder silently truncates
    // char codes above 0xff and stops at the first bad digit), then decode natively.
    const body = start === 0 ? hex : hex.slice(start)
    if (HEX_BODY.test(body) && Buffer.from(out.buffer, out.byteOffset, n).write(body, 'hex') === n) return out
    throw new HexError(`invalid hex character at position ${firstBadHex(hex, start)}: ${abbreviate(hex)}`)
  }
  // Branch-free loop: invalid digits and char codes above 0xff set bits above 0xff in `bad`;
  // only then do we rescan for the position to report.
  let bad = 0
  for (let i = 0, j = start; i < n; i++, j += 2) {
    const c1 = hex.charCodeAt(j)
    const c2 = hex.charCodeAt(j + 1)
    const hi = NIBBLE[c1 & 0xff]!
    const lo = NIBBLE[c2 & 0xff]!
    bad |= hi | lo | ((c1 | c2) & 0xff00)
    out[i] = (hi << 4) | lo
  }
  if (bad > 0xff) throw new HexError(`invalid hex character at position ${firstBadHex(hex, start)}: ${abbreviate(hex)}`)
  return out
}

function firstBadHex(hex: string, start: number): number {
  for (let j = start; j < hex.length; j++) if (nibble(hex.charCodeAt(j)) < 0) return j
  return -1
}

/** True when `s` is a well-formed `0x` hex string (any length, including odd). */
export function isHex(s: unknown): s is Hex {
  if (typeof s !== 'string' || s.length < 2 || s[0] !== '0' || s[1] !== 'x') return false
  for (let i = 2; i < s.length; i++) if (nibble(s.charCodeAt(i)) < 0) return false
  return true
}

/**
 * Parse a JSON-RPC quantity (`0x` then minimal hex digits, `0x0` for zero) into a bigint.
 * `strict` rejects leading zeros as EIP-1474 requires; fixtures are lenient.
 */
export function hexToBigInt(hex: string, strict = false): bigint {
  if (typeof hex !== 'string') throw new HexError(`expected a hex quantity, got ${typeof hex}`)
  if (hex.length < 3 || hex[0] !== '0' || (hex[1] !== 'x' && hex[1] !== 'X')) {
    if (hex === '0x' && !strict) return 0n
    throw new HexError(`invalid hex quantity: ${abbreviate(hex)}`)
  }
  for (let i = 2; i < hex.length; i++) if (nibble(hex.charCodeAt(i)) < 0) throw new HexError(`invalid hex character at position ${i}: ${abbreviate(hex)}`)
  if (strict && hex.length > 3 && hex[2] === '0') throw new HexError(`hex quantity has leading zeros: ${abbreviate(hex)}`)
  return BigInt(hex)
}

/** Parse a hex quantity that must fit in a JS safe integer. */
export function hexToNumber(hex: string, strict = false): number {
  const v = hexToBigInt(hex, strict)
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new HexError(`hex quantity too large for a number: ${abbreviate(hex)}`)
  return Number(v)
}

/** Encode a non-negative integer as a minimal JSON-RPC quantity (`0x0`, `0x1a`). */
export function toQuantity(v: bigint | number): Hex {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new HexError(`not a non-negative safe integer: ${v}`)
    return `0x${v.toString(16)}`
  }
  if (v < 0n) throw new HexError(`negative quantity: ${v}`)
  return `0x${v.toString(16)}`
}

/** Encode a bigint as fixed-width hex of `size` bytes (e.g. 32 for storage words). */
export function bigIntToHex(v: bigint, size: number): Hex {
  if (v < 0n) throw new HexError(`negative value: ${v}`)
  const s = v === 0n ? '' : v.toString(16)
  if (s.length > size * 2) throw new HexError(`value does not fit in ${size} bytes`)
  return `0x${s.padStart(size * 2, '0')}`
}

function abbreviate(s: string): string {
  return s.length > 42 ? `${s.slice(0, 20)}…${s.slice(-8)} (${s.length} chars)` : s
}
