/**
 * Differential fuzzer, JIT vs interpreter (issue 6):
 *
 *   npm run fuzz:jit -- --programs N [--seed S] [--fork Cancun] [--no-fixtures] [--max-mismatches K]
 *
 * Each program is run by both engines (JIT forced on from the first call)
 * and every outcome is compared: status, gas left, refund, return data,
 * logs, created address and the state diff. Programs are a mix of
 * structured random programs (loops, calls, creates, storage, logs, jumps),
 * chains of 64/32-bit arithmetic (the compiler's 64-bit specialisation),
 * random bytes, and mutations of real contract code from
 * ../shared/fixtures/evm-benchmarks and GeneralStateTests (original and
 * mutated, with selectors taken from the code). A second run of each
 * program with a random gas limit below what it used makes out-of-gas
 * happen at arbitrary instructions. On a mismatch the case is shrunk and a
 * reproducer is printed. Exits 1 when any mismatch was found.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseFork, type Fork } from '../src/eth/fork.js'
import { describeCase, differential, type FuzzCase, forcedJit, genCalldata, genCase, genNarrow, genRandom, genStructured, genWasmLoop, hex, mutate, Rng, selectors, shrink } from '../src/evm/jit/differential.js'
import { Jit } from '../src/evm/jit/jit.js'

/** Contract codes (and a calldata each) from the fixtures. */
export function loadCorpus(root: string, maxFiles = 400, seed = 1): { code: Uint8Array; calldata: Uint8Array | undefined }[] {
  const out: { code: Uint8Array; calldata: Uint8Array | undefined }[] = []
  const files: string[] = []
  const walk = (p: string, depth: number): void => {
    if (!existsSync(p)) return
    const s = statSync(p)
    if (s.isDirectory()) {
      if (depth > 6) return
      for (const n of readdirSync(p).sort()) walk(join(p, n), depth + 1)
    } else if (p.endsWith('.json') && s.size < 3_000_000) files.push(p)
  }
  walk(join(root, 'evm-benchmarks'), 0)
  const bench = files.length
  walk(join(root, 'ethereum-tests', 'GeneralStateTests'), 0)
  const r = new Rng(seed)
  const chosen = files.slice(0, bench)
  const rest = files.slice(bench).filter((f) => !f.includes('stTimeConsuming') && !f.includes('stQuadratic'))
  for (let i = 0; i < maxFiles && rest.length > 0; i++) chosen.push(rest.splice(r.int(rest.length), 1)[0]!)
  const seen = new Set<string>()
  for (const f of chosen) {
    try {
      // fixture JSON is untyped; only `pre[*].code` and `transaction.data[0]` are read, through string checks
      const json = JSON.parse(readFileSync(f, 'utf8')) as Record<string, { pre?: Record<string, { code?: unknown }>; transaction?: { data?: unknown[] } }>
      for (const t of Object.values(json)) {
        const d = t.transaction?.data?.[0]
        const calldata = typeof d === 'string' && /^0x[0-9a-fA-F]*$/.test(d) && d.length % 2 === 0 ? hex(d) : undefined
        for (const a of Object.values(t.pre ?? {})) {
          const c = a.code
          if (typeof c !== 'string' || c.length <= 2 || !/^0x[0-9a-fA-F]*$/.test(c) || c.length % 2 !== 0 || seen.has(c)) continue
          seen.add(c)
          out.push({ code: hex(c), calldata })
        }
      }
    } catch {
      // a malformed or non-state-test JSON file: skip it
    }
  }
  return out
}

/** Summary of a fuzz run. */
export interface FuzzSummary {
  programs: number
  runs: number
  mismatches: number
  kinds: Record<string, number>
  reproducers: string[]
  /** Frame runs that started in compiled code / were left to the interpreter (JIT side). */
  compiledRuns: number
  interpretedRuns: number
  /** Recompilations with hot edges merged into regions (the relayout JIT of every third program). */
  relayouts: number
  /** Wasm tier (both JITs): compiled regions, entries, exits to the interpreter before an instruction. */
  wasmRegions: number
  wasmEntries: number
  wasmBails: number
}

/** Region size of the fuzzer's relayout JIT: small, so that even short programs have several regions. */
const RELAYOUT_REGION_CHARS = 120
/** Region exits before the fuzzer's relayout JIT recompiles: early, so that most frames switch code mid-run. */
const RELAYOUT_HOT_LEAVES = 1

