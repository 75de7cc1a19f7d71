/**
 * Hex codec tests: checked parsing (prefix, odd length, bad characters, wrong
 * size all raise `HexError`), quantities as JSON-RPC wants them, and
 * round-trip properties against random bytes and integers.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { HexError, DecodeError } from '../../src/primitives/errors.js'
import {
  bigIntToHex,
  bytesToHex,
  bytesToHexRaw,
  hexToBigInt,
  hexToBytes,
  hexToNumber,
  isHex,
  looseHexToBytes,
  toQuantity,
} from '../../src/primitives/hex.js'

test('bytesToHex encodes lower-case with 0x, raw without', () => {
  assert.equal(bytesToHex(new Uint8Array(0)), '0x')
  assert.equal(bytesToHex(Uint8Array.of(0, 1, 0x7f, 0x80, 0xab, 0xff)), '0x00017f80abff')
  assert.equal(bytesToHexRaw(Uint8Array.of(0xde, 0xad, 0xbe, 0xef)), 'deadbeef')
})

test('property: bytesToHex / bytesToHexRaw equal Node\'s hex codec at every length (short scratch path and native path), views included', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), fc.nat(8), (b, off) => {
      const view = new Uint8Array(off + b.length)
      view.set(b, off)
      const v = view.subarray(off)
      const want = Buffer.from(b).toString('hex')
      assert.equal(bytesToHexRaw(v), want)
      assert.equal(bytesToHex(v), `0x${want}`)
      // a second encoding must not disturb the first (shared scratch)
      const first = bytesToHexRaw(v)
      bytesToHex(Uint8Array.of(0xff, 0xee))
      assert.equal(first, want)
    }),
    { numRuns: 500 },
  )
})

test('hexToBytes accepts either case and a 0X prefix', () => {
  assert.deepEqual(hexToBytes('0x'), new Uint8Array(0))
  assert.deepEqual(hexToBytes('0xdeadBEEF'), Uint8Array.of(0xde, 0xad, 0xbe, 0xef))
  assert.deepEqual(hexToBytes('0X0aF9'), Uint8Array.of(0x0a, 0xf9))
  assert.deepEqual(hexToBytes('0x0102', 2), Uint8Array.of(1, 2))
})

test('hexToBytes rejects bad input with HexError', () => {
  const bad: Array<[string, number | undefined, RegExp]> = [
    ['', undefined, /start with 0x/],
    ['0', undefined, /start with 0x/],
    ['deadbeef', undefined, /start with 0x/],
    ['1xdeadbeef', undefined, /start with 0x/],
    ['0xabc', undefined, /odd length/],
    ['0x0', undefined, /odd length/],
    ['0xzz', undefined, /invalid hex character/],
    ['0x0g', undefined, /invalid hex character/],
    ['0x 1', undefined, /invalid hex character/],
    ['0x1 ', undefined, /invalid hex character/],
    ['0x-1', undefined, /invalid hex character/],
    ['0xé0', undefined, /invalid hex character/],
    ['0x0x', undefined, /invalid hex character/],
    ['0x0102', 3, /expected 3 bytes, got 2/],
    ['0x010203', 2, /expected 2 bytes, got 3/],
    ['0x', 1, /expected 1 bytes, got 0/],
  ]
  for (const [s, size, re] of bad) {
    assert.throws(() => hexToBytes(s, size), (e: unknown) => e instanceof HexError && e instanceof DecodeError && re.test(e.message), `input ${JSON.stringify(s)}`)
  }
  // Non-strings (as JSON can deliver) are HexError too, not a TypeError.
  for (const v of [null, undefined, 12, {}, ['0x00']]) {
    assert.throws(() => hexToBytes(v as unknown as string), HexError)
    assert.throws(() => looseHexToBytes(v as unknown as string), HexError)
  }
})

test('error messages abbreviate long inputs', () => {
  const long = '0x' + 'ab'.repeat(500) + 'g'
  assert.throws(() => hexToBytes(long), (e: unknown) => e instanceof HexError && e.message.length < 200)
})

test('looseHexToBytes takes hex with or without 0x', () => {
  assert.deepEqual(looseHexToBytes('abcd'), Uint8Array.of(0xab, 0xcd))
  assert.deepEqual(looseHexToBytes('0xabcd'), Uint8Array.of(0xab, 0xcd))
  assert.deepEqual(looseHexToBytes(''), new Uint8Array(0))
  assert.throws(() => looseHexToBytes('abc'), HexError)
  assert.throws(() => looseHexToBytes('xy'), HexError)
  assert.throws(() => looseHexToBytes('ab', 2), HexError)
})

test('isHex', () => {
  assert.equal(isHex('0x'), true)
  assert.equal(isHex('0xabc'), true) // odd length is still hex (quantities)
  assert.equal(isHex('0xABCdef0123456789'), true)
  assert.equal(isHex('0xg'), false)
  assert.equal(isHex('abcd'), false)
  assert.equal(isHex(''), false)
  assert.equal(isHex(5), false)
  assert.equal(isHex(null), false)
})

test('hexToBigInt: lenient by default, strict rejects leading zeros and empty', () => {
  assert.equal(hexToBigInt('0x0'), 0n)
  assert.equal(hexToBigInt('0x'), 0n)
  assert.equal(hexToBigInt('0x00ff'), 255n)
  assert.equal(hexToBigInt('0xFF'), 255n)
  assert.equal(hexToBigInt('0x' + 'f'.repeat(64)), (1n << 256n) - 1n)
  assert.equal(hexToBigInt('0x1a', true), 26n)
  assert.equal(hexToBigInt('0x0', true), 0n)
  assert.throws(() => hexToBigInt('0x', true), HexError)
  assert.throws(() => hexToBigInt('0x01', true), HexError)
  assert.throws(() => hexToBigInt('0x00', true), HexError)
  for (const s of ['', '0', '12', '0xg', '0x1.5', '0x-1', '0x 1', '0x1n']) assert.throws(() => hexToBigInt(s), HexError, s)
  assert.throws(() => hexToBigInt(7 as unknown as string), HexError)
})

test('hexToNumber enforces the safe-integer range', () => {
  assert.equal(hexToNumber('0x1fffffffffffff'), Number.MAX_SAFE_INTEGER)
  assert.throws(() => hexToNumber('0x20000000000000'), HexError)
  assert.equal(hexToNumber('0x10'), 16)
})

test('toQuantity and bigIntToHex', () => {
  assert.equal(toQuantity(0), '0x0')
  assert.equal(toQuantity(0n), '0x0')
  assert.equal(toQuantity(255), '0xff')
  assert.equal(toQuantity(1n << 255n), '0x8' + '0'.repeat(63))
  assert.throws(() => toQuantity(-1), HexError)
  assert.throws(() => toQuantity(-1n), HexError)
  assert.throws(() => toQuantity(1.5), HexError)
  assert.throws(() => toQuantity(Number.MAX_SAFE_INTEGER + 1), HexError)
  assert.equal(bigIntToHex(1n, 4), '0x00000001')
  assert.equal(bigIntToHex(0n, 0), '0x')
  assert.equal(bigIntToHex(0xffffffffn, 4), '0xffffffff')
  assert.throws(() => bigIntToHex(0x100000000n, 4), HexError)
  assert.throws(() => bigIntToHex(-1n, 4), HexError)
})

test('property: bytes -> hex -> bytes round-trips; hex is canonical lower-case', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const h = bytesToHex(b)
      assert.equal(h, '0x' + Buffer.from(b).toString('hex'))
      assert.deepEqual(hexToBytes(h), b)
      assert.deepEqual(hexToBytes(h.toUpperCase().replace('0X', '0x')), b)
      assert.deepEqual(hexToBytes(h, b.length), b)
    }),
  )
})

test('property: quantity round-trips through hexToBigInt strict', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (v) => {
      assert.equal(hexToBigInt(toQuantity(v), true), v)
      assert.equal(hexToBigInt(bigIntToHex(v, 32)), v)
    }),
  )
})

test('property: arbitrary strings either parse to the same bytes as Buffer or throw HexError', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), (s) => {
      const input = '0x' + s
      let ok: Uint8Array | undefined
      try {
        ok = hexToBytes(input)
      } catch (e) {
        assert.ok(e instanceof HexError, String(e))
      }
      const valid = /^[0-9a-fA-F]*$/.test(s) && s.length % 2 === 0
      assert.equal(ok !== undefined, valid)
      if (ok) assert.deepEqual(ok, new Uint8Array(Buffer.from(s, 'hex')))
    }),
    { numRuns: 2000 },
  )
})

test('long inputs (native fast paths): subarray views encode, bad characters anywhere are caught with their position', () => {
  const big = Uint8Array.from({ length: 600 }, (_, i) => (i * 37 + 11) & 0xff)
  for (const [from, to] of [[0, 600], [1, 49], [7, 300], [100, 600], [3, 50]] as const) {
    const view = big.subarray(from, to)
    assert.equal(bytesToHex(view), '0x' + Buffer.from(view).toString('hex'))
    assert.equal(bytesToHexRaw(view), Buffer.from(view).toString('hex'))
    assert.deepEqual(hexToBytes(bytesToHex(view)), new Uint8Array(view))
    assert.deepEqual(looseHexToBytes(bytesToHexRaw(view)), new Uint8Array(view))
  }
  // Characters whose low byte is a hex digit ('İ' is U+0130) must not slip through either path.
  const badChars = ['g', 'G', ' ', 'z', '\u0130', '\u0161', '\u0301', '\uff10', '\0']
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 400 }), fc.nat(), fc.constantFrom(...badChars), (n, at, bad) => {
      const good = bytesToHexRaw(big.subarray(0, n))
      const pos = at % good.length
      const s = '0x' + good.slice(0, pos) + bad[0] + good.slice(pos + 1)
      assert.throws(() => hexToBytes(s), (e: unknown) => e instanceof HexError && e.message.includes(`position ${pos + 2}`), `n=${n} pos=${pos}`)
      assert.throws(() => looseHexToBytes(s.slice(2)), HexError)
    }),
    { numRuns: 500 },
  )
})
