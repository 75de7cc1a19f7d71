/**
 * Tests for the EIP-2537 BLS12-381 precompiles 0x0b-0x11: encoding rules
 * (64-byte field elements with 16 zero bytes, modulus bound, infinity),
 * curve and subgroup checks where the EIP requires them, MSM discount gas,
 * algebraic identities against @noble/curves scalar multiplication,
 * hash-to-curve consistency for the map precompiles, and a differential run
 * against @ethereumjs/evm under Prague.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js'
import { blsG1Add } from '../../../src/evm/precompiles/0b-bls12-g1add.js'
import { blsG1Msm, blsG1MsmGas } from '../../../src/evm/precompiles/0c-bls12-g1msm.js'
import { blsG2Add } from '../../../src/evm/precompiles/0d-bls12-g2add.js'
import { blsG2Msm, blsG2MsmGas } from '../../../src/evm/precompiles/0e-bls12-g2msm.js'
import { blsPairing, blsPairingGas } from '../../../src/evm/precompiles/0f-bls12-pairing.js'
import { blsMapFpToG1 } from '../../../src/evm/precompiles/10-bls12-map-fp-to-g1.js'
import { blsMapFp2ToG2 } from '../../../src/evm/precompiles/11-bls12-map-fp2-to-g2.js'
import { BLS_P, BLS_Q, writeG1, writeG2, type BlsG1, type BlsG2 } from '../../../src/evm/precompiles/bls12.js'
import { getPrecompile } from '../../../src/evm/precompiles/index.js'
import { bigIntToBytes, concatBytes } from '../../../src/primitives/bytes.js'
import { hex, oracle, randomBytes, rng } from './oracle.js'

const G1 = bls12_381.G1.Point
const G2 = bls12_381.G2.Point
const Fp = bls12_381.fields.Fp
const Fp2 = bls12_381.fields.Fp2
const w = (n: bigint): Uint8Array => bigIntToBytes(n, 32)
const fp = (n: bigint): Uint8Array => bigIntToBytes(n, 64)
const g1 = (k: bigint): Uint8Array => writeG1(G1.BASE.multiply(k))
const g2 = (k: bigint): Uint8Array => writeG2(G2.BASE.multiply(k))
const BIG = 10n ** 9n

function out(r: ReturnType<typeof blsG1Add>): string {
  assert.ok(r.ok, r.ok ? '' : r.reason)
  return hex(r.output)
}

/** An on-curve G1 point outside the order-q subgroup. */
function g1NotInSubgroup(): Uint8Array {
  for (let x = 1n; ; x++) {
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 4n)
    let y: bigint
    try {
      y = Fp.sqrt(rhs)
    } catch {
      continue
    }
    if (Fp.sqr(y) !== rhs) continue
    const p = G1.fromAffine({ x, y })
    if (!p.isTorsionFree()) return concatBytes(fp(x), fp(y))
  }
}

/** An on-curve G2 point outside the subgroup. */
function g2NotInSubgroup(): Uint8Array {
  const b = G2.CURVE().b
  for (let i = 1n; ; i++) {
    const x = Fp2.fromBigTuple([i, 1n])
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b)
    let y
    try {
      y = Fp2.sqrt(rhs)
    } catch {
      continue
    }
    if (!y || !Fp2.eql(Fp2.sqr(y), rhs)) continue
    const p = G2.fromAffine({ x, y })
    if (!p.isTorsionFree()) return concatBytes(fp(x.c0), fp(x.c1), fp(y.c0), fp(y.c1))
  }
}

