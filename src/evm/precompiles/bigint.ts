/**
 * Fast conversions between big-endian bytes and bigint for the arithmetic
 * precompiles. Going through hex strings lets V8 parse and print large
 * integers natively instead of looping bigint shifts per byte.
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Big-endian bytes to bigint (empty → 0n). */
export function toBig(b: Uint8Array): bigint {
  const n = b.length
  if (n === 0) return 0n
  if (n <= 6) {
    let v = 0
    for (let i = 0; i < n; i++) v = v * 256 + b[i]!
    return BigInt(v)
  }
  let s = '0x'
  for (let i = 0; i < n; i++) s += HEX[b[i]!]!
  return BigInt(s)
}

/** Write `v` (must be < 256^len) big-endian into `out[offset, offset+len)`, left-padded with zeros. */
export function writeBig(out: Uint8Array, offset: number, len: number, v: bigint): void {
  if (v === 0n) {
    out.fill(0, offset, offset + len)
    return
  }
  if (v < 0x20000000000000n) {
    let x = Number(v)
    for (let i = offset + len - 1; i >= offset; i--) {
      out[i] = x % 256
      x = Math.floor(x / 256)
    }
    return
  }
  let s = v.toString(16)
  if (s.length & 1) s = '0' + s
  const bytes = s.length >> 1
  const start = offset + len - bytes
  out.fill(0, offset, start)
  for (let i = 0; i < bytes; i++) out[start + i] = parseInt(s.substring(2 * i, 2 * i + 2), 16)
}

/** `v` as exactly `len` big-endian bytes. */
export function fromBig(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len)
  writeBig(out, 0, len, v)
  return out
}

/** Bit length of a non-negative bigint (0n → 0). */
export function bitLength(v: bigint): number {
  if (v < 0x100000000n) return 32 - Math.clz32(Number(v))
  if (v < 0x20000000000000n) return 64 - Math.clz32(Math.floor(Number(v) / 0x100000000))
  const s = v.toString(16)
  return (s.length - 1) * 4 + (32 - Math.clz32(parseInt(s[0]!, 16)))
}
