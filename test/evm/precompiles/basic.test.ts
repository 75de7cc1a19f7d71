/**
 * Tests for 0x01-0x04 (ecrecover, sha256, ripemd160, identity) and the
 * registry in index.ts: known vectors, gas formulas, edge inputs, and a
 * differential run against @ethereumjs/evm.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { getPrecompile, isPrecompile, precompileAddresses } from '../../../src/evm/precompiles/index.js'
import { ecrecover } from '../../../src/evm/precompiles/01-ecrecover.js'
import { sha256 } from '../../../src/evm/precompiles/02-sha256.js'
import { ripemd160 } from '../../../src/evm/precompiles/03-ripemd160.js'
import { identity } from '../../../src/evm/precompiles/04-identity.js'
import { privateKeyToAddress, signHash } from '../../../src/crypto/secp256k1.js'
import { keccak256 } from '../../../src/crypto/keccak.js'
import { bigIntToBytes } from '../../../src/primitives/bytes.js'
import { FORKS, type Fork } from '../../../src/eth/fork.js'
import { hex, oracle, randomBytes, rng } from './oracle.js'

function addr(b: number): Uint8Array {
  const a = new Uint8Array(20)
  a[19] = b
  return a
}

function ecInput(hash: Uint8Array, v: number | Uint8Array, r: bigint, s: bigint): Uint8Array {
  const out = new Uint8Array(128)
  out.set(hash, 0)
  if (typeof v === 'number') out[63] = v
  else out.set(v, 32)
  out.set(bigIntToBytes(r, 32), 64)
  out.set(bigIntToBytes(s, 32), 96)
  return out
}

test('registry: activation per fork', () => {
  const expectMax: Partial<Record<Fork, number>> = { Frontier: 4, Homestead: 4, Byzantium: 8, Petersburg: 8, Istanbul: 9, London: 9, Shanghai: 9, Cancun: 10, Prague: 17 }
  for (const f of FORKS) {
    const list = precompileAddresses(f)
    const max = expectMax[f]
    if (max !== undefined && list.length === max) {
      for (let i = 1; i <= max; i++) assert.ok(isPrecompile(addr(i), f), `0x${i.toString(16)} at ${f}`)
      assert.equal(isPrecompile(addr(max + 1), f), false)
    }
    // list is consistent with isPrecompile whatever is implemented
    for (let b = 0; b < 256; b++) assert.equal(isPrecompile(addr(b), f), list.some((a) => a[19] === b), `${f} ${b}`)
  }
  assert.equal(getPrecompile(addr(0), 'Prague'), undefined)
  const high = addr(1)
  high[0] = 1
  assert.equal(getPrecompile(high, 'Prague'), undefined)
  assert.equal(getPrecompile(new Uint8Array(19), 'Prague'), undefined)
  assert.equal(getPrecompile(addr(1), 'Frontier'), ecrecover)
  assert.equal(getPrecompile(addr(4), 'Prague'), identity)
  assert.equal(precompileAddresses('Frontier').length, 4)
})

test('ecrecover: recovers signer, 3000 gas', () => {
  const key = keccak256(new TextEncoder().encode('tachyon key'))
  const hash = keccak256(new TextEncoder().encode('message'))
  const sig = signHash(hash, key)
  const r = ecrecover(ecInput(hash, 27 + sig.yParity, sig.r, sig.s), 3000n, 'Prague')
  assert.ok(r.ok)
  assert.equal(r.gasUsed, 3000n)
  assert.equal(hex(r.output), '000000000000000000000000' + hex(privateKeyToAddress(key)))
  // high-s (n - s, flipped parity) is still accepted by the precompile
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  const r2 = ecrecover(ecInput(hash, 28 - sig.yParity, sig.r, N - sig.s), 5000n, 'Prague')
  assert.ok(r2.ok)
  assert.equal(hex(r2.output), hex(r.output))
})

test('ecrecover: invalid inputs give empty output with gas charged', () => {
  const key = keccak256(new TextEncoder().encode('k2'))
  const hash = keccak256(new TextEncoder().encode('m2'))
  const sig = signHash(hash, key)
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  const vWord = new Uint8Array(32)
  vWord[31] = 27
  vWord[0] = 1 // v = 2^248 + 27
  const bad = [
    ecInput(hash, 0, sig.r, sig.s),
    ecInput(hash, 1, sig.r, sig.s),
    ecInput(hash, 29, sig.r, sig.s),
    ecInput(hash, vWord, sig.r, sig.s),
    ecInput(hash, 27, 0n, sig.s),
    ecInput(hash, 27, sig.r, 0n),
    ecInput(hash, 27, N, sig.s),
    ecInput(hash, 27, sig.r, N),
    new Uint8Array(0),
  ]
  for (const b of bad) {
    const r = ecrecover(b, 3000n, 'Prague')
    assert.ok(r.ok)
    assert.equal(r.gasUsed, 3000n)
    assert.equal(r.output.length, 0)
  }
  assert.equal(ecrecover(ecInput(hash, 27, sig.r, sig.s), 2999n, 'Prague').ok, false)
  // truncated input is zero padded: dropping trailing zero bytes of s changes nothing
  const full = ecInput(hash, 27 + sig.yParity, sig.r, 256n)
  const a = ecrecover(full, 3000n, 'Prague')
  const b = ecrecover(full.subarray(0, 127), 3000n, 'Prague')
  assert.ok(a.ok && b.ok)
  assert.equal(hex(a.output), hex(b.output))
})

test('sha256 / ripemd160 / identity: known vectors and gas', () => {
  const abc = new TextEncoder().encode('abc')
  const s = sha256(abc, 72n, 'Frontier')
  assert.ok(s.ok)
  assert.equal(s.gasUsed, 72n)
  assert.equal(hex(s.output), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  assert.equal(sha256(abc, 71n, 'Frontier').ok, false)
  const e = sha256(new Uint8Array(0), 60n, 'Frontier')
  assert.ok(e.ok)
  assert.equal(hex(e.output), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')

  const rp = ripemd160(abc, 720n, 'Frontier')
  assert.ok(rp.ok)
  assert.equal(rp.gasUsed, 720n)
  assert.equal(hex(rp.output), '0'.repeat(24) + '8eb208f7e05d987a9b044a8e98c6b087f15a0bfc')
  assert.equal(ripemd160(abc, 719n, 'Frontier').ok, false)

  const data = new Uint8Array(33).fill(7)
  const id = identity(data, 21n, 'Frontier')
  assert.ok(id.ok)
  assert.equal(id.gasUsed, 21n)
  assert.deepEqual(id.output, data)
  assert.notEqual(id.output, data) // a copy, not the caller's buffer
  assert.equal(identity(data, 20n, 'Frontier').ok, false)
  const big = new Uint8Array(1000).fill(3)
  const bh = sha256(big, 10000n, 'Frontier')
  assert.ok(bh.ok)
  assert.equal(bh.gasUsed, BigInt(60 + 12 * 32))
  assert.equal(hex(bh.output), createHash('sha256').update(big).digest('hex'))
})

test('0x01-0x04 differential vs @ethereumjs/evm', async () => {
  const o = await oracle('Prague')
  const next = rng(0x1234)
  const key = keccak256(new TextEncoder().encode('diff'))
  for (let i = 0; i < 120; i++) {
    const len = next() % 200
    const input = randomBytes(next, len)
    const gas = BigInt(next() % 4000)
    for (const b of [2, 3, 4]) {
      const ours = getPrecompile(addr(b), 'Prague')!(input, gas, 'Prague')
      const theirs = await o.run(b, input, gas)
      assert.equal(ours.ok, theirs.ok, `0x0${b} len ${len} gas ${gas}`)
      if (ours.ok && theirs.ok) {
        assert.equal(ours.gasUsed, theirs.gasUsed)
        assert.equal(hex(ours.output), hex(theirs.output))
      }
    }
    // ecrecover: mostly valid signatures, some mutated
    const hash = randomBytes(next, 32)
    const sig = signHash(hash, key)
    const inp = ecInput(hash, 27 + sig.yParity, sig.r, sig.s)
    const mode = next() % 4
    if (mode === 1) inp[64 + (next() % 64)]! ^= 1 << (next() % 8)
    if (mode === 2) inp[63] = next() % 256
    const cut = mode === 3 ? inp.subarray(0, next() % 129) : inp
    const ours = ecrecover(cut, 3000n, 'Prague')
    const theirs = await o.run(1, cut, 3000n)
    assert.equal(ours.ok, theirs.ok)
    if (ours.ok && theirs.ok) assert.equal(hex(ours.output), hex(theirs.output), `ecrecover mode ${mode}`)
  }
})
