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

/**
 * Encode a value as RLP. Integers encode as their minimal big-endian bytes.
 * One measuring pass records each list's payload length and each integer's
 * bytes (in traversal order), so the writing pass neither re-measures nested
 * lists nor converts an integer twice.
 */
export function encodeRlp(input: RlpInput): Uint8Array {
  if (input instanceof Uint8Array) {
    const len = input.length
    if (len === 1 && input[0]! < 0x80) return Uint8Array.of(input[0]!)
    const out = new Uint8Array(headerLength(len) + len)
    out.set(input, writeHeader(out, 0, len, 0x80))
    return out
  }
  const plan: Array<number | Uint8Array> = []
  if (Array.isArray(input)) {
    // The top-level list's payload length is kept in a local, so a flat list of
    // byte strings (the usual transaction shape) never touches the plan.
    let n = 0
    for (let i = 0; i < input.length; i++) n += measure(input[i]!, plan)
    const size = headerLength(n) + n
    const out = new Uint8Array(size)
    let o = writeHeader(out, 0, n, 0xc0)
    if (plan.length === 0) {
      for (let i = 0; i < input.length; i++) o = writeString(out, o, input[i] as Uint8Array)
    } else {
      const enc = new Encoder(out, plan)
      for (let i = 0; i < input.length; i++) o = enc.write(input[i]!, o)
    }
    if (o !== size) throw new RlpError('internal: RLP length mismatch')
    return out
  }
  const size = measure(input, plan)
  const enc = new Encoder(new Uint8Array(size), plan)
  const end = enc.write(input, 0)
  if (end !== size) throw new RlpError('internal: RLP length mismatch')
  return enc.out
}

function toBytes(input: bigint | number): Uint8Array {
  return typeof input === 'bigint' ? bigIntToMinimalBytes(input) : numberToMinimalBytes(input)
}

function lengthOfLength(n: number): number {
  if (n < 0x100) return 1
  if (n < 0x10000) return 2
  if (n < 0x1000000) return 3
  let l = 0
  while (n > 0) {
    l++
    n = Math.floor(n / 256)
  }
  return l
}

/** Bytes taken by the header of a string or list whose payload is `len` bytes (not for single bytes < 0x80). */
function headerLength(len: number): number {
  return len < 56 ? 1 : 1 + lengthOfLength(len)
}

function stringLength(b: Uint8Array): number {
  const len = b.length
  return len === 1 && b[0]! < 0x80 ? 1 : headerLength(len) + len
}

/** Encoded length of `input`; appends list payload lengths and integer bytes to `plan` in pre-order. */
function measure(input: RlpInput, plan: Array<number | Uint8Array>): number {
  if (input instanceof Uint8Array) return stringLength(input)
  if (Array.isArray(input)) {
    const slot = plan.length
    plan.push(0)
    let n = 0
    for (let i = 0; i < input.length; i++) n += measure(input[i]!, plan)
    plan[slot] = n
    return headerLength(n) + n
  }
  const b = toBytes(input)
  plan.push(b)
  return stringLength(b)
}

function writeHeader(out: Uint8Array, o: number, len: number, short: number): number {
  if (len < 56) {
    out[o] = short + len
    return o + 1
  }
  const ll = lengthOfLength(len)
  out[o] = short + 55 + ll
  for (let i = ll; i >= 1; i--) {
    out[o + i] = len % 256
    len = Math.floor(len / 256)
  }
  return o + 1 + ll
}

function writeString(out: Uint8Array, o: number, b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) {
    out[o] = b[0]!
    return o + 1
  }
  o = writeHeader(out, o, b.length, 0x80)
  out.set(b, o)
  return o + b.length
}

/** The writing pass: replays `plan` in the order `measure` filled it. */
class Encoder {
  private p = 0
  constructor(
    readonly out: Uint8Array,
    private readonly plan: Array<number | Uint8Array>,
  ) {}

  write(input: RlpInput, o: number): number {
    if (input instanceof Uint8Array) return writeString(this.out, o, input)
    if (Array.isArray(input)) {
      o = writeHeader(this.out, o, this.plan[this.p++] as number, 0xc0)
      for (let i = 0; i < input.length; i++) o = this.write(input[i]!, o)
      return o
    }
    return writeString(this.out, o, this.plan[this.p++] as Uint8Array)
  }
}

