/**
 * keccak256 and sha256: published vectors (empty, "abc", the 448-bit message,
 * a million 'a's), the Keccak rate boundary, and agreement with
 * `@noble/hashes` on random inputs.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { EMPTY_TRIE_ROOT, KECCAK_EMPTY, keccak256, keccak256Hex, keccak256Parts } from '../../src/crypto/keccak.js'
import { sha256 } from '../../src/crypto/sha256.js'
import { bytesToHex } from '../../src/primitives/hex.js'

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)
const hex = (b: Uint8Array): string => bytesToHex(b).slice(2)

test('keccak256 known vectors', () => {
  assert.equal(hex(keccak256(new Uint8Array(0))), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
  assert.equal(hex(keccak256(ascii('abc'))), '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45')
  assert.equal(hex(keccak256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))), '45d3b367a6904e6e8d502ee04999a7c27647f91fa845d456525fd352ae3d7371')
  assert.equal(hex(keccak256(ascii('a'.repeat(1_000_000)))), 'fadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96')
  assert.equal(keccak256Hex(ascii('abc')), '0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45')
  assert.equal(hex(KECCAK_EMPTY), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
  assert.equal(hex(EMPTY_TRIE_ROOT), '56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')
  // Function selector of transfer(address,uint256).
  assert.equal(hex(keccak256(ascii('transfer(address,uint256)'))).slice(0, 8), 'a9059cbb')
})

test('keccak256 around the 136-byte rate boundary matches noble', () => {
  for (const n of [0, 1, 31, 32, 33, 64, 135, 136, 137, 271, 272, 273, 1024]) {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff)
    assert.equal(hex(keccak256(data)), hex(keccak_256(data)), `length ${n}`)
  }
})

test('keccak256 returns a fresh array each call and leaves input untouched', () => {
  const input = ascii('hello')
  const a = keccak256(input)
  const b = keccak256(ascii('world'))
  assert.notEqual(a.buffer, b.buffer)
  assert.equal(hex(a), hex(keccak_256(ascii('hello'))))
  assert.deepEqual(input, ascii('hello'))
})

test('property: keccak256 and keccak256Parts agree with noble', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (parts) => {
      const joined = Buffer.concat(parts)
      const ref = hex(keccak_256(joined))
      assert.equal(hex(keccak256(joined)), ref)
      assert.equal(hex(keccak256Parts(...parts)), ref)
    }),
    { numRuns: 300 },
  )
})

test('sha256 known vectors', () => {
  assert.equal(hex(sha256(new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  assert.equal(hex(sha256(ascii('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  assert.equal(hex(sha256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
  assert.equal(hex(sha256(ascii('a'.repeat(1_000_000)))), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')
})

test('property: sha256 agrees with noble and returns a plain 32-byte Uint8Array', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 500 }), (data) => {
      const h = sha256(data)
      assert.equal(h.length, 32)
      assert.equal(hex(h), hex(nobleSha256(data)))
    }),
    { numRuns: 300 },
  )
})
