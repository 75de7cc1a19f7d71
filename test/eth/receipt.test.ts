/**
 * Logs bloom, logs hash and receipt encoding: go-ethereum's bloom vector
 * (100 strings hashed to a known digest), the bloom against a bit-by-bit
 * BigInt formulation of the yellow-paper definition, the empty-logs hash
 * every state test uses, and receipt round trips for every type.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bloomAdd, bloomContains, bloomOr, emptyBloom, logsBloom, logsHash, LogDecodeError, type Log } from '../../src/eth/log.js'
import { decodeReceipt, encodeReceipt, makeReceipt, ReceiptDecodeError, type ReceiptType } from '../../src/eth/receipt.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import { bigIntToBytes } from '../../src/primitives/bytes.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import { DecodeError } from '../../src/primitives/errors.js'
import { encodeRlp } from '../../src/primitives/rlp.js'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

test('bloom: go-ethereum TestBloomExtensively digest', () => {
  const b = emptyBloom()
  for (let i = 0; i < 100; i++) bloomAdd(b, utf8(`xxxxxxxxxx data ${i} yyyyyyyyyyyyyy`))
  assert.equal(bytesToHex(keccak256(b)), '0xc8d3ca65cdb4874300a9e39475508f23ed6da09fdbc487f89a2dcf50b09eb263')
  for (let i = 0; i < 100; i++) assert.ok(bloomContains(b, utf8(`xxxxxxxxxx data ${i} yyyyyyyyyyyyyy`)))
})

test('bloom: positives found, known negatives absent', () => {
  const b = emptyBloom()
  for (const s of ['testtest', 'test', 'hallo', 'other']) bloomAdd(b, utf8(s))
  for (const s of ['testtest', 'test', 'hallo', 'other']) assert.ok(bloomContains(b, utf8(s)))
  for (const s of ['tes', 'lo']) assert.ok(!bloomContains(b, utf8(s)))
})

/** Yellow paper M3:2048 as a 2048-bit integer: bit m set for the low 11 bits of each of the first three byte pairs. */
function bloomBigInt(values: Uint8Array[]): Uint8Array {
  let acc = 0n
  for (const v of values) {
    const h = keccak256(v)
    for (let i = 0; i < 6; i += 2) acc |= 1n << BigInt(((h[i]! << 8) | h[i + 1]!) % 2048)
  }
  return bigIntToBytes(acc, 256)
}

test('property: logsBloom equals the yellow-paper integer formulation; bloomOr unions', () => {
  const log = fc.record({
    address: fc.uint8Array({ minLength: 20, maxLength: 20 }),
    topics: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 4 }),
    data: fc.uint8Array({ maxLength: 40 }),
  })
  fc.assert(
    fc.property(fc.array(log, { maxLength: 5 }), fc.array(log, { maxLength: 3 }), (a, b) => {
      const values = (ls: Log[]): Uint8Array[] => ls.flatMap((l) => [l.address, ...l.topics])
      assert.deepEqual(logsBloom(a), bloomBigInt(values(a)))
      const u = logsBloom(a)
      bloomOr(u, logsBloom(b))
      assert.deepEqual(u, logsBloom([...a, ...b]))
    }),
    { numRuns: 200 },
  )
})

test('logsHash: empty list is keccak(0xc0) as in state tests; matches manual RLP', () => {
  assert.equal(bytesToHex(logsHash([])), '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347')
  const l: Log = { address: new Uint8Array(20).fill(0x11), topics: [new Uint8Array(32).fill(2)], data: Uint8Array.of(1, 2, 3) }
  const manual = new Uint8Array([0xf8, 0x3d, 0xf8, 0x3b, 0x94, ...l.address, 0xe1, 0xa0, ...l.topics[0]!, 0x83, 1, 2, 3])
  assert.deepEqual(logsHash([l]), keccak256(manual))
})

test('receipt: known legacy encoding and typed prefix', () => {
  const r = makeReceipt(0, 1, 21000n, [])
  const enc = encodeReceipt(r)
  // [0x01, 0x5208, bloom(256 zero bytes), []]
  const expected = encodeRlp([Uint8Array.of(1), 21000n, new Uint8Array(256), []])
  assert.deepEqual(enc, expected)
  assert.equal(bytesToHex(enc.subarray(0, 10)), '0xf9010801825208b90100')
  const typed = encodeReceipt({ ...r, type: 2, status: 0 })
  assert.equal(typed[0], 2)
  assert.deepEqual(typed.subarray(1), encodeRlp([new Uint8Array(0), 21000n, new Uint8Array(256), []]))
  const pre = encodeReceipt({ ...r, postState: new Uint8Array(32).fill(7) })
  assert.deepEqual(decodeReceipt(pre).postState, new Uint8Array(32).fill(7))
})

test('property: receipts round-trip for every type', () => {
  const log = fc.record({
    address: fc.uint8Array({ minLength: 20, maxLength: 20 }),
    topics: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 4 }),
    data: fc.uint8Array({ maxLength: 70 }),
  })
  fc.assert(
    fc.property(fc.constantFrom<ReceiptType>(0, 1, 2, 3, 4), fc.constantFrom<0 | 1>(0, 1), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.array(log, { maxLength: 4 }), (type, status, gas, logs) => {
      const r = makeReceipt(type, status, gas, logs.map((l) => ({ ...l })))
      const enc = encodeReceipt(r)
      const dec = decodeReceipt(enc)
      assert.deepEqual(dec, r)
      assert.deepEqual(encodeReceipt(dec), enc)
    }),
    { numRuns: 200 },
  )
})

test('receipt decode rejects malformed input with typed errors', () => {
  assert.throws(() => decodeReceipt(new Uint8Array(0)), ReceiptDecodeError)
  assert.throws(() => decodeReceipt(Uint8Array.of(5, 0xc0)), ReceiptDecodeError)
  assert.throws(() => decodeReceipt(encodeRlp([Uint8Array.of(2), 1n, new Uint8Array(256), []])), ReceiptDecodeError)
  assert.throws(() => decodeReceipt(encodeRlp([Uint8Array.of(1), 1n, new Uint8Array(255), []])), ReceiptDecodeError)
  assert.throws(() => decodeReceipt(encodeRlp([Uint8Array.of(1), 1n, new Uint8Array(256), [[new Uint8Array(19), [], new Uint8Array(0)]]])), LogDecodeError)
  assert.throws(() => decodeReceipt(hexToBytes('0x02c3010203')), DecodeError)
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      try {
        decodeReceipt(b)
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e))
      }
    }),
    { numRuns: 500 },
  )
})