/** Run `programs` programs (each once with a generous gas limit and once with a random smaller one). */
export function fuzz(programs: number, seed: number, corpus: { code: Uint8Array; calldata: Uint8Array | undefined }[], fork: Fork = 'Cancun', maxMismatches = 3, log: (s: string) => void = () => {}): FuzzSummary {
  const r = new Rng(seed)
  const plain = forcedJit()
  // every third program: tiny regions and a relayout after a few region exits, so that
  // hot-edge region merging and the switch to the recompiled code mid-frame are exercised
  const relaid = new Jit({ threshold: 0, regionChars: RELAYOUT_REGION_CHARS, hotLeaves: RELAYOUT_HOT_LEAVES })
  const sum: FuzzSummary = { programs: 0, runs: 0, mismatches: 0, kinds: {}, reproducers: [], compiledRuns: 0, interpretedRuns: 0, relayouts: 0, wasmRegions: 0, wasmEntries: 0, wasmBails: 0 }
  for (let i = 0; i < programs; i++) {
    const k = r.int(10)
    let c: FuzzCase
    let kind: string
    if (k < 3 || (corpus.length === 0 && k >= 7)) {
      kind = 'structured'
      c = genCase(r, genStructured(r))
    } else if (k < 4 || (corpus.length === 0 && k === 6)) {
      kind = 'narrow'
      c = genCase(r, genNarrow(r))
    } else if (k < 5) {
      kind = 'random'
      c = genCase(r, genRandom(r))
    } else if (k < 7) {
      kind = 'wasm'
      c = genCase(r, genWasmLoop(r))
    } else {
      const src = r.pick(corpus)
      const mutated = r.int(3) !== 0
      kind = mutated ? 'fixture-mutated' : 'fixture'
      const code = mutated ? mutate(r, src.code) : src.code
      c = genCase(r, code, src.calldata !== undefined && r.int(2) === 0 ? src.calldata : genCalldata(r, selectors(code)))
    }
    const jit = i % 3 === 2 ? relaid : plain
    sum.programs++
    sum.kinds[kind] = (sum.kinds[kind] ?? 0) + 1
    const cases = [c]
    const first = differential(c, jit, fork)
    sum.runs++
    let bad = first.mismatch !== undefined ? c : undefined
    if (bad === undefined) {
      const used = c.gas - first.interp.gasLeft
      if (used > 0) {
        const c2 = { ...c, gas: r.int(used + 1) }
        cases.push(c2)
        sum.runs++
        if (differential(c2, jit, fork).mismatch !== undefined) bad = c2
      }
    }
    if (bad !== undefined) {
      sum.mismatches++
      const small = shrink(bad, jit, fork)
      const d = differential(small, jit, fork)
      const line = `MISMATCH (${kind}, program ${i}, seed ${seed}): ${d.mismatch}\n  reproducer: ${describeCase(small)}\n  interpreter: ${d.interp.kind} ${d.interp.error}\n  jit: ${d.jit.kind} ${d.jit.error}`
      sum.reproducers.push(line)
      log(line)
      if (sum.mismatches >= maxMismatches) break
    }
  }
  sum.compiledRuns = plain.stats.compiledRuns + relaid.stats.compiledRuns
  sum.interpretedRuns = plain.stats.interpretedRuns + relaid.stats.interpretedRuns
  sum.relayouts = relaid.stats.relayouts
  sum.wasmRegions = plain.stats.wasmRegions + relaid.stats.wasmRegions
  sum.wasmEntries = plain.stats.wasm.entries + relaid.stats.wasm.entries
  sum.wasmBails = plain.stats.wasm.bails + relaid.stats.wasm.bails
  return sum
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  let programs = 1000
  let seed = 1
  let fork: Fork = 'Cancun'
  let fixtures = true
  let maxMismatches = 5
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--programs') programs = Number(args[++i])
    else if (a === '--seed') seed = Number(args[++i])
    else if (a === '--fork') {
      const f = parseFork(args[++i]!)
      if (!f) throw new RangeError(`unknown fork ${args[i]}`)
      fork = f
    } else if (a === '--no-fixtures') fixtures = false
    else if (a === '--max-mismatches') maxMismatches = Number(args[++i])
    else throw new RangeError(`unknown argument ${a}`)
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures')
  const t0 = performance.now()
  const corpus = fixtures ? loadCorpus(root, 400, seed) : []
  console.log(`corpus: ${corpus.length} contract codes from ${root}${corpus.length === 0 ? ' (none found: random programs only)' : ''}`)
  const s = fuzz(programs, seed, corpus, fork, maxMismatches, (l) => console.log(l))
  const secs = (performance.now() - t0) / 1000
  console.log(`${s.programs} programs (${Object.entries(s.kinds).map(([k, v]) => `${v} ${k}`).join(', ')}), ${s.runs} differential runs (JIT side: ${s.compiledRuns} frame runs compiled, ${s.interpretedRuns} left to the interpreter; ${s.relayouts} relayouts; wasm tier: ${s.wasmRegions} regions, ${s.wasmEntries} entries, ${s.wasmBails} exits to the interpreter), ${s.mismatches} mismatches, ${secs.toFixed(1)}s, seed ${seed}`)
  process.exit(s.mismatches > 0 ? 1 : 0)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