test('bls g1add / g2add: arithmetic, infinity, encoding rules', () => {
  assert.equal(out(blsG1Add(concatBytes(g1(3n), g1(4n)), 375n, 'Prague')), hex(g1(7n)))
  assert.equal(out(blsG1Add(concatBytes(g1(3n), new Uint8Array(128)), 375n, 'Prague')), hex(g1(3n)))
  assert.equal(out(blsG1Add(concatBytes(g1(3n), g1(BLS_Q - 3n)), 375n, 'Prague')), '00'.repeat(128))
  assert.equal(blsG1Add(concatBytes(g1(3n), g1(4n)), 374n, 'Prague').ok, false)
  assert.equal(blsG1Add(g1(3n), 375n, 'Prague').ok, false) // 128 bytes, needs 256
  // on-curve point outside the subgroup is fine for addition
  const bad = g1NotInSubgroup()
  assert.ok(blsG1Add(concatBytes(bad, g1(1n)), 375n, 'Prague').ok)
  // not on curve
  const off = g1(1n)
  off[127]! ^= 1
  assert.equal(blsG1Add(concatBytes(off, g1(1n)), 375n, 'Prague').ok, false)
  // non-zero padding byte
  const pad = g1(1n)
  pad[0] = 1
  assert.equal(blsG1Add(concatBytes(pad, g1(1n)), 375n, 'Prague').ok, false)
  // coordinate ≥ p (x + p has the same residue)
  const xp = concatBytes(fp(BLS_P), fp(2n))
  assert.equal(blsG1Add(concatBytes(xp, new Uint8Array(128)), 375n, 'Prague').ok, false)

  assert.equal(out(blsG2Add(concatBytes(g2(5n), g2(6n)), 600n, 'Prague')), hex(g2(11n)))
  assert.equal(out(blsG2Add(new Uint8Array(512), 600n, 'Prague')), '00'.repeat(256))
  assert.ok(blsG2Add(concatBytes(g2NotInSubgroup(), g2(1n)), 600n, 'Prague').ok)
  assert.equal(blsG2Add(concatBytes(g2(5n), g2(6n)), 599n, 'Prague').ok, false)
  const off2 = g2(2n)
  off2[255]! ^= 1
  assert.equal(blsG2Add(concatBytes(off2, g2(1n)), 600n, 'Prague').ok, false)
  const pad2 = g2(2n)
  pad2[64] = 1 // padding of x.c1
  assert.equal(blsG2Add(concatBytes(pad2, g2(1n)), 600n, 'Prague').ok, false)
})

test('bls msm: results, subgroup checks, discount gas', () => {
  // gas: k × cost × discount / 1000 (EIP-2537 tables)
  assert.equal(blsG1MsmGas(1), 12000n)
  assert.equal(blsG1MsmGas(2), (2n * 12000n * 949n) / 1000n)
  assert.equal(blsG1MsmGas(128), (128n * 12000n * 519n) / 1000n)
  assert.equal(blsG1MsmGas(300), (300n * 12000n * 519n) / 1000n)
  assert.equal(blsG2MsmGas(1), 22500n)
  assert.equal(blsG2MsmGas(2), 45000n)
  assert.equal(blsG2MsmGas(3), (3n * 22500n * 923n) / 1000n)
  assert.equal(blsG2MsmGas(200), (200n * 22500n * 524n) / 1000n)

  const next = rng(2537)
  for (const k of [1, 2, 3, 9, 20]) {
    const parts: Uint8Array[] = []
    let expect: BlsG1 = G1.ZERO
    for (let i = 0; i < k; i++) {
      const a = BigInt(next()) + 1n
      const s = (BigInt(next()) << 200n) + BigInt(next())
      parts.push(g1(a), w(s))
      expect = expect.add(G1.BASE.multiply((a * s) % BLS_Q))
    }
    const r = blsG1Msm(concatBytes(...parts), BIG, 'Prague')
    assert.equal(out(r), hex(writeG1(expect)), `k=${k}`)
    assert.ok(r.ok && r.gasUsed === blsG1MsmGas(k))
  }
  // scalar ≥ q and scalar 0; infinity point
  assert.equal(out(blsG1Msm(concatBytes(g1(5n), w(BLS_Q + 2n)), BIG, 'Prague')), hex(g1(10n)))
  assert.equal(out(blsG1Msm(concatBytes(g1(5n), w(0n)), BIG, 'Prague')), '00'.repeat(128))
  assert.equal(out(blsG1Msm(concatBytes(new Uint8Array(128), w(9n)), BIG, 'Prague')), '00'.repeat(128))
  assert.equal(out(blsG1Msm(concatBytes(g1(5n), w(2n ** 256n - 1n)), BIG, 'Prague')), hex(g1((5n * (2n ** 256n - 1n)) % BLS_Q)))
  // subgroup check is required
  assert.equal(blsG1Msm(concatBytes(g1NotInSubgroup(), w(1n)), BIG, 'Prague').ok, false)
  assert.equal(blsG1Msm(new Uint8Array(0), BIG, 'Prague').ok, false)
  assert.equal(blsG1Msm(new Uint8Array(161), BIG, 'Prague').ok, false)
  assert.equal(blsG1Msm(concatBytes(g1(5n), w(3n)), 11999n, 'Prague').ok, false)

  let e2: BlsG2 = G2.ZERO
  const parts2: Uint8Array[] = []
  for (let i = 0; i < 3; i++) {
    const a = BigInt(next()) + 1n
    const s = BigInt(next()) * BigInt(next())
    parts2.push(g2(a), w(s))
    e2 = e2.add(G2.BASE.multiply((a * s) % BLS_Q))
  }
  assert.equal(out(blsG2Msm(concatBytes(...parts2), BIG, 'Prague')), hex(writeG2(e2)))
  assert.equal(blsG2Msm(concatBytes(g2NotInSubgroup(), w(1n)), BIG, 'Prague').ok, false)
  assert.equal(blsG2Msm(new Uint8Array(0), BIG, 'Prague').ok, false)
})

