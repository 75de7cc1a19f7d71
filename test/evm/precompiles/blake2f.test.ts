/**
 * Tests for 0x09 BLAKE2F (EIP-152): full BLAKE2b digests rebuilt from the
 * compression function and checked against @noble/hashes, input validation,
 * gas = rounds, and a differential run against @ethereumjs/evm.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { blake2b } from '@noble/hashes/blake2.js'
import { blake2f } from '../../../src/evm/precompiles/09-blake2f.js'
import { hex, oracle, randomBytes, rng } from './oracle.js'

const IV = [
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
]

function u64le(out: Uint8Array, off: number, v: bigint): void {
  for (let i = 0; i < 8; i++) out[off + i] = Number((v >> BigInt(8 * i)) & 0xffn)
}

function fInput(rounds: number, h: Uint8Array, block: Uint8Array, t: bigint, last: number): Uint8Array {
  const inp = new Uint8Array(213)
  new DataView(inp.buffer).setUint32(0, rounds)
  inp.set(h, 4)
  inp.set(block, 68)
  u64le(inp, 196, t & 0xffffffffffffffffn)
  u64le(inp, 204, t >> 64n)
  inp[212] = last
  return inp
}

/** BLAKE2b-512 (unkeyed) built from repeated precompile calls. */
function blake2bViaPrecompile(msg: Uint8Array): Uint8Array {
  let h: Uint8Array = new Uint8Array(64)
  IV.forEach((v, i) => u64le(h, 8 * i, i === 0 ? v ^ 0x01010040n : v))
  const blocks = Math.max(1, Math.ceil(msg.length / 128))
  for (let b = 0; b < blocks; b++) {
    const block = new Uint8Array(128)
    block.set(msg.subarray(b * 128, b * 128 + 128))
    const last = b === blocks - 1
    const t = BigInt(last ? msg.length : (b + 1) * 128)
    const r = blake2f(fInput(12, h, block, t, last ? 1 : 0), 12n, 'Istanbul')
    assert.ok(r.ok && r.gasUsed === 12n)
    h = r.output
  }
  return h
}

test('blake2f: reproduces BLAKE2b-512 digests (EIP-152 vector 5 is "abc")', () => {
  const next = rng(5)
  for (const msg of [new TextEncoder().encode('abc'), new Uint8Array(0), randomBytes(next, 128), randomBytes(next, 300), randomBytes(next, 1000)]) {
    assert.equal(hex(blake2bViaPrecompile(msg)), hex(blake2b(msg)))
  }
  assert.equal(
    hex(blake2bViaPrecompile(new TextEncoder().encode('abc'))),
    'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
  )
})

test('blake2f: validation and gas', () => {
  const good = fInput(12, new Uint8Array(64), new Uint8Array(128), 3n, 1)
  assert.equal(blake2f(good.subarray(0, 212), 10n ** 6n, 'Istanbul').ok, false)
  assert.equal(blake2f(new Uint8Array(214), 10n ** 6n, 'Istanbul').ok, false)
  assert.equal(blake2f(new Uint8Array(0), 10n ** 6n, 'Istanbul').ok, false)
  const f2 = good.slice()
  f2[212] = 2
  assert.equal(blake2f(f2, 10n ** 6n, 'Istanbul').ok, false)
  assert.equal(blake2f(good, 11n, 'Istanbul').ok, false)
  const zero = fInput(0, new Uint8Array(64), new Uint8Array(128), 0n, 0)
  const z = blake2f(zero, 0n, 'Istanbul')
  assert.ok(z.ok && z.gasUsed === 0n)
  const huge = fInput(0xffffffff, new Uint8Array(64), new Uint8Array(128), 0n, 0)
  assert.equal(blake2f(huge, 10n ** 6n, 'Istanbul').ok, false)
})

test('blake2f: differential vs @ethereumjs/evm', async () => {
  const o = await oracle('Istanbul')
  const next = rng(152)
  for (let i = 0; i < 60; i++) {
    const inp = randomBytes(next, 213)
    inp[0] = 0
    inp[1] = 0
    inp[2] = next() % 2
    inp[212] = next() % 3 === 0 ? next() % 4 : next() % 2
    const ours = blake2f(inp, 1000n, 'Istanbul')
    const theirs = await o.run(9, inp, 1000n)
    assert.equal(ours.ok, theirs.ok)
    if (ours.ok && theirs.ok) {
      assert.equal(ours.gasUsed, theirs.gasUsed)
      assert.equal(hex(ours.output), hex(theirs.output))
    }
  }
})
