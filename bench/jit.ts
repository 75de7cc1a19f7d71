/**
 * JIT benchmark (issue 6): our interpreter, our JIT and @ethereumjs/evm in
 * the same run on ../shared/fixtures/evm-benchmarks.
 *
 *   npm run bench:jit -- [--filter name] [--min-ms 1000] [--warmup-ms 3000] [--no-ejs] [--engine both|jit|interp] [--clock cpu|wall] [--hot-leaves N] [--no-wasm]
 *
 * Each fixture's call is run as a top-level message into pre-deployed code
 * (`Evm.execute` on a fresh overlay per run; `runCall` with a checkpoint and
 * revert for ethereumjs), so all three engines execute the same work. Gas
 * used is checked to agree between the engines. The JIT is measured after
 * compilation and warm-up; compile time is reported apart. Prints a table,
 * then a last line of JSON `{"bench":"jit",...,"ratio":…}` where `ratio` is
 * the geometric mean of JIT speed-up over our interpreter on the
 * compute-heavy set.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { createEVM } from '@ethereumjs/evm'
import { Account, Address, hexToBytes } from '@ethereumjs/util'
import { CodeCache } from '../src/evm/code.js'
import { CallKind, type BlockEnv } from '../src/evm/env.js'
import { Evm } from '../src/evm/interpreter.js'
import { Jit } from '../src/evm/jit/index.js'
import { MemoryState } from '../src/state/memory.js'
import { addressToBigInt, StateOverlay } from '../src/state/overlay.js'
import { looseHexToBytes, hexToBigInt } from '../src/primitives/hex.js'

interface Fixture {
  name: string
  file: string
  group: 'compute' | 'storage'
}

const FIXTURES: Fixture[] = [
  { name: 'snailtracer', file: 'ipsilon/benchmarks/main/snailtracer.json', group: 'compute' },
  { name: 'blake2b_huff', file: 'ipsilon/benchmarks/main/blake2b_huff.json', group: 'compute' },
  { name: 'blake2b_shifts', file: 'ipsilon/benchmarks/main/blake2b_shifts.json', group: 'compute' },
  { name: 'sha1_divs', file: 'ipsilon/benchmarks/main/sha1_divs.json', group: 'compute' },
  { name: 'sha1_shifts', file: 'ipsilon/benchmarks/main/sha1_shifts.json', group: 'compute' },
  { name: 'weierstrudel', file: 'ipsilon/benchmarks/main/weierstrudel.json', group: 'compute' },
  { name: 'swap_math', file: 'ipsilon/benchmarks/main/swap_math.json', group: 'compute' },
  { name: 'fibonacci', file: 'revmc/data/fibonacci-calldata.json', group: 'compute' },
  { name: 'factorial', file: 'revmc/data/factorial.json', group: 'compute' },
  { name: 'hash_10k', file: 'revmc/data/hash_10k.json', group: 'compute' },
  { name: 'erc20_transfer', file: 'revmc/data/erc20_transfer.json', group: 'storage' },
  { name: 'uniswap_v2_pair', file: 'revmc/data/uniswap_v2_pair.json', group: 'storage' },
]

/** Gas given to each call (fits a JS number; above every fixture's use). */
const GAS = 4_000_000_000

interface Prepared {
  pre: MemoryState
  preJson: Record<string, { balance?: string; nonce?: string; code?: string; storage?: Record<string, string> }>
  block: BlockEnv
  caller: bigint
  to: bigint
  data: Uint8Array[]
  value: bigint
}

// fixture JSON is untyped: fields are read through the checked hex parsers
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function prepare(file: string): Prepared {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { env: Record<string, string>; pre: Prepared['preJson']; transaction: Record<string, unknown> | Record<string, unknown>[] }>
  const t = Object.values(json)[0]!
  const tx = (Array.isArray(t.transaction) ? t.transaction[0]! : t.transaction) as Record<string, unknown>
  const pre = new MemoryState()
  for (const [addr, a] of Object.entries(t.pre)) {
    pre.setAccount(looseHexToBytes(addr), {
      nonce: hexToBigInt(a.nonce ?? '0x0'),
      balance: hexToBigInt(a.balance ?? '0x0'),
      code: looseHexToBytes(a.code ?? '0x'),
      storage: Object.entries(a.storage ?? {}).map(([k, v]) => [hexToBigInt(k), hexToBigInt(v)] as [bigint, bigint]),
    })
  }
  const env = t.env
  const block: BlockEnv = {
    number: hexToBigInt(env.currentNumber ?? '0x1'),
    timestamp: hexToBigInt(env.currentTimestamp ?? '0x1'),
    coinbase: looseHexToBytes(env.currentCoinbase ?? '0x' + '00'.repeat(20)),
    gasLimit: 30_000_000n,
    baseFee: 0n,
    prevRandao: new Uint8Array(32),
    blobBaseFee: 1n,
    chainId: 1n,
    fork: 'Cancun',
  }
  const sender = typeof tx.sender === 'string' ? tx.sender : '0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b'
  const dataRaw = Array.isArray(tx.data) ? (tx.data as string[]) : [String(tx.data ?? '0x')]
  const valueRaw = Array.isArray(tx.value) ? String((tx.value as unknown[])[0]) : String(tx.value ?? '0x0')
  return {
    pre,
    preJson: t.pre,
    block,
    caller: addressToBigInt(looseHexToBytes(sender)),
    to: addressToBigInt(looseHexToBytes(String(tx.to))),
    data: dataRaw.map((d) => looseHexToBytes(d)),
    value: hexToBigInt(valueRaw),
  }
}

