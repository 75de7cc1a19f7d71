/**
 * SHA-256 kernels: the SIMD WebAssembly kernel, hash-wasm and node:crypto must
 * give identical digests through every batched entry point (pairs with a level
 * prefix, spans of one buffer with mixed lengths, keys), including lengths at
 * the padding boundaries and batches that are not a multiple of 4 lanes.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { availableHashKernels, hashKeysInto, hashKernel, hashPairsInto, hashSpansInto, setHashKernel } from '../../src/ads/hash.js'

const ref = (pre: number, b: Uint8Array): string => {
  const h = createHash('sha256')
  if (pre >= 0) h.update(Uint8Array.of(pre))
  return h.update(b).digest('hex')
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

test('all hash kernels agree with node:crypto on pairs, spans and keys', () => {
  const before = hashKernel()
  assert.ok(availableHashKernels().includes('simd'), 'the SIMD kernel is available on Node 20')
  try {
    for (const k of availableHashKernels()) {
      setHashKernel(k)
      let x = 7
      const rnd = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x }
      // pairs, n not a multiple of 4, more than one staging batch
      for (const n of [1, 3, 4, 5, 4099]) {
        const src = new Uint8Array(64 * n).map(() => rnd() & 255)
        const dst = new Uint8Array(32 * n)
        hashPairsInto(9, src, 0, dst, 0, n)
        for (let i = 0; i < n; i += Math.max(1, n >> 4)) assert.equal(hex(dst.subarray(32 * i, 32 * i + 32)), ref(9, src.subarray(64 * i, 64 * i + 64)), `${k} pair ${i}/${n}`)
      }
      // spans of every length 0..300 (padding boundaries 55/56, 119/120, ...)
      const lens = Array.from({ length: 301 }, (_, i) => i)
      const offs: number[] = []
      let p = 0
      for (const l of lens) { offs.push(p); p += l + (rnd() & 7) }
      const buf = new Uint8Array(p).map(() => rnd() & 255)
      const out = new Uint8Array(32 * lens.length)
      hashSpansInto(buf, offs, lens, lens.length, out, 0)
      lens.forEach((l, i) => assert.equal(hex(out.subarray(32 * i, 32 * i + 32)), ref(-1, buf.subarray(offs[i]!, offs[i]! + l)), `${k} span len ${l}`))
      // keys
      const keys = Array.from({ length: 37 }, (_, i) => new Uint8Array(1 + ((i * 7) % 255)).map(() => rnd() & 255))
      const kh = new Uint8Array(32 * keys.length)
      hashKeysInto(keys, kh, 0)
      keys.forEach((key, i) => assert.equal(hex(kh.subarray(32 * i, 32 * i + 32)), ref(-1, key), `${k} key ${i}`))
    }
  } finally { setHashKernel(before) }
})
