/**
 * EVM interpreter benchmark: our interpreter against @ethereumjs/evm in the
 * same run, on the real-contract workloads of ../shared/fixtures/evm-benchmarks
 * (revmc: erc20_transfer, uniswap_v2_pair, univ2_router, weth, snailtracer;
 * ipsilon benchmarks/main).
 *
 *   npm run bench:evm -- [--filter name] [--min-ms 800] [--ours-only]
 *
 * Each workload's call runs as a top-level message into the pre-deployed
 * contract (our `Evm.execute` on a fresh overlay; ethereumjs `runCall` inside
 * a checkpoint/revert), so both engines do the same work; gas used must agree.
 * Both engines warm up, then alternate in batches (see `measure`) so that
 * the ratio of each workload comes from the same conditions. Prints a table
 * (Mgas/s each, ratio) and a last line of JSON
 * `{"bench":"evm",...,"ratio":<geometric mean>}`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { createEVM } from '@ethereumjs/evm'
import { Account, Address } from '@ethereumjs/util'
import { CodeCache } from '../src/evm/code.js'
import { CallKind, type BlockEnv } from '../src/evm/env.js'
import { Evm } from '../src/evm/interpreter.js'
import { hexToBigInt, looseHexToBytes } from '../src/primitives/hex.js'
import { MemoryState } from '../src/state/memory.js'
import { addressToBigInt, StateOverlay } from '../src/state/overlay.js'

const WORKLOADS: [string, string][] = [
  ['erc20_transfer', 'revmc/data/erc20_transfer.json'],
  ['uniswap_v2_pair', 'revmc/data/uniswap_v2_pair.json'],
  ['univ2_router', 'revmc/data/univ2_router.json'],
  ['weth', 'revmc/data/weth.json'],
  ['snailtracer', 'revmc/data/snailtracer.json'],
  ['blake2b_huff', 'ipsilon/benchmarks/main/blake2b_huff.json'],
  ['blake2b_shifts', 'ipsilon/benchmarks/main/blake2b_shifts.json'],
  ['sha1_divs', 'ipsilon/benchmarks/main/sha1_divs.json'],
  ['sha1_shifts', 'ipsilon/benchmarks/main/sha1_shifts.json'],
  ['snailtracer_ipsilon', 'ipsilon/benchmarks/main/snailtracer.json'],
  ['structarray_alloc', 'ipsilon/benchmarks/main/structarray_alloc.json'],
  ['swap_math', 'ipsilon/benchmarks/main/swap_math.json'],
  ['weierstrudel', 'ipsilon/benchmarks/main/weierstrudel.json'],
]

/** Gas per call: exact in a double and above every workload's use. */
const GAS = 1_000_000_000

type PreJson = Record<string, { balance?: string; nonce?: string; code?: string; storage?: Record<string, string> }>

interface Workload {
  pre: MemoryState
  preJson: PreJson
  block: BlockEnv
  caller: bigint
  to: bigint
  data: Uint8Array
  value: bigint
}

function load(file: string): Workload {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { env: Record<string, string>; pre: PreJson; transaction: Record<string, unknown> | Record<string, unknown>[] }>
  const t = Object.values(json)[0]!
  const tx = (Array.isArray(t.transaction) ? t.transaction[0] : t.transaction)!
  const pre = new MemoryState()
  for (const [addr, a] of Object.entries(t.pre)) {
    pre.setAccount(looseHexToBytes(addr), {
      nonce: hexToBigInt(a.nonce ?? '0x0'),
      balance: hexToBigInt(a.balance ?? '0x0'),
      code: looseHexToBytes(a.code ?? '0x'),
      storage: Object.entries(a.storage ?? {}).map(([k, v]) => [hexToBigInt(k), hexToBigInt(v)] as [bigint, bigint]),
    })
  }
  const pick = (v: unknown): string => String(Array.isArray(v) ? v[0] : (v ?? '0x'))
  const sender = typeof tx.sender === 'string' ? tx.sender : '0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b'
  const env = t.env
  return {
    pre,
    preJson: t.pre,
    block: {
      number: hexToBigInt(env.currentNumber ?? '0x1'),
      timestamp: hexToBigInt(env.currentTimestamp ?? '0x1'),
      coinbase: looseHexToBytes(env.currentCoinbase ?? '0x' + '00'.repeat(20)),
      gasLimit: 30_000_000n,
      baseFee: 0n,
      prevRandao: new Uint8Array(32),
      blobBaseFee: 1n,
      chainId: 1n,
      fork: 'Cancun',
    },
    caller: addressToBigInt(looseHexToBytes(sender)),
    to: addressToBigInt(looseHexToBytes(String(tx.to))),
    data: looseHexToBytes(pick(tx.data)),
    value: hexToBigInt(pick(tx.value ?? '0x0')),
  }
}

