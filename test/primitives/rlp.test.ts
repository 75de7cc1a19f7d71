/**
 * RLP codec tests: the official ethereum/tests `RLPTests` fixtures (valid
 * vectors encode and decode exactly, invalid ones throw `RlpError`), in-repo
 * vectors so the suite never runs empty, and fast-check properties: round-trip,
 * byte-for-byte agreement with `@ethereumjs/rlp`, canonical decoding, and that
 * arbitrary bytes only ever raise `RlpError`.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { RLP } from '@ethereumjs/rlp'
import { RangeError256, RlpError } from '../../src/primitives/errors.js'
import { bytesToHex, hexToBytes, looseHexToBytes } from '../../src/primitives/hex.js'
import {
  RLP_MAX_DEPTH,
  decodeRlp,
  encodeRlp,
  rlpBigInt,
  rlpBytes,
  rlpList,
  rlpNumber,
  type RlpInput,
  type RlpItem,
} from '../../src/primitives/rlp.js'
import { fixturePath } from './helpers.js'

/** Fixture "in" values: text (UTF-8), integers, `#decimal` big integers, lists. */
type FixtureIn = string | number | FixtureIn[]

const utf8 = new TextEncoder()

function fixtureToInput(v: FixtureIn): RlpInput {
  if (Array.isArray(v)) return v.map(fixtureToInput)
  if (typeof v === 'number') return v
  if (v.startsWith('#')) return BigInt(v.slice(1))
  return utf8.encode(v)
}

/** What decoding gives back for an input: integers become minimal bytes. */
function normalize(v: RlpInput): RlpItem {
  if (Array.isArray(v)) return v.map(normalize)
  if (v instanceof Uint8Array) return v
  return hexToBytes(bigToEvenHex(BigInt(v)))
}

function bigToEvenHex(v: bigint): string {
  if (v === 0n) return '0x'
  const s = v.toString(16)
  return '0x' + (s.length % 2 ? '0' + s : s)
}

function sameItem(a: RlpItem, b: RlpItem): boolean {
  if (a instanceof Uint8Array) return b instanceof Uint8Array && bytesToHex(a) === bytesToHex(b)
  if (!Array.isArray(b) || a.length !== b.length) return false
  return a.every((x, i) => sameItem(x, b[i]!))
}

function assertRlpError(f: () => unknown, msg: string): void {
  assert.throws(f, (e: unknown) => e instanceof RlpError, msg)
}

// ---------------------------------------------------------------- in-repo vectors

/** Small vectors from the RLP specification, kept here so the suite never runs empty. */
const VECTORS: Array<[RlpInput, string]> = [
  [new Uint8Array(0), '0x80'],
  [Uint8Array.of(0), '0x00'],
  [Uint8Array.of(0x7f), '0x7f'],
  [Uint8Array.of(0x80), '0x8180'],
  [utf8.encode('dog'), '0x83646f67'],
  [[utf8.encode('cat'), utf8.encode('dog')], '0xc88363617483646f67'],
  [[], '0xc0'],
  [0, '0x80'],
  [0n, '0x80'],
  [15, '0x0f'],
  [1024, '0x820400'],
  [1000n, '0x8203e8'],
  [[[], [[]], [[], [[]]]], '0xc7c0c1c0c3c0c1c0'],
  [utf8.encode('Lorem ipsum dolor sit amet, consectetur adipisicing elit'), '0xb838' + Buffer.from('Lorem ipsum dolor sit amet, consectetur adipisicing elit').toString('hex')],
  [new Uint8Array(1024).fill(0xaa), '0xb90400' + 'aa'.repeat(1024)],
  [[new Uint8Array(60).fill(1)], '0xf83eb83c' + '01'.repeat(60)],
]

/** Non-canonical or malformed encodings, each for a different rule. */
const BAD: Array<[string, string]> = [
  ['0x', 'empty input'],
  ['0x8100', 'single byte below 0x80 wrapped in a header'],
  ['0x817f', 'single byte below 0x80 wrapped in a header'],
  ['0xb800', 'long form for a short length, leading zero'],
  ['0xb80100', 'long form for a length below 56'],
  ['0xb90037' + '00'.repeat(55), 'long length with a leading zero'],
  ['0xf800', 'list long form, zero length'],
  ['0xf837' + '00'.repeat(55), 'list long form for a length below 56'],
  ['0x83646f', 'truncated string'],
  ['0xc3808080' + '80', 'trailing byte after a list'],
  ['0x8080', 'trailing byte after a string'],
  ['0xc38080', 'list payload runs past the end'],
  ['0xc2838080', 'item runs past its list'],
  ['0xbf0f000000000000021111', 'length of length past the end / huge'],
  ['0xbfffffffffffffffff00', 'length beyond safe integers'],
]

