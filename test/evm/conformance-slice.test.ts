/**
 * The CI guard for EVM conformance: every VMTests vector plus a fixed sample
 * (every 4th file) of each other GeneralStateTests folder, run through the
 * same state-test runner as `npm run conformance`, checking post-state roots
 * and logs hashes. Slow folders/names follow the runner's documented list.
 * Budget: well under 3 minutes on a 2-core box.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runStateTestFile, type StateTestJson } from '../../src/execution/state-test.js'
import { CodeCache } from '../../src/evm/code.js'
import { SLOW_DIRS, SLOW_NAMES } from '../../scripts/conformance.js'

const here = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(here, '../../../../shared/fixtures/ethereum-tests/GeneralStateTests')
const SAMPLE_EVERY = 4

function files(dir: string): string[] {
  const out: string[] = []
  const walk = (p: string): void => {
    for (const n of readdirSync(p).sort()) {
      const q = join(p, n)
      if (statSync(q).isDirectory()) walk(q)
      else if (n.endsWith('.json')) out.push(q)
    }
  }
  walk(dir)
  return out
}

const cache = new CodeCache()

function runFiles(list: string[]): { pass: number; failures: string[] } {
  let pass = 0
  const failures: string[] = []
  for (const f of list) {
    const json = JSON.parse(readFileSync(f, 'utf8')) as Record<string, StateTestJson>
    for (const n of Object.keys(json)) if (SLOW_NAMES.includes(n)) delete json[n]
    for (const r of runStateTestFile(json, { fork: 'Cancun', codeCache: cache })) {
      if (r.pass) pass++
      else failures.push(`${r.name}: ${r.reason}`)
    }
  }
  return { pass, failures }
}

const available = existsSync(ROOT)

test('VMTests: every vector passes', { skip: !available && 'fixtures not found' }, () => {
  const r = runFiles(files(join(ROOT, 'VMTests')))
  assert.deepEqual(r.failures, [])
  assert.ok(r.pass > 600, `only ${r.pass} vectors ran`)
})

if (available) {
  const folders = readdirSync(ROOT)
    .filter((n) => n !== 'VMTests' && !SLOW_DIRS.includes(n) && statSync(join(ROOT, n)).isDirectory())
    .sort()
  for (const folder of folders) {
    test(`GeneralStateTests/${folder}: sample passes`, () => {
      const all = files(join(ROOT, folder))
      const sample = all.filter((_, i) => i % SAMPLE_EVERY === 0)
      const r = runFiles(sample)
      assert.deepEqual(r.failures, [])
    })
  }
}