function runOurs(w: Workload, cache: CodeCache): { gas: number; ok: boolean } {
  const state = new StateOverlay(w.pre)
  const evm = new Evm(state, w.block, { codeCache: cache })
  state.beginTransaction()
  evm.tx = { origin: w.caller, gasPrice: 0n, blobHashes: [] }
  state.warmAccount(state.account(w.caller))
  state.warmAccount(state.account(w.to))
  for (let i = 1n; i <= 10n; i++) state.warmAccount(state.account(i))
  state.warmAccount(state.account(evm.coinbase))
  const r = evm.execute({ kind: CallKind.Call, caller: w.caller, address: w.to, codeAddress: w.to, value: w.value, input: w.data, gas: GAS, isStatic: false, depth: 0, transfersValue: true, isTopLevel: true })
  if (r.success) void state.logs // logs in their final form (32-byte topics), as ethereumjs' result holds them
  return { gas: GAS - r.gasLeft, ok: r.success }
}

async function ejsRunner(w: Workload): Promise<() => Promise<{ gas: number; ok: boolean }>> {
  const evm = await createEVM({ common: new Common({ chain: Mainnet, hardfork: Hardfork.Cancun }) })
  const sm = evm.stateManager
  for (const [addr, a] of Object.entries(w.preJson)) {
    const address = new Address(looseHexToBytes(addr, 20))
    await sm.putAccount(address, new Account(hexToBigInt(a.nonce ?? '0x0'), hexToBigInt(a.balance ?? '0x0')))
    const code = looseHexToBytes(a.code ?? '0x')
    if (code.length > 0) await sm.putCode(address, code)
    for (const [k, v] of Object.entries(a.storage ?? {})) {
      const val = hexToBigInt(v)
      if (val !== 0n) await sm.putStorage(address, looseHexToBytes('0x' + hexToBigInt(k).toString(16).padStart(64, '0'), 32), looseHexToBytes('0x' + val.toString(16).padStart(val.toString(16).length + (val.toString(16).length & 1), '0')))
    }
  }
  const addr = (v: bigint): Address => new Address(looseHexToBytes('0x' + v.toString(16).padStart(40, '0'), 20))
  const caller = addr(w.caller)
  const to = addr(w.to)
  return async () => {
    await sm.checkpoint()
    const r = await evm.runCall({ caller, origin: caller, to, data: w.data, value: w.value, gasLimit: BigInt(GAS), skipBalance: true, skipNonceIncrement: true })
    await sm.revert()
    evm.journal.cleanJournal()
    return { gas: Number(r.execResult.executionGasUsed), ok: r.execResult.exceptionError === undefined }
  }
}

/** Mean ms per call of `fn` over a batch of at least `ms` (at least one call). */
function batchSync(fn: () => unknown, ms: number): number {
  let n = 0
  const s = performance.now()
  let t = s
  do {
    fn()
    n++
    t = performance.now()
  } while (t - s < ms)
  return (t - s) / n
}

