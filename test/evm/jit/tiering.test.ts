/**
 * Tiering tests: contracts start in the interpreter, are compiled after the
 * threshold of frame entries, the compiled cache is bounded (least recently
 * used evicted), asynchronous compilation stays off the call path, a
 * code the compiler rejects keeps running in the interpreter, and the
 * relayout by run-time hotness merges the regions of hot exit edges and
 * takes over the running frame with the same results.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as tick } from 'node:timers/promises'
import { analyzeCode } from '../../../src/evm/code.js'
import { forkTables } from '../../../src/evm/opcodes.js'
import { compareOutcomes, type FuzzCase, hex, runCase } from '../../../src/evm/jit/differential.js'
import { Jit } from '../../../src/evm/jit/jit.js'
import { compile } from '../../../src/evm/jit/compiler.js'

const T = forkTables('Cancun')
const LOOP = '600a5b6001900380600257' + '00'

function mk(code: string): FuzzCase {
  return { code: hex(code), calldata: new Uint8Array(0), value: 0n, gas: 1_000_000, depth: 0, isStatic: false, storage: [] }
}

test('hot code is compiled after `threshold` frame entries and gives the same results', () => {
  const jit = new Jit({ threshold: 3 })
  const ref = runCase(mk(LOOP), undefined)
  // each runCase builds a fresh CodeCache, so count entries through one analysed code instead
  const code = analyzeCode(hex(LOOP))
  for (let i = 1; i <= 2; i++) {
    assert.equal(jit.compiled(code, T), undefined, `not compiled after ${i} entries`)
    ;(jit as unknown as { tierUp(c: typeof code, t: typeof T): unknown }).tierUp(code, T)
  }
  ;(jit as unknown as { tierUp(c: typeof code, t: typeof T): unknown }).tierUp(code, T)
  assert.ok(jit.compiled(code, T), 'compiled at the threshold')
  assert.equal(jit.stats.compiled, 1)
  assert.ok(jit.stats.compileMs > 0)
  // end to end: the Jit with threshold 1 compiles on the first call
  const j1 = new Jit({ threshold: 1 })
  const out = runCase(mk(LOOP), j1)
  assert.equal(compareOutcomes(ref, out), undefined)
  assert.equal(j1.stats.compiled, 1)
  assert.equal(j1.stats.compiledRuns, 1)
})

test('cold code stays in the interpreter', () => {
  const jit = new Jit({ threshold: 100 })
  const out = runCase(mk(LOOP), jit)
  assert.equal(out.kind, 'success')
  assert.equal(jit.stats.compiled, 0)
  assert.equal(jit.stats.compiledRuns, 0)
  assert.equal(jit.stats.interpretedRuns, 1)
})

test('the compiled-code cache is bounded and evicts the least recently used code', () => {
  const jit = new Jit({ threshold: 0, maxEntries: 2 })
  const codes = ['600100', '600200', '600300'].map((c) => analyzeCode(hex(c)))
  jit.compileNow(codes[0]!, T)
  jit.compileNow(codes[1]!, T)
  // touch code 0 so code 1 is the least recently used
  const e = (jit as unknown as { cache: Map<unknown, { lastUse: number }> }).cache.get(codes[0]!)!
  e.lastUse = 1e9
  jit.compileNow(codes[2]!, T)
  assert.equal(jit.size, 2)
  assert.equal(jit.stats.evictions, 1)
  assert.ok(jit.compiled(codes[0]!, T))
  assert.equal(jit.compiled(codes[1]!, T), undefined)
  assert.ok(jit.compiled(codes[2]!, T))
})

test('async compilation runs after the call, off the critical path', async () => {
  const jit = new Jit({ threshold: 2, async: true })
  const code = analyzeCode(hex(LOOP))
  const up = (jit as unknown as { tierUp(c: typeof code, t: typeof T): unknown }).tierUp.bind(jit)
  assert.equal(up(code, T), undefined)
  assert.equal(up(code, T), undefined, 'threshold reached: queued, not compiled inline')
  assert.equal(jit.stats.compiled, 0)
  await tick()
  assert.equal(jit.stats.compiled, 1)
  assert.ok(jit.compiled(code, T))
})

test('code over the size limit is never compiled and still runs', () => {
  const jit = new Jit({ threshold: 0, maxCodeSize: 4 })
  const out = runCase(mk(LOOP), jit)
  assert.equal(out.kind, 'success')
  assert.equal(jit.stats.compiled, 0)
})

test('adaptive tiering demotes a code that runs slower compiled than interpreted, and keeps one that runs faster', () => {
  const jit = new Jit({ threshold: 2, evalMs: 10 })
  assert.equal(jit.adaptive, true)
  assert.equal(new Jit({ threshold: 1 }).adaptive, false)
  type P = { iGas: number; iMs: number; warmMs: number; jGas: number; jMs: number; done: boolean }
  const internals = jit as unknown as { profiles: WeakMap<object, P>; judge(c: object, p: P, gas: number, ms: number): void }
  const slow = analyzeCode(hex('600100'))
  const fast = analyzeCode(hex('600200'))
  jit.compileNow(slow, T)
  jit.compileNow(fast, T)
  for (const [code, jitGasPerMs] of [[slow, 500], [fast, 2000]] as const) {
    const p: P = { iGas: 1000, iMs: 1, warmMs: 0, jGas: 0, jMs: 0, done: false }
    internals.profiles.set(code, p)
    internals.judge(code, p, 0, 10) // warm-up: not measured
    assert.equal(p.jMs, 0)
    internals.judge(code, p, jitGasPerMs * 5, 5)
    assert.equal(p.done, false)
    internals.judge(code, p, jitGasPerMs * 5, 5)
    assert.equal(p.done, true)
  }
  assert.equal(jit.isDemoted(slow), true)
  assert.equal(jit.compiled(slow, T), undefined, 'demoted code leaves the cache')
  assert.equal(jit.isDemoted(fast), false)
  assert.ok(jit.compiled(fast, T))
  assert.equal(jit.stats.demoted, 1)
})

test('adaptive tiering gives the interpreter results while it measures and after it decides', () => {
  const jit = new Jit({ threshold: 3, evalMs: 0.01 })
  const ref = runCase(mk(LOOP), undefined)
  // one analysed code across runs, through the public FrameRunner entry
  for (let i = 0; i < 40; i++) assert.equal(compareOutcomes(ref, runCase(mk(LOOP), jit)), undefined)
})

// 50 calls of an internal function (block 4, pc 21) from a loop (blocks 1 and 2): the call is a
// static jump, the return a computed one, so the static layout cannot see the cycle 1 → 4 → 2 → 1
const CALL_LOOP = '60325b6008601556' + '5b600190038060025760205ff3' + '5b5f516003015f5256'

test('relayout: hot exit edges merge their regions; the frame continues in the recompiled code with the same results', () => {
  // tier 1's layout alone (the wasm tier would take the loop's blocks out of the JS regions)
  const code = analyzeCode(hex(CALL_LOOP))
  const plain = compile(code, T, { regionChars: 150, profile: true, wasm: false })
  assert.equal(plain.regions.length, 5, 'one region per block at this region size')
  assert.ok(plain.hot !== undefined && plain.hot.leaves === 0)
  const merged = compile(code, T, { regionChars: 150, hotEdges: [[1, 4, 50], [4, 2, 50], [2, 1, 49]], wasm: false })
  assert.equal(merged.hot, undefined, 'no recording without `profile`')
  assert.equal(merged.regionOf[1], merged.regionOf[4])
  assert.equal(merged.regionOf[2], merged.regionOf[4])
  assert.ok(merged.regions.length < plain.regions.length)
  assert.deepEqual([...merged.blockAt], [...plain.blockAt], 'block ids are unchanged')
  // end to end: the relayout happens mid-frame after 20 region exits
  const ref = runCase(mk(CALL_LOOP), undefined)
  assert.equal(ref.output, '00'.repeat(31) + '96')
  const jit = new Jit({ threshold: 0, regionChars: 150, hotLeaves: 20, wasm: false })
  assert.equal(compareOutcomes(ref, runCase(mk(CALL_LOOP), jit)), undefined)
  assert.equal(jit.stats.relayouts, 1)
  // out of gas at every point of the run, before and after the switch
  for (let gas = 0; gas < 1_000_000 - Number(ref.gasLeft); gas += 97) {
    const c = { ...mk(CALL_LOOP), gas }
    assert.equal(compareOutcomes(runCase(c, undefined), runCase(c, new Jit({ threshold: 0, regionChars: 150, hotLeaves: 20, wasm: false }))), undefined, `gas ${gas}`)
  }
  const off = new Jit({ threshold: 0, regionChars: 150, hotLeaves: 0, wasm: false })
  assert.equal(compareOutcomes(ref, runCase(mk(CALL_LOOP), off)), undefined)
  assert.equal(off.stats.relayouts, 0)
})

test('relayout with async: true is compiled from setImmediate, off the running frame', async () => {
  const ref = runCase(mk(CALL_LOOP), undefined)
  const jit = new Jit({ threshold: 1, async: true, adaptive: false, regionChars: 150, hotLeaves: 20, wasm: false })
  assert.equal(compareOutcomes(ref, runCase(mk(CALL_LOOP), jit)), undefined)
  assert.equal(jit.stats.relayouts, 0, 'not during the frame')
  await tick()
  assert.equal(jit.stats.relayouts, 1)
})