/** One run on our engine: gas used, output length. */
function runOurs(p: Prepared, data: Uint8Array, codeCache: CodeCache, jit: Jit | undefined): { gas: number; ok: boolean } {
  const state = new StateOverlay(p.pre)
  const evm = jit !== undefined ? new Evm(state, p.block, { codeCache, jit }) : new Evm(state, p.block, { codeCache })
  state.beginTransaction()
  evm.tx = { origin: p.caller, gasPrice: 0n, blobHashes: [] }
  state.warmAccount(state.account(p.caller))
  state.warmAccount(state.account(p.to))
  for (let i = 1n; i <= 10n; i++) state.warmAccount(state.account(i))
  state.warmAccount(state.account(evm.coinbase))
  const r = evm.execute({ kind: CallKind.Call, caller: p.caller, address: p.to, codeAddress: p.to, value: p.value, input: data, gas: GAS, isStatic: false, depth: 0, transfersValue: true, isTopLevel: true })
  return { gas: GAS - r.gasLeft, ok: r.success }
}

interface EjsRunner {
  run(data: Uint8Array): Promise<{ gas: number; ok: boolean }>
}

async function ejsRunner(p: Prepared): Promise<EjsRunner> {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun })
  const evm = await createEVM({ common })
  const sm = evm.stateManager
  for (const [addr, a] of Object.entries(p.preJson)) {
    const address = new Address(hexToBytes(addr as `0x${string}`))
    await sm.putAccount(address, new Account(hexToBigInt(a.nonce ?? '0x0'), hexToBigInt(a.balance ?? '0x0')))
    const code = looseHexToBytes(a.code ?? '0x')
    if (code.length > 0) await sm.putCode(address, code)
    for (const [k, v] of Object.entries(a.storage ?? {})) {
      const val = looseHexToBytes(v)
      if (val.some((b) => b !== 0)) await sm.putStorage(address, looseHexToBytes(k, 32), val)
    }
  }
  const caller = new Address(hexToBytes(('0x' + p.caller.toString(16).padStart(40, '0')) as `0x${string}`))
  const to = new Address(hexToBytes(('0x' + p.to.toString(16).padStart(40, '0')) as `0x${string}`))
  return {
    async run(data) {
      await sm.checkpoint()
      const r = await evm.runCall({ caller, origin: caller, to, data, value: p.value, gasLimit: BigInt(GAS), skipBalance: true, skipNonceIncrement: true })
      await sm.revert()
      evm.journal.cleanJournal()
      return { gas: Number(r.execResult.executionGasUsed), ok: r.execResult.exceptionError === undefined }
    },
  }
}

/** Time `fn` repeatedly for at least `minMs` (and at least `minRuns` runs); median and min in ms. */
async function time(fn: () => unknown, minMs: number, minRuns = 3, maxRuns = 200): Promise<{ median: number; min: number; runs: number }> {
  const ts: number[] = []
  const t0 = performance.now()
  while (ts.length < minRuns || (performance.now() - t0 < minMs && ts.length < maxRuns)) {
    const s = performance.now()
    await fn()
    ts.push(performance.now() - s)
  }
  ts.sort((a, b) => a - b)
  return { median: ts[ts.length >> 1]!, min: ts[0]!, runs: ts.length }
}

/** Process CPU time in ms (user + system; immune to other processes' load on the shared box). */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * Time `a` and `b` alternately (either may be absent) for at least `minMs`;
 * medians and mins in ms per call (NaN when absent). Each sample is a batch
 * of calls lasting about 2 ms, so that tiny fixtures are measurable. With
 * `clock` 'cpu' the process CPU time is used instead of wall time.
 */
