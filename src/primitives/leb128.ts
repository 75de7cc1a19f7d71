/**
 * LEB128 integer encodings, as WebAssembly's binary format uses them. The
 * node builds its wasm kernels (SHA-256, Keccak) and the JIT's tier-2 modules
 * at run time from bytes, so all three share these two encoders.
 */

/** Unsigned LEB128 of a non-negative integer below 2^32. */
export function uleb(n: number): number[] {
  const out: number[] = []
  let v = n >>> 0
  do {
    let b = v & 0x7f
    v >>>= 7
    if (v !== 0) b |= 0x80
    out.push(b)
  } while (v !== 0)
  return out
}

/**
 * Signed LEB128 of a bigint of any width. For an i32/i64 constant pass the
 * value as a signed integer of that width (`BigInt.asIntN(64, v)`): the
 * encoding of an out-of-range value is longer than the format allows.
 */
export function sleb(v: bigint): number[] {
  const out: number[] = []
  for (;;) {
    const b = Number(v & 0x7fn)
    v >>= 7n
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)
    out.push(done ? b : b | 0x80)
    if (done) return out
  }
}
