/**
 * LEB128 encoder tests: the WebAssembly spec's worked values, and round trips
 * through an independent decoder for every u32 and every i64.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { sleb, uleb } from '../../src/primitives/leb128.js'

/** Decode LEB128 bytes (signed or not); also checks every byte but the last has its continuation bit. */
function decode(bytes: number[], signed: boolean): bigint {
  let v = 0n
  let shift = 0n
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    assert.equal((b & 0x80) !== 0, i < bytes.length - 1, 'continuation bits')
    v |= BigInt(b & 0x7f) << shift
    shift += 7n
  }
  if (signed && (bytes[bytes.length - 1]! & 0x40) !== 0) v -= 1n << shift
  return v
}

test('known encodings', () => {
  assert.deepEqual(uleb(0), [0x00])
  assert.deepEqual(uleb(127), [0x7f])
  assert.deepEqual(uleb(128), [0x80, 0x01])
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26])
  assert.deepEqual(uleb(0xffffffff), [0xff, 0xff, 0xff, 0xff, 0x0f])
  assert.deepEqual(sleb(0n), [0x00])
  assert.deepEqual(sleb(-1n), [0x7f])
  assert.deepEqual(sleb(63n), [0x3f])
  assert.deepEqual(sleb(64n), [0xc0, 0x00])
  assert.deepEqual(sleb(-123456n), [0xc0, 0xbb, 0x78])
})

test('property: uleb round-trips every u32 in at most 5 bytes', () => {
  fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (n) => {
    const e = uleb(n)
    assert.ok(e.length <= 5)
    assert.equal(decode(e, false), BigInt(n))
  }))
})

test('property: sleb round-trips every i64 in at most 10 bytes (the shortest form)', () => {
  fc.assert(fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (v) => {
    const e = sleb(v)
    assert.ok(e.length <= 10)
    assert.equal(decode(e, true), v)
    // shortest form: 7 bits per byte for the value's bits plus a sign bit
    const bits = (v < 0n ? ~v : v).toString(2).length + 1
    assert.equal(e.length, Math.ceil(bits / 7))
  }))
})
