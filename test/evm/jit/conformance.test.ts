/**
 * Conformance slice with the JIT forced on from the first call: every
 * VMTests vector (and a few other state-test folders) must give the same
 * verdict under the JIT as under the interpreter, and all must pass. Skips
 * visibly when ../shared/fixtures is absent. (`npm run conformance --
 * --engine jit` runs the whole suite.)
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runStateTestFile, type StateTestJson } from '../../../src/execution/state-test.js'
import { CodeCache } from '../../../src/evm/code.js'
import { Jit } from '../../../src/evm/jit/index.js'

const GST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/ethereum-tests/GeneralStateTests')
const FOLDERS = ['VMTests', 'stMemoryTest', 'stSStoreTest', 'stRefundTest', 'stLogTests', 'stReturnDataTest', 'stRevertTest', 'stCreate2', 'Cancun']

function files(dir: string): string[] {
  const out: string[] = []
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n))
    else if (p.endsWith('.json')) out.push(p)
  }
  if (existsSync(dir)) walk(dir)
  return out
}

for (const folder of FOLDERS) {
  const dir = join(GST, folder)
  test(`conformance --engine jit matches the interpreter: ${folder}`, { skip: existsSync(dir) ? false : `no fixtures at ${dir}` }, () => {
    const interpCache = new CodeCache()
    const jitCache = new CodeCache()
    const jit = new Jit({ threshold: 0 })
    jitCache.jit = jit
    let n = 0
    let failed = 0
    const list = files(dir)
    // keep npm test fast: VMTests every other file, elsewhere at most 12 files spread over the folder
    const step = folder === 'VMTests' ? 2 : Math.max(1, Math.ceil(list.length / 12))
    const picked = list.filter((_, i) => i % step === 0)
    for (const f of picked) {
      const json = JSON.parse(readFileSync(f, 'utf8')) as Record<string, StateTestJson>
      const a = runStateTestFile(json, { codeCache: interpCache })
      const b = runStateTestFile(json, { codeCache: jitCache })
      assert.equal(a.length, b.length)
      for (let i = 0; i < a.length; i++) {
        assert.equal(b[i]!.pass, a[i]!.pass, `${b[i]!.name}: interpreter ${a[i]!.pass ? 'passes' : 'fails'}, jit ${b[i]!.reason ?? 'passes'}`)
        assert.equal(b[i]!.gasUsed, a[i]!.gasUsed, `${b[i]!.name}: gas used`)
        if (!b[i]!.pass) failed++
      }
      n += a.length
    }
    assert.ok(n > 0)
    assert.equal(failed, 0, `${failed} of ${n} vectors fail (in both engines)`)
    assert.ok(jit.stats.compiledRuns > 0)
  })
}