test('in-repo vectors encode exactly and decode back', () => {
  for (const [input, hex] of VECTORS) {
    assert.equal(bytesToHex(encodeRlp(input)), hex)
    assert.ok(sameItem(decodeRlp(hexToBytes(hex)), normalize(input)), hex)
  }
})

test('in-repo malformed encodings throw RlpError', () => {
  for (const [hex, why] of BAD) assertRlpError(() => decodeRlp(hexToBytes(hex)), `${hex}: ${why}`)
  assertRlpError(() => decodeRlp('0x80' as unknown as Uint8Array), 'non-bytes input')
})

// ---------------------------------------------------------------- official fixtures

const rlpDir = fixturePath('ethereum-tests/RLPTests')

function loadJson(file: string): Record<string, { in: FixtureIn; out: string }> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, { in: FixtureIn; out: string }>
}

function fixtureFiles(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...fixtureFiles(p))
    else if (e.name.endsWith('.json')) out.push(p)
  }
  return out.sort()
}

test('ethereum/tests RLPTests', { skip: rlpDir === undefined ? 'RLPTests fixtures missing' : false }, () => {
  let valid = 0
  let invalid = 0
  let opaque = 0
  for (const file of fixtureFiles(rlpDir!)) {
    for (const [name, t] of Object.entries(loadJson(file))) {
      const where = `${file}:${name}`
      if (t.in === 'INVALID') {
        // Every "out" here is hex (some without 0x, one empty); decoding it must fail with RlpError.
        const bytes = looseHexToBytes(t.out)
        assertRlpError(() => decodeRlp(bytes), where)
        invalid++
      } else if (t.in === 'VALID') {
        // Only known valid: must decode and re-encode to the same bytes.
        const bytes = looseHexToBytes(t.out)
        assert.equal(bytesToHex(encodeRlp(decodeRlp(bytes))), bytesToHex(bytes), where)
        opaque++
      } else {
        const input = fixtureToInput(t.in)
        const bytes = looseHexToBytes(t.out)
        assert.equal(bytesToHex(encodeRlp(input)), bytesToHex(bytes), `${where} encode`)
        assert.ok(sameItem(decodeRlp(bytes), normalize(input)), `${where} decode`)
        valid++
      }
    }
  }
  assert.ok(valid >= 28, `expected the 28 rlptest.json vectors, ran ${valid}`)
  assert.ok(invalid >= 26, `expected the 26 invalid vectors, ran ${invalid}`)
  console.log(`# RLPTests: ${valid} valid, ${invalid} invalid, ${opaque} VALID-only`)
})

// ---------------------------------------------------------------- helpers

test('rlpBytes, rlpList, rlpBigInt, rlpNumber narrow and check', () => {
  const item = decodeRlp(hexToBytes('0xcd820400c08800ffffffffffffff'))
  const list = rlpList(item, 'tx')
  assert.equal(rlpNumber(list[0], 'nonce'), 1024)
  assert.equal(rlpBigInt(list[0], 'nonce'), 1024n)
  assertRlpError(() => rlpBytes(list[1], 'to'), 'list is not bytes')
  assertRlpError(() => rlpList(list[0]), 'bytes are not a list')
  assertRlpError(() => rlpBigInt(list[2]), 'leading zero')
  assertRlpError(() => rlpNumber(list[2]), 'leading zero')
  assertRlpError(() => rlpBigInt(undefined), 'missing field')
  assert.equal(rlpBigInt(new Uint8Array(0)), 0n)
  assert.equal(rlpNumber(new Uint8Array(0)), 0)
  assert.equal(rlpBigInt(new Uint8Array(32).fill(0xff)), (1n << 256n) - 1n)
  assertRlpError(() => rlpBigInt(new Uint8Array(33).fill(0xff)), 'too long')
  assert.equal(rlpBigInt(Uint8Array.of(1, 2), 'x', 2), 0x102n)
  assertRlpError(() => rlpBigInt(Uint8Array.of(1, 2, 3), 'x', 2), 'longer than maxBytes')
  assert.equal(rlpNumber(Uint8Array.of(0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), Number.MAX_SAFE_INTEGER)
  assertRlpError(() => rlpNumber(Uint8Array.of(0x20, 0, 0, 0, 0, 0, 0)), 'above 2^53')
  assertRlpError(() => rlpNumber(new Uint8Array(9).fill(1)), 'nine bytes')
})

test('decoding is zero-copy: byte strings are views into the input', () => {
  const input = encodeRlp([new Uint8Array(100).fill(7), Uint8Array.of(1, 2, 3)])
  const [a, b] = rlpList(decodeRlp(input))
  assert.equal(rlpBytes(a).buffer, input.buffer)
  assert.equal(rlpBytes(b).buffer, input.buffer)
})

test('nesting depth is bounded: deep lists give RlpError, not a stack overflow', () => {
  const deep = (n: number): Uint8Array => {
    // n nested empty lists, built from the inside out.
    let inner: RlpInput = []
    for (let i = 1; i < n; i++) inner = [inner]
    return encodeRlp(inner)
  }
  assert.doesNotThrow(() => decodeRlp(deep(RLP_MAX_DEPTH)))
  assertRlpError(() => decodeRlp(deep(RLP_MAX_DEPTH + 1)), 'too deep')
  // 100k opening list headers with nothing inside: must fail cleanly.
  const bogus = new Uint8Array(100_000).fill(0xc1)
  assertRlpError(() => decodeRlp(bogus), 'bogus deep')
})

test('encoding rejects negative and non-integer numbers', () => {
  assert.throws(() => encodeRlp(-1), RangeError256)
  assert.throws(() => encodeRlp([1, -1n]), RangeError256)
  assert.throws(() => encodeRlp(1.5), RangeError256)
})

// ---------------------------------------------------------------- properties

const { item: arbItem } = fc.letrec<{ item: RlpItem; list: RlpItem[] }>((tie) => ({
  item: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 0, maxLength: 1 }), tie('list')),
  list: fc.array(tie('item'), { maxLength: 6 }),
}))