async function timePair(a: (() => unknown) | undefined, b: (() => unknown) | undefined, minMs: number, clock: 'cpu' | 'wall', minRuns = 5, maxRuns = 400): Promise<[{ median: number; min: number; runs: number }, { median: number; min: number; runs: number }]> {
  const now = clock === 'cpu' ? cpuMs : () => performance.now()
  const batchOf = async (fn: (() => unknown) | undefined): Promise<number> => {
    if (fn === undefined) return 0
    let k = 0
    const s = performance.now()
    while (performance.now() - s < 2) {
      await fn()
      k++
    }
    return k
  }
  const ka = await batchOf(a)
  const kb = await batchOf(b)
  const ta: number[] = []
  const tb: number[] = []
  const t0 = performance.now()
  const sample = async (fn: () => unknown, k: number, out: number[]): Promise<void> => {
    const s = now()
    for (let i = 0; i < k; i++) await fn()
    out.push((now() - s) / k)
  }
  while (ta.length + tb.length < minRuns * 2 || (performance.now() - t0 < minMs && ta.length + tb.length < maxRuns * 2)) {
    if (a !== undefined) await sample(a, ka, ta)
    if (b !== undefined) await sample(b, kb, tb)
  }
  const stat = (ts: number[]): { median: number; min: number; runs: number } => {
    ts.sort((x, y) => x - y)
    return ts.length === 0 ? { median: NaN, min: NaN, runs: 0 } : { median: ts[ts.length >> 1]!, min: ts[0]!, runs: ts.length }
  }
  return [stat(ta), stat(tb)]
}

