/**
 * Byte helpers: concatenation, equality, ordering and the big-endian integer
 * conversions (fixed width, minimal, safe number) with their range errors.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { RangeError256 } from '../../src/primitives/errors.js'
import {
  EMPTY_BYTES,
  bigIntToBytes,
  bigIntToMinimalBytes,
  bytesToBigInt,
  bytesToNumber,
  compareBytes,
  concatBytes,
  equalBytes,
  numberToMinimalBytes,
  writeU256,
} from '../../src/primitives/bytes.js'

test('concatBytes, equalBytes', () => {
  assert.deepEqual(concatBytes(), new Uint8Array(0))
  assert.deepEqual(concatBytes(Uint8Array.of(1), EMPTY_BYTES, Uint8Array.of(2, 3)), Uint8Array.of(1, 2, 3))
  assert.equal(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true)
  assert.equal(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false)
  assert.equal(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1)), false)
  assert.equal(EMPTY_BYTES.length, 0)
})

test('compareBytes orders lexicographically, shorter prefix first', () => {
  const arrs = [Uint8Array.of(2), Uint8Array.of(1, 0), Uint8Array.of(1), EMPTY_BYTES, Uint8Array.of(0xff)]
  const sorted = [...arrs].sort(compareBytes)
  assert.deepEqual(sorted.map((a) => Array.from(a)), [[], [1], [1, 0], [2], [255]])
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
      const c = Math.sign(compareBytes(a, b))
      const ref = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))
      assert.equal(c, ref)
    }),
  )
})

test('big-endian integer conversions: known values', () => {
  assert.equal(bytesToBigInt(EMPTY_BYTES), 0n)
  assert.equal(bytesToBigInt(Uint8Array.of(1, 0)), 256n)
  assert.equal(bytesToBigInt(new Uint8Array(32).fill(0xff)), (1n << 256n) - 1n)
  assert.deepEqual(bigIntToBytes(0x0102n, 4), Uint8Array.of(0, 0, 1, 2))
  assert.throws(() => bigIntToBytes(0x10000n, 2), RangeError256)
  assert.throws(() => bigIntToBytes(-1n, 2), RangeError256)
  assert.deepEqual(bigIntToMinimalBytes(0n), EMPTY_BYTES)
  assert.deepEqual(bigIntToMinimalBytes(0x7fn), Uint8Array.of(0x7f))
  assert.deepEqual(bigIntToMinimalBytes(0x100n), Uint8Array.of(1, 0))
  assert.deepEqual(bigIntToMinimalBytes(0xabcdefn), Uint8Array.of(0xab, 0xcd, 0xef))
  assert.throws(() => bigIntToMinimalBytes(-5n), RangeError256)
  assert.deepEqual(numberToMinimalBytes(0), EMPTY_BYTES)
  assert.deepEqual(numberToMinimalBytes(1000), Uint8Array.of(0x03, 0xe8))
  assert.deepEqual(numberToMinimalBytes(Number.MAX_SAFE_INTEGER), Uint8Array.of(0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
  for (const bad of [-1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1]) assert.throws(() => numberToMinimalBytes(bad), RangeError256, String(bad))
  assert.equal(bytesToNumber(Uint8Array.of(0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), Number.MAX_SAFE_INTEGER)
  assert.equal(bytesToNumber(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 5)), 5)
  assert.throws(() => bytesToNumber(Uint8Array.of(0x20, 0, 0, 0, 0, 0, 0)), RangeError256)
  assert.throws(() => bytesToNumber(new Uint8Array(9).fill(1)), RangeError256)
})

test('writeU256 writes a 32-byte big-endian word in place', () => {
  const out = new Uint8Array(40).fill(0xee)
  writeU256(out, 4, 0x0102n)
  assert.deepEqual(out.subarray(0, 4), Uint8Array.of(0xee, 0xee, 0xee, 0xee))
  assert.deepEqual(out.subarray(4, 34), new Uint8Array(30))
  assert.deepEqual(out.subarray(34, 36), Uint8Array.of(1, 2))
  assert.deepEqual(out.subarray(36), Uint8Array.of(0xee, 0xee, 0xee, 0xee))
})

test('property: integer conversions round-trip and agree with BigInt hex parsing', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (v) => {
      const fixed = bigIntToBytes(v, 32)
      assert.equal(bytesToBigInt(fixed), v)
      const min = bigIntToMinimalBytes(v)
      assert.equal(bytesToBigInt(min), v)
      if (v > 0n) assert.notEqual(min[0], 0)
      assert.equal(min.length, v === 0n ? 0 : Math.ceil(v.toString(16).length / 2))
      const w = new Uint8Array(32)
      writeU256(w, 0, v)
      assert.deepEqual(w, fixed)
    }),
  )
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      const ref = b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex'))
      assert.equal(bytesToBigInt(b), ref)
    }),
  )
  fc.assert(
    fc.property(fc.maxSafeNat(), (n) => {
      assert.equal(bytesToNumber(numberToMinimalBytes(n)), n)
    }),
  )
})