const { item: arbInput } = fc.letrec<{ item: RlpInput; list: RlpInput[] }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small' },
    fc.uint8Array({ maxLength: 70 }),
    fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
    fc.nat(),
    fc.maxSafeNat(),
    tie('list'),
  ),
  list: fc.array(tie('item'), { maxLength: 5 }),
}))

test('property: encode/decode round-trips and matches @ethereumjs/rlp byte-for-byte', () => {
  fc.assert(
    fc.property(arbItem, (item) => {
      const enc = encodeRlp(item)
      assert.ok(sameItem(decodeRlp(enc), item))
      assert.equal(bytesToHex(enc), bytesToHex(RLP.encode(item)))
    }),
    { numRuns: 500 },
  )
  fc.assert(
    fc.property(arbInput, (input) => {
      const enc = encodeRlp(input)
      assert.equal(bytesToHex(enc), bytesToHex(RLP.encode(input)))
      assert.ok(sameItem(decodeRlp(enc), normalize(input)))
    }),
    { numRuns: 500 },
  )
})

test('property: long payloads (lengths >= 56 and >= 256) round-trip and match', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 50, maxLength: 400 }), { maxLength: 8 }), (items) => {
      const enc = encodeRlp(items)
      assert.equal(bytesToHex(enc), bytesToHex(RLP.encode(items)))
      assert.ok(sameItem(decodeRlp(enc), items))
    }),
    { numRuns: 200 },
  )
})

/** Random bytes, biased toward near-valid: valid encodings with one byte changed, truncated or extended. */
const arbMutated = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.tuple(arbItem, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([item, at, v]) => {
    const enc = encodeRlp(item).slice()
    enc[at % enc.length] = v
    return enc
  }),
  fc.tuple(arbItem, fc.nat()).map(([item, cut]) => {
    const enc = encodeRlp(item)
    return enc.subarray(0, cut % (enc.length + 1))
  }),
  fc.tuple(arbItem, fc.uint8Array({ minLength: 1, maxLength: 3 })).map(([item, extra]) => {
    const enc = encodeRlp(item)
    const out = new Uint8Array(enc.length + extra.length)
    out.set(enc)
    out.set(extra, enc.length)
    return out
  }),
)

test('property: decoding arbitrary bytes only throws RlpError; accepted input is canonical and agrees with @ethereumjs/rlp', () => {
  fc.assert(
    fc.property(arbMutated, (bytes) => {
      let ours: RlpItem | undefined
      try {
        ours = decodeRlp(bytes)
      } catch (e) {
        assert.ok(e instanceof RlpError, `non-RlpError ${String(e)} for ${bytesToHex(bytes)}`)
      }
      let theirs: RlpItem | undefined
      try {
        theirs = RLP.decode(bytes) as RlpItem
      } catch {
        theirs = undefined
      }
      if (ours !== undefined) {
        // Canonical: the only encoding of the decoded value is the input itself.
        assert.equal(bytesToHex(encodeRlp(ours)), bytesToHex(bytes))
        assert.ok(theirs !== undefined && sameItem(ours, theirs), `@ethereumjs/rlp rejects ${bytesToHex(bytes)}`)
      } else if (theirs !== undefined) {
        // We may be stricter than the oracle, never looser; what it accepts and we reject must be non-canonical.
        assert.notEqual(bytesToHex(RLP.encode(theirs)), bytesToHex(bytes), `we reject canonical ${bytesToHex(bytes)}`)
      }
    }),
    { numRuns: 3000 },
  )
})