interface Row {
  name: string
  group: string
  gas: number
  interpMs: number
  jitMs: number
  ejsMs: number | undefined
  compileMs: number
  speedup: number
  vsEjs: number | undefined
  gasAgree: boolean
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  let filter: string | undefined
  let minMs = 1000
  let ejs = true
  let warmupMs = 3000
  /** 'both' (default), or 'jit' / 'interp' alone (for profiling one tier). */
  let engine = 'both'
  /** 'cpu' (default: process CPU time, stable under other jobs' load) or 'wall'. */
  let clock: 'cpu' | 'wall' = 'cpu'
  /** `--hot-leaves N`: the JIT's relayout threshold (0: no relayout, for before/after figures). */
  let hotLeaves: number | undefined
  /** `--no-wasm`: tier 1 only (no WebAssembly tier), for before/after figures. */
  let wasm = true
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--filter') filter = args[++i]
    else if (args[i] === '--min-ms') minMs = Number(args[++i])
    else if (args[i] === '--no-ejs') ejs = false
    else if (args[i] === '--warmup-ms') warmupMs = Number(args[++i])
    else if (args[i] === '--engine') engine = args[++i]!
    else if (args[i] === '--no-wasm') wasm = false
    else if (args[i] === '--hot-leaves') hotLeaves = Number(args[++i])
    else if (args[i] === '--clock') clock = args[++i] === 'wall' ? 'wall' : 'cpu'
    else throw new RangeError(`unknown argument ${args[i]}`)
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/evm-benchmarks')
  if (!existsSync(root)) {
    console.log(`fixtures not found at ${root}; nothing to measure`)
    console.log(JSON.stringify({ bench: 'jit', skipped: true, ratio: null }))
    return
  }
  const rows: Row[] = []
  for (const fx of FIXTURES) {
    if (filter !== undefined && !fx.name.includes(filter)) continue
    const file = join(root, fx.file)
    if (!existsSync(file)) continue
    const p = prepare(file)
    // the vector that burns the most gas
    const cc0 = new CodeCache()
    let best = 0
    let bestGas = -1
    for (let i = 0; i < p.data.length; i++) {
      const g = runOurs(p, p.data[i]!, cc0, undefined).gas
      if (g > bestGas) {
        bestGas = g
        best = i
      }
    }
    const data = p.data[best]!
    const interpCache = new CodeCache()
    const gI = runOurs(p, data, interpCache, undefined)
    const jit = new Jit(hotLeaves !== undefined ? { threshold: 1, hotLeaves, wasm } : { threshold: 1, wasm })
    const jitCache = new CodeCache()
    const gJ = runOurs(p, data, jitCache, jit) // compiles on first entry
    const compileMs = jit.stats.compileMs
    // warm both tiers (TurboFan optimises the generated code concurrently, on the other core)
    const warm = performance.now()
    while (performance.now() - warm < warmupMs) {
      if (engine !== 'jit') runOurs(p, data, interpCache, undefined)
      if (engine !== 'interp') runOurs(p, data, jitCache, jit)
    }
    // interleaved runs: load swings on the shared box hit both tiers alike, so the ratio of medians is stable
    const [interp, jt] = await timePair(
      engine === 'jit' ? undefined : () => runOurs(p, data, interpCache, undefined),
      engine === 'interp' ? undefined : () => runOurs(p, data, jitCache, jit),
      minMs,
      clock,
    )
    let ejsMs: number | undefined
    let gE: { gas: number; ok: boolean } | undefined
    if (ejs) {
      const e = await ejsRunner(p)
      gE = await e.run(data)
      ejsMs = (await time(() => e.run(data), minMs, 2, 50)).median
    }
    const row: Row = {
      name: fx.name,
      group: fx.group,
      gas: gI.gas,
      interpMs: interp.median,
      jitMs: jt.median,
      ejsMs,
      compileMs,
      speedup: interp.median / jt.median,
      vsEjs: ejsMs !== undefined ? ejsMs / jt.median : undefined,
      gasAgree: gI.gas === gJ.gas && gI.ok === gJ.ok && (gE === undefined || gE.gas === gI.gas),
    }
    rows.push(row)
    const mg = (ms: number | undefined): string => (ms === undefined ? '-' : ((row.gas / ms) * 1e-3).toFixed(0))
    const ws = jit.wasmSummary()
    console.error(`${fx.name}: wasm regions ${ws.regions}, ${ws.blocks} blocks, ${ws.entries} entries, ${ws.entries > 0 ? (ws.gas / ws.entries).toFixed(0) : 0} gas/entry, ${ws.bails} bails, build ${ws.ms.toFixed(1)} ms`)
    console.error(`${fx.name}: interp ${interp.median.toFixed(2)} ms, jit ${jt.median.toFixed(2)} ms (${row.speedup.toFixed(2)}x), ejs ${ejsMs?.toFixed(2) ?? '-'} ms; ${mg(jt.median)} Mgas/s jit; compile ${compileMs.toFixed(1)} ms${row.gasAgree ? '' : ` GAS MISMATCH interp ${gI.gas} jit ${gJ.gas} ejs ${gE?.gas}`}`)
  }
  const pad = (s: string, n: number): string => s.padStart(n)
  console.log(['fixture', 'group', 'gas', 'interp ms', 'jit ms', 'ejs ms', 'interp Mgas/s', 'jit Mgas/s', 'ejs Mgas/s', 'jit/interp', 'jit/ejs', 'compile ms', 'gas ok'].map((h, i) => (i === 0 ? h.padEnd(16) : pad(h, 11))).join(' '))
  for (const r of rows) {
    const mg = (ms: number | undefined): string => (ms === undefined ? '-' : ((r.gas / ms) * 1e-3).toFixed(1))
    console.log(
      [r.name.padEnd(16), pad(r.group, 11), pad(String(r.gas), 11), pad(r.interpMs.toFixed(2), 11), pad(r.jitMs.toFixed(2), 11), pad(r.ejsMs?.toFixed(2) ?? '-', 11), pad(mg(r.interpMs), 11), pad(mg(r.jitMs), 11), pad(mg(r.ejsMs), 11), pad(r.speedup.toFixed(2) + 'x', 11), pad(r.vsEjs !== undefined ? r.vsEjs.toFixed(1) + 'x' : '-', 11), pad(r.compileMs.toFixed(1), 11), pad(r.gasAgree ? 'yes' : 'NO', 11)].join(' '),
    )
  }
  const geo = (xs: number[]): number | null => (xs.length === 0 ? null : Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length))
  const compute = rows.filter((r) => r.group === 'compute')
  const storage = rows.filter((r) => r.group === 'storage')
  const ratio = geo(compute.map((r) => r.speedup))
  const out = {
    bench: 'jit',
    fixtures: Object.fromEntries(rows.map((r) => [r.name, { gas: r.gas, interpMs: +r.interpMs.toFixed(3), jitMs: +r.jitMs.toFixed(3), ejsMs: r.ejsMs !== undefined ? +r.ejsMs.toFixed(3) : null, jitOverInterp: +r.speedup.toFixed(3), jitOverEjs: r.vsEjs !== undefined ? +r.vsEjs.toFixed(2) : null, compileMs: +r.compileMs.toFixed(2), gasAgree: r.gasAgree }])),
    computeSpeedupGeomean: ratio !== null ? +ratio.toFixed(3) : null,
    storageSpeedupMin: storage.length > 0 ? +Math.min(...storage.map((r) => r.speedup)).toFixed(3) : null,
    jitOverEjsGeomean: (() => {
      const g = geo(rows.filter((r) => r.vsEjs !== undefined).map((r) => r.vsEjs!))
      return g !== null ? +g.toFixed(2) : null
    })(),
    compileMsTotal: +rows.reduce((s, r) => s + r.compileMs, 0).toFixed(2),
    ratio: ratio !== null ? +ratio.toFixed(3) : null,
  }
  console.log(JSON.stringify(out))
}

await main()
