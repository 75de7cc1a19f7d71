/**
 * CRC-32 (IEEE, the zlib polynomial) for batch and commit-record checksums.
 * Node ≥ 20.15 ships a native `zlib.crc32`; older runtimes fall back to a
 * slicing-by-8 table implementation with identical output, so files written
 * by either are readable by the other.
 */
import * as zlib from 'node:zlib'

type Crc32Fn = (data: Uint8Array, initial?: number) => number

const TABLES: Uint32Array = (() => {
  const t = new Uint32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8)
      t[k * 256 + n] = c >>> 0
    }
  }
  return t
})()

/** Table-driven CRC-32 (slicing-by-8); same results as `zlib.crc32`. Exported for tests. */
export function crc32Table(data: Uint8Array, initial = 0): number {
  const t = TABLES
  let c = ~initial >>> 0
  let i = 0
  const n = data.length
  for (; i + 8 <= n; i += 8) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    c =
      t[7 * 256 + (c & 0xff)]! ^
      t[6 * 256 + ((c >>> 8) & 0xff)]! ^
      t[5 * 256 + ((c >>> 16) & 0xff)]! ^
      t[4 * 256 + (c >>> 24)]! ^
      t[3 * 256 + data[i + 4]!]! ^
      t[2 * 256 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!
  }
  for (; i < n; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

const native = (zlib as unknown as { crc32?: Crc32Fn }).crc32

/** CRC-32 of `data`, continuing from `initial` (the CRC of the preceding bytes). */
export const crc32: Crc32Fn = typeof native === 'function' ? (d, i = 0) => native(d, i) >>> 0 : crc32Table