test('bls pairing: bilinearity, infinity, subgroup checks, gas', () => {
  const a = 1234567n
  const b = 7654321n
  const pair = (p: Uint8Array, q: Uint8Array): Uint8Array => concatBytes(p, q)
  const neg = (k: bigint): bigint => BLS_Q - k
  const good = concatBytes(pair(g1(a), g2(b)), pair(g1(neg(a * b % BLS_Q)), g2(1n)))
  const r = blsPairing(good, BIG, 'Prague')
  assert.equal(out(r), hex(w(1n)))
  assert.ok(r.ok && r.gasUsed === blsPairingGas(2) && r.gasUsed === 37700n + 2n * 32600n)
  const bad = concatBytes(pair(g1(a), g2(b)), pair(g1(neg(a * b % BLS_Q) + 1n), g2(1n)))
  assert.equal(out(blsPairing(bad, BIG, 'Prague')), hex(w(0n)))
  assert.equal(out(blsPairing(pair(g1(1n), g2(1n)), BIG, 'Prague')), hex(w(0n)))
  assert.equal(out(blsPairing(pair(new Uint8Array(128), g2(1n)), BIG, 'Prague')), hex(w(1n)))
  assert.equal(out(blsPairing(pair(g1(1n), new Uint8Array(256)), BIG, 'Prague')), hex(w(1n)))
  assert.equal(blsPairing(new Uint8Array(0), BIG, 'Prague').ok, false)
  assert.equal(blsPairing(good.subarray(1), BIG, 'Prague').ok, false)
  assert.equal(blsPairing(good, blsPairingGas(2) - 1n, 'Prague').ok, false)
  assert.equal(blsPairing(pair(g1NotInSubgroup(), g2(1n)), BIG, 'Prague').ok, false)
  assert.equal(blsPairing(pair(g1(1n), g2NotInSubgroup()), BIG, 'Prague').ok, false)
})

