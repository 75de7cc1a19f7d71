/**
 * The EVM's word keccak (generated WebAssembly) against the general keccak256
 * for every length up to a few blocks, at offsets, and after memory growth.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { keccak256 } from '../../src/crypto/keccak.js'
import { bytesToHexRaw } from '../../src/primitives/hex.js'
import { keccakWord } from '../../src/evm/keccak.js'

function ref(b: Uint8Array): bigint {
  return BigInt('0x' + bytesToHexRaw(keccak256(b)))
}

test('keccakWord equals keccak256 for lengths 0..700 at varying offsets', () => {
  const src = new Uint8Array(1024)
  let x = 12345
  for (let i = 0; i < src.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    src[i] = x >>> 24
  }
  for (let len = 0; len <= 700; len++) {
    const off = (len * 7) % 300
    assert.equal(keccakWord(src, off, len), ref(src.subarray(off, off + len)), `len ${len}`)
  }
})

test('keccakWord handles inputs larger than the initial wasm memory', () => {
  const big = new Uint8Array(200_000).map((_, i) => (i * 31) & 255)
  assert.equal(keccakWord(big, 3, 199_990), ref(big.subarray(3, 199_993)))
  const small = Uint8Array.of(1, 2, 3)
  assert.equal(keccakWord(small, 0, 3), ref(small))
  assert.equal(keccakWord(small, 0, 0), 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470n)
})

test('keccakWord memo: repeated and colliding 32/64-byte inputs stay exact', () => {
  const buf = new Uint8Array(4096)
  for (let round = 0; round < 3; round++) {
    for (let k = 0; k < 2000; k++) {
      buf.fill(0, 0, 64)
      buf[31] = k & 255
      buf[30] = k >> 8
      buf[63] = round
      for (const len of [32, 64]) assert.equal(keccakWord(buf, 0, len), ref(buf.subarray(0, len)), `k ${k} len ${len}`)
    }
  }
  // same bytes at another offset, then one byte changed in place
  buf.copyWithin(1000, 0, 64)
  assert.equal(keccakWord(buf, 1000, 64), ref(buf.subarray(1000, 1064)))
  buf[1063]! ^= 1
  assert.equal(keccakWord(buf, 1000, 64), ref(buf.subarray(1000, 1064)))
})