/** Bytes taken by the header of an RLP list whose payload is `len` bytes. */
export function rlpListHeaderLength(len: number): number {
  return headerLength(len)
}

/** Write the header of an RLP list whose payload is `len` bytes at `out[o]`; returns where the payload starts. */
export function writeRlpListHeader(out: Uint8Array, o: number, len: number): number {
  return writeHeader(out, o, len, 0xc0)
}

/**
 * Total length (header + payload) of the RLP item at `o` of bytes that were
 * already decoded strictly (no checks here: for walking canonical bytes,
 * e.g. to find where a transaction's signature fields start).
 */
export function rlpItemLength(b: Uint8Array, o: number): number {
  const h = b[o]!
  if (h < 0x80) return 1
  if (h <= 0xb7) return 1 + h - 0x80
  if (h < 0xc0) return 1 + (h - 0xb7) + lengthAt(b, o + 1, h - 0xb7)
  if (h <= 0xf7) return 1 + h - 0xc0
  return 1 + (h - 0xf7) + lengthAt(b, o + 1, h - 0xf7)
}

/** The `n`-byte big-endian length at `b[o]` (unchecked: see `rlpItemLength`). */
function lengthAt(b: Uint8Array, o: number, n: number): number {
  let v = 0
  for (let i = 0; i < n; i++) v = v * 256 + b[o + i]!
  return v
}

/** Offset of the payload of the RLP list at `o` of strictly decoded bytes (after its header). */
export function rlpListPayloadOffset(b: Uint8Array, o: number): number {
  const h = b[o]!
  if (h < 0xc0) throw new RlpError('not an RLP list')
  return h <= 0xf7 ? o + 1 : o + 1 + (h - 0xf7)
}

/** Decode a complete RLP value; the whole input must be consumed. */
export function decodeRlp(input: Uint8Array): RlpItem {
  if (!(input instanceof Uint8Array)) throw new RlpError('RLP input must be bytes')
  if (input.length === 0) throw new RlpError('RLP input is empty')
  const d = new Decoder(input)
  const item = d.item(input.length, 0)
  if (d.pos !== input.length) throw new RlpError(`RLP has ${input.length - d.pos} trailing bytes`)
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

/** Recursive-descent decoder; `pos` is the cursor, so no per-item tuple is allocated. */
class Decoder {
  pos = 0
  constructor(private readonly input: Uint8Array) {}

  /** Decode the item at `pos`, which must end by `limit`; advances `pos` past it. */
  item(limit: number, depth: number): RlpItem {
    const input = this.input
    const o = this.pos
    if (o >= limit) throw new RlpError('RLP item runs past the end')
    const b = input[o]!
    if (b < 0x80) {
      this.pos = o + 1
      return input.subarray(o, o + 1)
    }
    if (b < 0xb8) {
      const start = o + 1
      const end = start + b - 0x80
      if (end > limit) throw new RlpError('RLP string runs past the end')
      if (end === start + 1 && input[start]! < 0x80) throw new RlpError('RLP single byte below 0x80 must not have a string header')
      this.pos = end
      return input.subarray(start, end)
    }
    if (b < 0xc0) {
      const ll = b - 0xb7
      const start = o + 1 + ll
      const end = start + readLength(input, o + 1, ll, limit)
      if (end > limit) throw new RlpError('RLP string runs past the end')
      this.pos = end
      return input.subarray(start, end)
    }
    if (depth >= RLP_MAX_DEPTH) throw new RlpError('RLP nesting too deep')
    let start: number
    let end: number
    if (b < 0xf8) {
      start = o + 1
      end = start + b - 0xc0
    } else {
      const ll = b - 0xf7
      start = o + 1 + ll
      end = start + readLength(input, o + 1, ll, limit)
    }
    if (end > limit) throw new RlpError('RLP list runs past the end')
    const items: RlpItem[] = []
    this.pos = start
    while (this.pos < end) items.push(this.item(end, depth + 1))
    return items
  }
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
