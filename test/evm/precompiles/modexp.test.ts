/**
 * Tests for 0x05 MODEXP: EIP-198 vectors, EIP-198 vs EIP-2565 pricing,
 * edge lengths, and a differential run against @ethereumjs/evm on random
 * inputs under Byzantium and Berlin rules.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { modexp, modexpGas, modexpOsaka, modPow } from '../../../src/evm/precompiles/05-modexp.js'
import { bigIntToBytes } from '../../../src/primitives/bytes.js'
import { concatBytes } from '../../../src/primitives/bytes.js'
import { hex, oracle, randomBytes, rng } from './oracle.js'

function word(n: bigint): Uint8Array {
  return bigIntToBytes(n, 32)
}

function encode(b: Uint8Array, e: Uint8Array, m: Uint8Array): Uint8Array {
  return concatBytes(word(BigInt(b.length)), word(BigInt(e.length)), word(BigInt(m.length)), b, e, m)
}

const P = 2n ** 256n - 2n ** 32n - 977n

test('modexp: EIP-198 examples (Fermat) and gas under both schedules', () => {
  const input = encode(Uint8Array.of(3), word(P - 1n), word(P))
  const byz = modexp(input, 1_000_000n, 'Byzantium')
  assert.ok(byz.ok)
  assert.equal(hex(byz.output), hex(word(1n)))
  // EIP-198: complexity(32) = 1024, adjusted exponent length = 255, divisor 20
  assert.equal(byz.gasUsed, (1024n * 255n) / 20n)
  const ber = modexp(input, 1_000_000n, 'Berlin')
  assert.ok(ber.ok)
  // EIP-2565: ceil(32/8)^2 = 16, × 255 / 3
  assert.equal(ber.gasUsed, (16n * 255n) / 3n)
  assert.equal(modexp(input, 1359n, 'Prague').ok, false)

  const zero = modexp(encode(new Uint8Array(0), word(P - 1n), word(P)), 100000n, 'Byzantium')
  assert.ok(zero.ok)
  assert.equal(hex(zero.output), hex(word(0n)))
})

test('modexp: edge cases', () => {
  // minimum 200 gas from Berlin
  const small = encode(Uint8Array.of(2), Uint8Array.of(5), Uint8Array.of(7))
  const r = modexp(small, 200n, 'Berlin')
  assert.ok(r.ok)
  assert.equal(r.gasUsed, 200n)
  assert.deepEqual([...r.output], [32 % 7])
  // modulus 0 → zeros of modLen; modulus 1 → zero
  const m0 = modexp(encode(Uint8Array.of(2), Uint8Array.of(5), new Uint8Array(3)), 1000n, 'Berlin')
  assert.ok(m0.ok)
  assert.deepEqual([...m0.output], [0, 0, 0])
  // 0^0 mod m = 1
  const zz = modexp(encode(Uint8Array.of(0), Uint8Array.of(0), Uint8Array.of(0, 5)), 1000n, 'Berlin')
  assert.ok(zz.ok)
  assert.deepEqual([...zz.output], [0, 1])
  // empty input: all lengths zero → empty output
  const e = modexp(new Uint8Array(0), 1000n, 'Berlin')
  assert.ok(e.ok)
  assert.equal(e.output.length, 0)
  assert.equal(e.gasUsed, 200n)
  // huge base length with zero modulus length: gas is prohibitive
  const huge = concatBytes(word(2n ** 255n), word(1n), word(1n))
  assert.equal(modexp(huge, 10n ** 12n, 'Berlin').ok, false)
  // bLen = mLen = 0 with huge eLen: cheap, empty output (pre-Osaka)
  const hugeE = concatBytes(word(0n), word(2n ** 200n), word(0n))
  const he = modexp(hugeE, 10n ** 6n, 'Byzantium')
  assert.ok(he.ok)
  assert.equal(he.gasUsed, 0n)
  // truncated input reads zeros
  const trunc = encode(Uint8Array.of(3), Uint8Array.of(1), Uint8Array.of(1, 0)).subarray(0, 96 + 3)
  const t = modexp(trunc, 1000n, 'Berlin')
  assert.ok(t.ok)
  // modulus bytes [1, <missing>] read as 0x0100 = 256: 3^1 mod 256 = 3
  assert.deepEqual([...t.output], [0, 3])
})

test('modexp: modPow agrees with naive arithmetic', () => {
  const next = rng(99)
  for (let i = 0; i < 200; i++) {
    const b = BigInt(next()) * BigInt(next())
    const eBytes = randomBytes(next, next() % 12)
    const m = BigInt(next()) * BigInt(next()) + 2n
    let e = 0n
    for (const x of eBytes) e = (e << 8n) | BigInt(x)
    let expect = 1n
    let base = b % m
    let k = e
    while (k > 0n) {
      if (k & 1n) expect = (expect * base) % m
      base = (base * base) % m
      k >>= 1n
    }
    assert.equal(modPow(b, eBytes, m), expect % m)
  }
})

test('modexp: Osaka variant (EIP-7883 pricing, EIP-7823 limits)', () => {
  const input = encode(Uint8Array.of(3), word(P - 1n), word(P))
  // mult complexity 16 (≤ 32 bytes), iterations 255
  assert.equal(modexpGas(input, 'eip7883'), 16n * 255n)
  assert.equal(modexpGas(encode(Uint8Array.of(2), Uint8Array.of(1), Uint8Array.of(3)), 'eip7883'), 500n)
  const big = encode(new Uint8Array(1025), Uint8Array.of(1), Uint8Array.of(3))
  assert.equal(modexpOsaka(big, 10n ** 9n, 'Prague').ok, false)
})

test('modexp: differential vs @ethereumjs/evm', async () => {
  const next = rng(0xabc)
  for (const fork of ['Byzantium', 'Berlin'] as const) {
    const o = await oracle(fork)
    for (let i = 0; i < 300; i++) {
      const pick = (): number => {
        const k = next() % 10
        return k < 3 ? next() % 4 : k < 8 ? next() % 40 : next() % 140
      }
      const b = randomBytes(next, pick())
      const e = randomBytes(next, pick())
      const m = randomBytes(next, pick())
      if (next() % 5 === 0 && m.length > 0) m[0] = 0
      if (next() % 7 === 0 && e.length > 0) e.fill(0)
      let input = encode(b, e, m)
      if (next() % 6 === 0) input = input.subarray(0, next() % (input.length + 1))
      if (next() % 15 === 0) input = concatBytes(input, randomBytes(next, 10))
      const gas = next() % 3 === 0 ? BigInt(next() % 3000) : 10_000_000n
      const ours = modexp(input, gas, fork)
      const theirs = await o.run(5, input, gas)
      assert.equal(ours.ok, theirs.ok, `${fork} #${i} ${hex(input)}`)
      if (ours.ok && theirs.ok) {
        assert.equal(ours.gasUsed, theirs.gasUsed, `${fork} #${i} gas`)
        assert.equal(hex(ours.output), hex(theirs.output), `${fork} #${i} out`)
      }
    }
  }
})