/** Async variant of `batchSync` (ethereumjs' runCall is async). */
async function batchAsync(fn: () => Promise<unknown>, ms: number): Promise<number> {
  let n = 0
  const s = performance.now()
  let t = s
  do {
    await fn()
    n++
    t = performance.now()
  } while (t - s < ms)
  return (t - s) / n
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/**
 * ms per call of both engines, measured in the same conditions: both warm up
 * for minMs/4, then batches of ≥ 10 ms alternate between the engines for
 * 2 × minMs (at least 3 batches each); each engine's figure is the median of
 * its batch means (a batch mean includes the GC the calls cause; alternating
 * keeps a load change on the machine from favouring one engine).
 */
async function measure(ours: () => unknown, theirs: () => Promise<unknown>, minMs: number): Promise<[number, number]> {
  batchSync(ours, minMs / 4)
  await batchAsync(theirs, minMs / 4)
  const a: number[] = []
  const b: number[] = []
  const t0 = performance.now()
  while (a.length < 3 || performance.now() - t0 < 2 * minMs) {
    a.push(batchSync(ours, 10))
    b.push(await batchAsync(theirs, 10))
  }
  return [median(a), median(b)]
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  let filter: string | undefined
  let minMs = 800
  let oursOnly = false
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--filter') filter = args[++i]
    else if (args[i] === '--min-ms') minMs = Number(args[++i])
    else if (args[i] === '--ours-only') oursOnly = true
    else throw new RangeError(`unknown argument ${args[i]}`)
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/evm-benchmarks')
  if (!existsSync(root)) {
    console.log(`fixtures not found at ${root}`)
    console.log(JSON.stringify({ bench: 'evm', skipped: true, ratio: null }))
    return
  }
  const rows: { name: string; gas: number; ours: number; ejs: number; ratio: number; agree: boolean }[] = []
  for (const [name, rel] of WORKLOADS) {
    if (filter !== undefined && !name.includes(filter)) continue
    const file = join(root, rel)
    if (!existsSync(file)) continue
    const w = load(file)
    const cache = new CodeCache()
    const ours = runOurs(w, cache)
    if (oursOnly) {
      // profiling mode (node --cpu-prof): only our engine, for at least minMs
      let n = 0
      const t0 = performance.now()
      while (performance.now() - t0 < minMs) {
        runOurs(w, cache)
        n++
      }
      const ms = (performance.now() - t0) / n
      console.log(`${name.padEnd(22)} ${String(ours.gas).padStart(11)} ${(ours.gas / 1000 / ms).toFixed(1).padStart(12)} Mgas/s  ${(ms * 1000).toFixed(1)} µs/call`)
      continue
    }
    const ejs = await ejsRunner(w)
    const theirs = await ejs()
    const [oursMs, ejsMs] = await measure(() => runOurs(w, cache), ejs, minMs)
    const mg = (ms: number): number => ours.gas / 1000 / ms
    rows.push({ name, gas: ours.gas, ours: mg(oursMs), ejs: mg(ejsMs), ratio: ejsMs / oursMs, agree: ours.gas === theirs.gas && ours.ok === theirs.ok })
  }
  console.log('workload               gas         ours Mgas/s   ethereumjs Mgas/s   ratio   gas agrees')
  for (const r of rows) {
    console.log(`${r.name.padEnd(22)} ${String(r.gas).padStart(11)} ${r.ours.toFixed(1).padStart(12)} ${r.ejs.toFixed(1).padStart(19)} ${r.ratio.toFixed(2).padStart(7)}x   ${r.agree ? 'yes' : 'NO'}`)
  }
  const geo = rows.length > 0 ? Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / rows.length) : 0
  console.log(`geometric mean ratio: ${geo.toFixed(2)}x`)
  const out: Record<string, unknown> = { bench: 'evm', unit: 'Mgas/s' }
  for (const r of rows) out[r.name] = { ours: +r.ours.toFixed(1), ethereumjs: +r.ejs.toFixed(1), ratio: +r.ratio.toFixed(2), gasAgrees: r.agree }
  out.ratio = +geo.toFixed(2)
  console.log(JSON.stringify(out))
}

await main()
