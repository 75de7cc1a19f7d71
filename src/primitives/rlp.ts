/**
 * Recursive Length Prefix codec (Ethereum's serialization). Decoding is
 * zero-copy (byte strings are `subarray` views into the input) and strict:
 * non-minimal lengths, single bytes wrapped in a string header, leading zeros
 * in lengths, truncation and trailing bytes all throw `RlpError`.
 */
import { RlpError } from './errors.js'
import { bigIntToMinimalBytes, bytesToBigInt, bytesToNumber, numberToMinimalBytes } from './bytes.js'

/** A decoded RLP item: a byte string or a list of items. */
export type RlpItem = Uint8Array | RlpItem[]

/** What `encodeRlp` accepts: byte strings, non-negative integers (minimal big-endian) and lists. */
export type RlpInput = Uint8Array | bigint | number | RlpInput[]

/** Encode a value as RLP. Integers encode as their minimal big-endian bytes. */
export function encodeRlp(input: RlpInput): Uint8Array {
  const size = encodedLength(input)
  const out = new Uint8Array(size)
  const end = writeItem(input, out, 0)
  if (end !== size) throw new RlpError('internal: RLP length mismatch')
  return out
}

function toBytes(input: bigint | number): Uint8Array {
  return typeof input === 'bigint' ? bigIntToMinimalBytes(input) : numberToMinimalBytes(input)
}

function lengthOfLength(n: number): number {
  let l = 0
  while (n > 0) {
    l++
    n = Math.floor(n / 256)
  }
  return l
}

function payloadLength(input: RlpInput): number {
  if (input instanceof Uint8Array) return input.length
  if (Array.isArray(input)) {
    let n = 0
    for (const x of input) n += encodedLength(x)
    return n
  }
  return toBytes(input).length
}

function encodedLength(input: RlpInput): number {
  if (Array.isArray(input)) {
    const n = payloadLength(input)
    return n < 56 ? 1 + n : 1 + lengthOfLength(n) + n
  }
  const b = input instanceof Uint8Array ? input : toBytes(input)
  if (b.length === 1 && b[0]! < 0x80) return 1
  return b.length < 56 ? 1 + b.length : 1 + lengthOfLength(b.length) + b.length
}

function writeHeader(out: Uint8Array, o: number, len: number, short: number): number {
  if (len < 56) {
    out[o] = short + len
    return o + 1
  }
  const ll = lengthOfLength(len)
  out[o] = short + 55 + ll
  for (let i = ll; i >= 1; i--) {
    out[o + i] = len & 0xff
    len = Math.floor(len / 256)
  }
  return o + 1 + ll
}

function writeItem(input: RlpInput, out: Uint8Array, o: number): number {
  if (Array.isArray(input)) {
    o = writeHeader(out, o, payloadLength(input), 0xc0)
    for (const x of input) o = writeItem(x, out, o)
    return o
  }
  const b = input instanceof Uint8Array ? input : toBytes(input)
  if (b.length === 1 && b[0]! < 0x80) {
    out[o] = b[0]!
    return o + 1
  }
  o = writeHeader(out, o, b.length, 0x80)
  out.set(b, o)
  return o + b.length
}

/** Decode a complete RLP value; the whole input must be consumed. */
export function decodeRlp(input: Uint8Array): RlpItem {
  if (!(input instanceof Uint8Array)) throw new RlpError('RLP input must be bytes')
  if (input.length === 0) throw new RlpError('RLP input is empty')
  const [item, end] = decodeAt(input, 0, input.length, 0)
  if (end !== input.length) throw new RlpError(`RLP has ${input.length - end} trailing bytes`)
  return item
}

/** Maximum list nesting accepted while decoding (guards the recursion). */
export const RLP_MAX_DEPTH = 1024

function readLength(input: Uint8Array, o: number, ll: number, limit: number): number {
  if (o + ll > limit) throw new RlpError('RLP length-of-length runs past the end')
  if (input[o] === 0) throw new RlpError('RLP length has leading zeros')
  let n = 0
  for (let i = 0; i < ll; i++) n = n * 256 + input[o + i]!
  if (n < 56) throw new RlpError('RLP long form used for a length below 56')
  if (n > Number.MAX_SAFE_INTEGER) throw new RlpError('RLP length too large')
  return n
}

function decodeAt(input: Uint8Array, o: number, limit: number, depth: number): [RlpItem, number] {
  if (o >= limit) throw new RlpError('RLP item runs past the end')
  const b = input[o]!
  if (b < 0x80) return [input.subarray(o, o + 1), o + 1]
  if (b < 0xb8) {
    const n = b - 0x80
    const start = o + 1
    if (start + n > limit) throw new RlpError('RLP string runs past the end')
    if (n === 1 && input[start]! < 0x80) throw new RlpError('RLP single byte below 0x80 must not have a string header')
    return [input.subarray(start, start + n), start + n]
  }
  if (b < 0xc0) {
    const ll = b - 0xb7
    const n = readLength(input, o + 1, ll, limit)
    const start = o + 1 + ll
    if (start + n > limit) throw new RlpError('RLP string runs past the end')
    return [input.subarray(start, start + n), start + n]
  }
  if (depth >= RLP_MAX_DEPTH) throw new RlpError('RLP nesting too deep')
  let n: number
  let start: number
  if (b < 0xf8) {
    n = b - 0xc0
    start = o + 1
  } else {
    const ll = b - 0xf7
    n = readLength(input, o + 1, ll, limit)
    start = o + 1 + ll
  }
  const end = start + n
  if (end > limit) throw new RlpError('RLP list runs past the end')
  const items: RlpItem[] = []
  let p = start
  while (p < end) {
    const [item, next] = decodeAt(input, p, end, depth + 1)
    items.push(item)
    p = next
  }
  return [items, end]
}

/** Narrow a decoded item to a byte string or throw `RlpError` naming `what`. */
export function rlpBytes(item: RlpItem | undefined, what = 'field'): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new RlpError(`RLP ${what} must be a byte string`)
  return item
}

/** Narrow a decoded item to a list or throw `RlpError` naming `what`. */
export function rlpList(item: RlpItem | undefined, what = 'value'): RlpItem[] {
  if (!Array.isArray(item)) throw new RlpError(`RLP ${what} must be a list`)
  return item
}

/** Decode a canonical RLP integer (no leading zeros) of at most `maxBytes` bytes. */
export function rlpBigInt(item: RlpItem | undefined, what = 'integer', maxBytes = 32): bigint {
  const b = rlpBytes(item, what)
  if (b.length > 0 && b[0] === 0) throw new RlpError(`RLP ${what} has leading zeros`)
  if (b.length > maxBytes) throw new RlpError(`RLP ${what} is longer than ${maxBytes} bytes`)
  return bytesToBigInt(b)
}

/** Decode a canonical RLP integer that must fit in a safe JS number. */
export function rlpNumber(item: RlpItem | undefined, what = 'integer'): number {
  const b = rlpBytes(item, what)
  if (b.length > 0 && b[0] === 0) throw new RlpError(`RLP ${what} has leading zeros`)
  if (b.length > 8) throw new RlpError(`RLP ${what} too large`)
  try {
    return bytesToNumber(b)
  } catch {
    throw new RlpError(`RLP ${what} too large`)
  }
}
