/**
 * Addresses: the EIP-55 test vectors, checked parsing (length, characters,
 * wrong checksum), CREATE and CREATE2 (EIP-1014 examples), and agreement with
 * ethers' implementations on random inputs.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { getAddress, getCreate2Address, getCreateAddress } from 'ethers'
import { HexError } from '../../src/primitives/errors.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import { ADDRESS_LENGTH, create2Address, createAddress, isAddress, parseAddress, toChecksumAddress } from '../../src/crypto/address.js'

/** EIP-55's own examples: all caps, all lower, and mixed case. */
const EIP55 = [
  '0x52908400098527886E0F7030069857D2E4169EE7',
  '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
  '0xde709f2102306220921060314715629080e2fb77',
  '0x27b1fdb04752bbc536007a920d24acb045561c26',
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
]

test('EIP-55 vectors: checksum encoding from bytes, lower or upper hex', () => {
  for (const a of EIP55) {
    assert.equal(toChecksumAddress(a.toLowerCase()), a)
    assert.equal(toChecksumAddress('0x' + a.slice(2).toUpperCase()), a)
    assert.equal(toChecksumAddress(hexToBytes(a)), a)
    assert.deepEqual(parseAddress(a), hexToBytes(a))
    assert.equal(isAddress(a), true)
  }
})

test('parseAddress rejects a wrong checksum, bad length and bad characters', () => {
  const good = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
  // Flip the case of each letter in turn: every one must break the checksum.
  for (let i = 2; i < good.length; i++) {
    const c = good[i]!
    if (!/[a-fA-F]/.test(c)) continue
    const flipped = good.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + good.slice(i + 1)
    assert.throws(() => parseAddress(flipped), HexError, flipped)
    assert.equal(isAddress(flipped), false)
  }
  const bad = ['', '0x', good.slice(0, 41), good + '0', good.slice(2), '0x' + 'g'.repeat(40), '0x' + '0'.repeat(38) + ' 1', '1x' + '0'.repeat(40)]
  for (const b of bad) {
    assert.throws(() => parseAddress(b), HexError, JSON.stringify(b))
    assert.equal(isAddress(b), false)
  }
  assert.throws(() => parseAddress(42 as unknown as string), HexError)
  assert.throws(() => toChecksumAddress(new Uint8Array(19)), HexError)
  assert.throws(() => toChecksumAddress('0x1234'), HexError)
  assert.equal(isAddress(undefined), false)
  assert.equal(ADDRESS_LENGTH, 20)
})

test('CREATE addresses: known vectors', () => {
  const sender = '0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0'
  const expected = [
    '0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d',
    '0x343c43a37d37dff08ae8c4a11544c718abb4fcf8',
    '0xf778b86fa74e846c4f0a1fbd1335fe81c00a0c91',
    '0xfffd933a0bc612844eaf0c6fe3e5b8e9b6c1d19c',
  ]
  expected.forEach((e, nonce) => {
    assert.equal(bytesToHex(createAddress(sender, nonce)), e)
    assert.equal(bytesToHex(createAddress(hexToBytes(sender), BigInt(nonce))), e)
  })
  assert.throws(() => createAddress(new Uint8Array(21), 0), HexError)
})

test('CREATE2 addresses: EIP-1014 examples', () => {
  const zero32 = new Uint8Array(32)
  const cases: Array<[string, Uint8Array, string, string]> = [
    ['0x0000000000000000000000000000000000000000', zero32, '0x00', '0x4D1A2e2bB4F88F0250f26Ffff098B0b30B26BF38'],
    ['0xdeadbeef00000000000000000000000000000000', zero32, '0x00', '0xB928f69Bb1D91Cd65274e3c79d8986362984fDA3'],
    ['0x0000000000000000000000000000000000000000', zero32, '0x', '0xE33C0C7F7df4809055C3ebA6c09CFe4BaF1BD9e0'],
  ]
  for (const [sender, salt, init, want] of cases) {
    assert.equal(toChecksumAddress(create2Address(sender, salt, keccak256(hexToBytes(init)))), want)
  }
  assert.throws(() => create2Address(cases[0]![0], new Uint8Array(31), zero32), HexError)
  assert.throws(() => create2Address(cases[0]![0], zero32, new Uint8Array(33)), HexError)
})

test('property: checksum, CREATE and CREATE2 agree with ethers', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 20, maxLength: 20 }),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 2n }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (addr, nonce, salt, codeHash) => {
        const lower = bytesToHex(addr)
        const sum = toChecksumAddress(addr)
        assert.equal(sum, getAddress(lower))
        assert.deepEqual(parseAddress(sum), addr)
        assert.equal(toChecksumAddress(createAddress(addr, nonce)), getCreateAddress({ from: lower, nonce }))
        assert.equal(toChecksumAddress(create2Address(addr, salt, codeHash)), getCreate2Address(lower, bytesToHex(salt), bytesToHex(codeHash)))
      },
    ),
    { numRuns: 300 },
  )
})
