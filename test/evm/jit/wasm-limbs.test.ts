/**
 * WebAssembly tier, unit level: the binary encoder's LEB128 integers, and
 * every 256-bit limb helper of `wasm/limbs.ts` against BigInt (fast-check
 * properties over values biased to limb boundaries: 0, 1, 2^64 ± 1, 2^128,
 * 2^255, 2^256 − 1, powers of two), with tier 1's expressions as the
 * reference.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { sleb, uleb } from '../../../src/evm/jit/wasm/encoder.js'
import { getArena, getWord, helperModule, putWord, H } from '../../../src/evm/jit/wasm/limbs.js'
import { sar, sdiv, smod, signExtend, expValue, addmod } from '../../../src/evm/jit/runtime.js'

const MAX = (1n << 256n) - 1n
const Q = 4096 // scratch address for operands (inside the stack area)

/** Words biased towards limb and sign boundaries. */
const edge = fc.constantFrom(0n, 1n, 2n, 31n, 32n, 255n, 256n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 1n << 64n, (1n << 64n) + 1n, (1n << 128n) - 1n, 1n << 128n, 1n << 192n, 1n << 255n, MAX, MAX - 1n)
const pow2 = fc.integer({ min: 0, max: 255 }).map((k) => 1n << BigInt(k))
const narrow = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const word = fc.oneof(edge, pow2, narrow, fc.bigInt({ min: 0n, max: MAX }), fc.integer({ min: 0, max: 300 }).map(BigInt))

const mod = helperModule()
const u = getArena().u64

/** Run binary helper `name` on (a = first popped, b) and read the result. */
function bin(name: keyof typeof H, a: bigint, b: bigint): bigint {
  // all ones in the word below and above the operands: a read outside them shows
  putWord(u, Q - 32, MAX)
  putWord(u, Q + 64, MAX)
  putWord(u, Q + 32, a)
  putWord(u, Q, b)
  ;(mod[name] as (q: number) => void)(Q)
  return getWord(u, Q)
}

const toS = (x: bigint): bigint => (x >= 1n << 255n ? x - (1n << 256n) : x)
const REF: [keyof typeof H, (a: bigint, b: bigint) => bigint][] = [
  ['add', (a, b) => (a + b) & MAX],
  ['sub', (a, b) => (a - b) & MAX],
  ['mul', (a, b) => (a * b) & MAX],
  ['div', (a, b) => (b === 0n ? 0n : a / b)],
  ['mod', (a, b) => (b === 0n ? 0n : a % b)],
  ['lt', (a, b) => (a < b ? 1n : 0n)],
  ['gt', (a, b) => (a > b ? 1n : 0n)],
  ['slt', (a, b) => (toS(a) < toS(b) ? 1n : 0n)],
  ['sgt', (a, b) => (toS(a) > toS(b) ? 1n : 0n)],
  ['eq', (a, b) => (a === b ? 1n : 0n)],
  ['and', (a, b) => a & b],
  ['or', (a, b) => a | b],
  ['xor', (a, b) => a ^ b],
  ['shl', (a, b) => (a < 256n ? (b << a) & MAX : 0n)],
  ['shr', (a, b) => (a < 256n ? b >> a : 0n)],
  ['sar', (a, b) => sar(a, b)],
  ['byte', (a, b) => (a < 32n ? (b >> (248n - a * 8n)) & 0xffn : 0n)],
]

test('LEB128 encodings', () => {
  assert.deepEqual(uleb(0), [0])
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26])
  assert.deepEqual(sleb(-123456n), [0xc0, 0xbb, 0x78])
  assert.deepEqual(sleb(63n), [0x3f])
  assert.deepEqual(sleb(64n), [0xc0, 0x00])
  assert.deepEqual(sleb(-1n), [0x7f])
  assert.deepEqual(sleb(-(1n << 63n)), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f])
})

test('limb words round-trip through the arena', () => {
  fc.assert(fc.property(word, (v) => {
    putWord(u, Q, v)
    assert.equal(getWord(u, Q), v)
  }), { numRuns: 500 })
})

for (const [name, ref] of REF) {
  test(`wasm ${name} equals BigInt`, () => {
    fc.assert(fc.property(word, word, (a, b) => {
      assert.equal(bin(name, a, b), ref(a, b), `${name}(${a}, ${b})`)
    }), { numRuns: 1500 })
  })
}

test('wasm iszero, not, bswap, mcost, expBytes equal their references', () => {
  fc.assert(fc.property(word, (v) => {
    putWord(u, Q, v)
    ;(mod.iszero as (q: number) => void)(Q)
    assert.equal(getWord(u, Q), v === 0n ? 1n : 0n)
    putWord(u, Q, v)
    ;(mod.not as (q: number) => void)(Q)
    assert.equal(getWord(u, Q), MAX ^ v)
    putWord(u, Q, v)
    const bytes = v === 0n ? 0 : (v.toString(16).length + 1) >> 1
    assert.equal((mod.expBytes as (q: number) => bigint)(Q), BigInt(bytes))
  }), { numRuns: 1000 })
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (x) => {
    const sw = BigInt.asIntN(64, BigInt('0x' + x.toString(16).padStart(16, '0').match(/../g)!.reverse().join('')))
    assert.equal((mod.bswap as (x: bigint) => bigint)(BigInt.asIntN(64, x)), sw)
  }), { numRuns: 500 })
  for (const w of [0n, 1n, 511n, 512n, 32768n]) assert.equal((mod.mcost as (x: bigint) => bigint)(w), 3n * w + (w * w) / 512n)
})

test('the BigInt callback runs tier 1 expressions for the wide ops', () => {
  const big = mod.big as unknown as (op: number, q: number) => void
  fc.assert(fc.property(word, word, word, (a, b, c) => {
    const two: [number, bigint][] = [[0x04, b === 0n ? 0n : a / b], [0x05, sdiv(a, b)], [0x06, b === 0n ? 0n : a % b], [0x07, smod(a, b)], [0x0a, expValue(a, b)], [0x0b, signExtend(a, b)]]
    for (const [op, want] of two) {
      putWord(u, Q + 32, a)
      putWord(u, Q, b)
      big(op, Q)
      assert.equal(getWord(u, Q), want, `op ${op}`)
    }
    putWord(u, Q + 64, a)
    putWord(u, Q + 32, b)
    putWord(u, Q, c)
    big(0x08, Q)
    assert.equal(getWord(u, Q), addmod(a, b, c))
    putWord(u, Q + 64, a)
    putWord(u, Q + 32, b)
    putWord(u, Q, c)
    big(0x09, Q)
    assert.equal(getWord(u, Q), c === 0n ? 0n : (a * b) % c)
  }), { numRuns: 300 })
})