test('bls map: consistent with RFC 9380 hash-to-curve, validation', () => {
  for (const msg of ['', 'abc', 'tachyon']) {
    const m = new TextEncoder().encode(msg)
    const d1 = bls12_381.G1.defaults
    const [u0, u1] = hash_to_field(m, 2, { DST: d1.DST, p: d1.p, m: d1.m, k: d1.k, expand: d1.expand, hash: d1.hash })
    const p0 = blsMapFpToG1(fp(u0![0]!), 5500n, 'Prague')
    const p1 = blsMapFpToG1(fp(u1![0]!), 5500n, 'Prague')
    assert.ok(p0.ok && p1.ok && p0.gasUsed === 5500n)
    const sum = blsG1Add(concatBytes(p0.output, p1.output), 375n, 'Prague')
    assert.equal(out(sum), hex(writeG1(bls12_381.G1.hashToCurve(m) as BlsG1)))
    const d2 = bls12_381.G2.defaults
    const [v0, v1] = hash_to_field(m, 2, { DST: d2.DST, p: d2.p, m: d2.m, k: d2.k, expand: d2.expand, hash: d2.hash })
    const q0 = blsMapFp2ToG2(concatBytes(fp(v0![0]!), fp(v0![1]!)), 23800n, 'Prague')
    const q1 = blsMapFp2ToG2(concatBytes(fp(v1![0]!), fp(v1![1]!)), 23800n, 'Prague')
    assert.ok(q0.ok && q1.ok && q0.gasUsed === 23800n)
    const sum2 = blsG2Add(concatBytes(q0.output, q1.output), 600n, 'Prague')
    assert.equal(out(sum2), hex(writeG2(bls12_381.G2.hashToCurve(m) as BlsG2)))
  }
  // outputs are subgroup points (accepted by MSM)
  const m = blsMapFpToG1(fp(42n), 5500n, 'Prague')
  assert.ok(m.ok && blsG1Msm(concatBytes(m.output, w(1n)), BIG, 'Prague').ok)
  assert.equal(blsMapFpToG1(fp(BLS_P), 5500n, 'Prague').ok, false)
  assert.equal(blsMapFpToG1(fp(1n).subarray(1), 5500n, 'Prague').ok, false)
  assert.equal(blsMapFpToG1(fp(1n), 5499n, 'Prague').ok, false)
  const padded = fp(1n)
  padded[15] = 1
  assert.equal(blsMapFpToG1(padded, 5500n, 'Prague').ok, false)
  assert.equal(blsMapFp2ToG2(concatBytes(fp(1n), fp(BLS_P)), 23800n, 'Prague').ok, false)
  assert.equal(blsMapFp2ToG2(fp(1n), 23800n, 'Prague').ok, false)
})

test('bls: activation at Prague only', () => {
  for (let b = 0x0b; b <= 0x11; b++) {
    const a = new Uint8Array(20)
    a[19] = b
    assert.equal(getPrecompile(a, 'Cancun'), undefined)
    assert.ok(getPrecompile(a, 'Prague'))
  }
})

test('bls: differential vs @ethereumjs/evm (Prague)', async () => {
  const o = await oracle('Prague')
  const next = rng(0x2537)
  const mutate = (b: Uint8Array): Uint8Array => {
    const c = b.slice()
    const mode = next() % 4
    if (mode === 1) c[next() % c.length]! ^= 1 << (next() % 8)
    if (mode === 2) return c.subarray(0, c.length - 1 - (next() % 3))
    return c
  }
  const cases: [number, () => Uint8Array][] = [
    [0x0b, () => concatBytes(g1(BigInt(next()) + 1n), next() % 3 === 0 ? g1NotInSubgroup() : g1(BigInt(next())))],
    [0x0c, () => concatBytes(g1(BigInt(next()) + 1n), randomBytes(next, 32), g1(BigInt(next()) + 1n), randomBytes(next, 32))],
    [0x0d, () => concatBytes(g2(BigInt(next()) + 1n), g2(BigInt(next()) + 1n))],
    [0x0e, () => concatBytes(g2(BigInt(next()) + 1n), randomBytes(next, 32))],
    [0x10, () => concatBytes(new Uint8Array(16), randomBytes(next, 48))],
    [0x11, () => concatBytes(new Uint8Array(16), randomBytes(next, 48), new Uint8Array(16), randomBytes(next, 48))],
    [0x0f, () => concatBytes(g1(BigInt(next()) + 1n), g2(BigInt(next()) + 1n))],
  ]
  for (const [addr, gen] of cases) {
    const rounds = addr === 0x0f ? 2 : 6
    for (let i = 0; i < rounds; i++) {
      const input = mutate(gen())
      const ours = getPrecompile(Uint8Array.from([...new Uint8Array(19), addr]), 'Prague')!(input, BIG, 'Prague')
      const theirs = await o.run(addr, input, BIG)
      assert.equal(ours.ok, theirs.ok, `0x${addr.toString(16)} #${i}`)
      if (ours.ok && theirs.ok) {
        assert.equal(ours.gasUsed, theirs.gasUsed)
        assert.equal(hex(ours.output), hex(theirs.output), `0x${addr.toString(16)} #${i}`)
      }
    }
  }
})
