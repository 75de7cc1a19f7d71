/**
 * A seeded slice of the differential fuzzer (`npm run fuzz:jit`): random,
 * structured and (when ../shared/fixtures is present) mutated fixture
 * programs run on the interpreter and the JIT; every outcome must match.
 * Also checks that the shrinker reduces a mismatch to a small reproducer,
 * using a deliberately wrong engine.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fuzz, loadCorpus } from '../../../scripts/fuzz-jit.js'
import { describeCase, differential, hex, shrink, type FuzzCase } from '../../../src/evm/jit/differential.js'
import { Jit } from '../../../src/evm/jit/jit.js'

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures')

test('seeded differential fuzz: generated programs', () => {
  const s = fuzz(400, 20260101, [])
  assert.equal(s.mismatches, 0, s.reproducers.join('\n'))
  assert.ok(s.runs >= 400)
  assert.ok(s.compiledRuns > 400, `JIT ran ${s.compiledRuns} frames`)
})

test('seeded differential fuzz: fixture contracts, original and mutated', { skip: existsSync(fixtures) ? false : `no fixtures at ${fixtures}` }, () => {
  const corpus = loadCorpus(fixtures, 60, 7)
  assert.ok(corpus.length > 20, `${corpus.length} codes`)
  const s = fuzz(400, 424242, corpus)
  assert.equal(s.mismatches, 0, s.reproducers.join('\n'))
  assert.ok((s.kinds['fixture'] ?? 0) + (s.kinds['fixture-mutated'] ?? 0) > 50)
})

test('the shrinker reduces a mismatch to a minimal reproducer', () => {
  // a deliberately broken tier: loses 1 gas on RETURN in any code containing an ADD byte
  class BadJit extends Jit {
    override run(...args: Parameters<Jit['run']>): number {
      const s = super.run(...args)
      const f = args[1]
      if (s === 1 && f.code.raw.includes(0x01)) f.gas -= 1
      return s
    }
  }
  const jit = new BadJit({ threshold: 0 })
  const big: FuzzCase = { code: hex('6001600101' + '5b'.repeat(40) + '6000526020' + '6000f3'), calldata: hex('00'.repeat(40)), value: 3n, gas: 100000, depth: 0, isStatic: false, storage: [[1n, 2n]] }
  assert.ok(differential(big, jit).mismatch !== undefined)
  const small = shrink(big, jit)
  assert.ok(differential(small, jit).mismatch !== undefined, 'still a mismatch')
  assert.ok(small.code.length <= 8, `shrunk to ${small.code.length} bytes`)
  assert.equal(small.calldata.length, 0)
  assert.deepEqual(small.storage, [])
  assert.match(describeCase(small), /^code=0x[0-9a-f]+ calldata=0x /)
})
