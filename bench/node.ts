/**
 * `npm run bench:node`: the Tachyon dev node against anvil (revm), both as
 * separate processes on loopback ports, driven by this process over HTTP.
 *
 * Figures (same presigned transactions for both nodes):
 * - lone latency: one transaction at a time, send → receipt in hand.
 *   Tachyon: `realtime_sendRawTransaction` (answers with the receipt);
 *   anvil (automine): `eth_sendRawTransaction` then `eth_getTransactionReceipt`.
 * - steady 1,000 tx/s: open-loop sends every millisecond for 2 s, latency of
 *   each (p50, p99), same methods.
 * - sustained inclusion rate: 20,000 presigned ETH transfers (then 20,000
 *   ERC20 transfers) from 400 senders pushed in JSON-RPC batches (4 in
 *   flight); rate = transactions / time until every one is included (has a
 *   receipt: a mini-block for Tachyon, a block for anvil). anvil runs with
 *   1 s interval mining and no block gas limit; Tachyon with 1 s blocks and a
 *   10^10 block gas limit (MegaETH's per-block gas).
 *
 * Prints a table and, last, one JSON line. `node dist/bench/node.js --serve
 * <port> <dir>` is the child-process entry that runs the Tachyon node.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, encodeDeployData, type Abi, type Hex } from 'viem'
import { parseDevArgs } from '../src/node/config.js'
import { launchDev } from '../src/node/launch.js'
import { deriveDevAccounts, DEFAULT_MNEMONIC } from '../src/node/accounts.js'
import { encodeTransaction, signTransaction, type UnsignedTransaction } from '../src/eth/transaction/index.js'
import { privateKeyToAddress } from '../src/crypto/secp256k1.js'
import { keccak256 } from '../src/crypto/keccak.js'
import { bytesToHex, hexToBytes } from '../src/primitives/hex.js'
import { createAddress } from '../src/crypto/address.js'
import { compileContracts } from '../test/contracts/compile.js'
import { startAnvil, freePort, type Anvil } from '../test/e2e/anvil.js'

const CHAIN_ID = 31337n
const SENDERS = 400
const PER_SENDER = 50
const LONE = 200
const STEADY_RATE = 1000
const STEADY_MS = 2000
const STEADY_SENDERS = 200
const BATCH = 250
const IN_FLIGHT = 4

// ------------------------------------------------------------- serve mode

async function serve(port: string, dir: string): Promise<void> {
  const parsed = parseDevArgs(['--port', port, '--host', '127.0.0.1', '--data-dir', dir, '--fresh', '--log-level', 'silent'])
  if (parsed.kind !== 'run') throw new Error('bad args')
  const node = await launchDev(parsed.config, { chain: { gasLimit: 10_000_000_000n } })
  process.stdout.write(`READY ${node.server.url}\n`)
  const stop = (): void => {
    void node.close().then(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

// ---------------------------------------------------------------- client

let rpcId = 1
async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: rpcId++, method, params }) })
  const j = (await res.json()) as { result?: T; error?: { message: string } }
  if (j.error) throw new Error(`${method}: ${j.error.message}`)
  return j.result as T
}

async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[]): Promise<{ result?: unknown; error?: { message: string } }[]> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(calls.map((c) => ({ jsonrpc: '2.0', id: rpcId++, ...c }))) })
  return (await res.json()) as { result?: unknown; error?: { message: string } }[]
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

// ------------------------------------------------------------ workload

interface Signer {
  key: Uint8Array
  address: Uint8Array
  nonce: bigint
}

function sign(s: Signer, to: Uint8Array | null, data: Uint8Array, value: bigint, gasLimit: bigint): Hex {
  const u: UnsignedTransaction = { type: 2, chainId: CHAIN_ID, nonce: s.nonce++, gasLimit, to, value, data, maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, accessList: [] }
  return bytesToHex(encodeTransaction(signTransaction(u, s.key)))
}

interface Workload {
  setup: Hex[][]
  lone: Hex[]
  steady: Hex[]
  eth: Hex[][]
  erc20: Hex[][]
  lastEth: Hex
  lastErc20: Hex
}

function buildWorkload(): Workload {
  const { Token } = compileContracts()
  const dev = deriveDevAccounts(DEFAULT_MNEMONIC, 1)[0]!
  const deployer: Signer = { key: dev.privateKey, address: dev.address, nonce: 0n }
  // sustained-rate senders 0..SENDERS-1, then STEADY_SENDERS for the steady phase and one for lone
  // transactions, so that a node failing one phase does not leave nonce gaps in the next
  const senders: Signer[] = Array.from({ length: SENDERS + STEADY_SENDERS + 1 }, (_, i) => {
    const key = keccak256(new TextEncoder().encode(`bench-sender-${i}`))
    return { key, address: privateKeyToAddress(key), nonce: 0n }
  })
  const bulk = senders.slice(0, SENDERS)
  const tokenAddr = createAddress(dev.address, 0n)
  const abi = Token!.abi as Abi
  const deploy = sign(deployer, null, hexToBytes(encodeDeployData({ abi, bytecode: Token!.bytecode, args: ['Bench', 'BEN', 10n ** 30n] })), 0n, 3_000_000n)
  const fund = senders.map((s) => sign(deployer, s.address, new Uint8Array(0), 10n ** 19n, 21_000n))
  const give = bulk.map((s) => sign(deployer, tokenAddr, hexToBytes(encodeFunctionData({ abi, functionName: 'transfer', args: [bytesToHex(s.address), 10n ** 24n] })), 0n, 100_000n))
  const sink = hexToBytes('0x00000000000000000000000000000000000beef0')
  const lone = Array.from({ length: LONE }, () => sign(senders[SENDERS + STEADY_SENDERS]!, sink, new Uint8Array(0), 1n, 21_000n))
  const steady = Array.from({ length: (STEADY_RATE * STEADY_MS) / 1000 }, (_, i) => sign(senders[SENDERS + (i % STEADY_SENDERS)]!, sink, new Uint8Array(0), 1n, 21_000n))
  const eth: Hex[][] = []
  const erc20: Hex[][] = []
  const transferData = hexToBytes(encodeFunctionData({ abi, functionName: 'transfer', args: ['0x00000000000000000000000000000000000beef1', 1n] }))
  for (let j = 0; j < PER_SENDER; j++) {
    const round = bulk.map((s) => sign(s, sink, new Uint8Array(0), 1n, 21_000n))
    for (let i = 0; i < round.length; i += BATCH) eth.push(round.slice(i, i + BATCH))
  }
  for (let j = 0; j < PER_SENDER; j++) {
    const round = bulk.map((s) => sign(s, tokenAddr, transferData, 0n, 60_000n))
    for (let i = 0; i < round.length; i += BATCH) erc20.push(round.slice(i, i + BATCH))
  }
  return { setup: [[deploy], fund, give], lone, steady, eth, erc20, lastEth: eth[eth.length - 1]!.at(-1)!, lastErc20: erc20[erc20.length - 1]!.at(-1)! }
}

// ------------------------------------------------------------- targets

interface Target {
  name: string
  url: string
  realtime: boolean
  stop(): Promise<void>
  /** Switch to the mode of the sustained-rate phase. */
  toSustained(): Promise<void>
}

async function startTachyon(): Promise<Target> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-bench-'))
  const child: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_CHILD_ARGS ? process.env.BENCH_CHILD_ARGS.split(' ') : []), fileURLToPath(import.meta.url), '--serve', String(port), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((res, rej) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /READY (\S+)/.exec(out)
      if (m) res(m[1]!)
    })
    child.once('exit', (c) => rej(new Error(`tachyon exited ${c}`)))
  })
  return {
    name: 'tachyon',
    url,
    realtime: true,
    toSustained: async () => {},
    stop: () =>
      new Promise((res) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true })
          res()
        })
        child.kill('SIGTERM')
      }),
  }
}

async function startAnvilTarget(): Promise<Target> {
  const a: Anvil = await startAnvil(['--disable-block-gas-limit', '--no-request-size-limit'])
  return {
    name: 'anvil',
    url: a.url,
    realtime: false,
    toSustained: async () => {
      await rpc(a.url, 'evm_setAutomine', [false])
      await rpc(a.url, 'evm_setIntervalMining', [1])
    },
    stop: () => a.stop(),
  }
}

// -------------------------------------------------------------- phases

async function sendAndReceipt(t: Target, raw: Hex): Promise<void> {
  if (t.realtime) {
    const r = await rpc<{ status: Hex }>(t.url, 'realtime_sendRawTransaction', [raw])
    if (r.status !== '0x1') throw new Error('failed transaction')
    return
  }
  const hash = await rpc<Hex>(t.url, 'eth_sendRawTransaction', [raw])
  const until = performance.now() + 10_000 // the same wait window as realtime_sendRawTransaction
  for (;;) {
    if (performance.now() > until) throw new Error('no receipt within 10 s')
    const r = await rpc<{ status: Hex } | null>(t.url, 'eth_getTransactionReceipt', [hash])
    if (r) {
      if (r.status !== '0x1') throw new Error('failed transaction')
      return
    }
    await new Promise((res) => setTimeout(res, 1))
  }
}

async function waitReceipt(url: string, raw: Hex, pollMs: number, timeoutMs = 120_000): Promise<void> {
  const hash = bytesToHex(keccak256(hexToBytes(raw)))
  const until = performance.now() + timeoutMs
  for (;;) {
    if (performance.now() > until) throw new Error(`no receipt for ${hash} within ${timeoutMs} ms`)
    const r = await rpc<{ status: Hex } | null>(url, 'eth_getTransactionReceipt', [hash])
    if (r) return
    await new Promise((res) => setTimeout(res, pollMs))
  }
}

async function setup(t: Target, w: Workload): Promise<void> {
  // one sender (the deployer): chunks below the pool's per-sender cap
  for (const group of w.setup) {
    for (let i = 0; i < group.length; i += 50) {
      const chunk = group.slice(i, i + 50)
      const res = await rpcBatch(t.url, chunk.map((raw) => ({ method: 'eth_sendRawTransaction', params: [raw] })))
      const bad = res.find((r) => r.error)
      if (bad) throw new Error(`${t.name} setup: ${bad.error!.message}`)
      if (t.realtime) await waitReceipt(t.url, chunk[chunk.length - 1]!, 2)
    }
    await waitReceipt(t.url, group[group.length - 1]!, 5)
  }
}

async function lone(t: Target, w: Workload): Promise<number[]> {
  const out: number[] = []
  for (const raw of w.lone) {
    const t0 = performance.now()
    await sendAndReceipt(t, raw)
    out.push(performance.now() - t0)
  }
  return out
}

let failed = 0

async function steady(t: Target, w: Workload): Promise<number[]> {
  const out: number[] = []
  failed = 0
  const pending: Promise<void>[] = []
  const start = performance.now()
  let i = 0
  while (i < w.steady.length) {
    const due = start + (i * 1000) / STEADY_RATE
    const now = performance.now()
    if (now < due) {
      await new Promise((r) => setTimeout(r, Math.max(0, due - now - 0.2)))
      continue
    }
    const raw = w.steady[i++]!
    const t0 = performance.now()
    pending.push(
      sendAndReceipt(t, raw).then(
        () => void out.push(performance.now() - t0),
        () => {
          // no receipt within the node's wait window: counted at the window's length
          failed++
          out.push(performance.now() - t0)
        },
      ),
    )
  }
  await Promise.all(pending)
  return out
}

async function sustained(t: Target, batches: Hex[][], last: Hex): Promise<{ rate: number; rejected: number }> {
  let next = 0
  let rejected = 0
  const start = performance.now()
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const b = batches[next++]!
      const res = await rpcBatch(t.url, b.map((raw) => ({ method: 'eth_sendRawTransaction', params: [raw] })))
      for (const r of res) if (r.error) {
        rejected++
        if (rejected <= 3) progress(`${t.name}: rejected: ${r.error.message}`)
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  await waitReceipt(t.url, last, t.realtime ? 2 : 20)
  const secs = (performance.now() - start) / 1000
  const n = batches.reduce((s, b) => s + b.length, 0)
  return { rate: Math.round(n / secs), rejected }
}

interface Figures {
  loneP50: number
  loneP99: number
  steadyP50: number
  steadyP99: number
  ethRate: number
  erc20Rate: number
}

function progress(msg: string): void {
  if (process.env.BENCH_VERBOSE) process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${msg}\n`)
}

async function measure(t: Target, w: Workload): Promise<Figures> {
  progress(`${t.name}: setup`)
  await setup(t, w)
  progress(`${t.name}: lone`)
  const l = await lone(t, w)
  progress(`${t.name}: steady`)
  const s = await steady(t, w)
  progress(`${t.name}: lone p50 ${percentile(l, 50).toFixed(2)} p99 ${percentile(l, 99).toFixed(2)} ms; steady p50 ${percentile(s, 50).toFixed(2)} p99 ${percentile(s, 99).toFixed(2)} ms`)
  if (failed > 0) process.stderr.write(`${t.name}: ${failed} of ${w.steady.length} steady-rate transactions got no receipt in time\n`)
  await t.toSustained()
  progress(`${t.name}: sustained eth`)
  const eth = await sustained(t, w.eth, w.lastEth)
  progress(`${t.name}: sustained erc20 (eth ${eth.rate}/s, ${eth.rejected} rejected)`)
  const erc20 = await sustained(t, w.erc20, w.lastErc20)
  progress(`${t.name}: erc20 ${erc20.rate}/s`)
  if (eth.rejected + erc20.rejected > 0) process.stderr.write(`${t.name}: ${eth.rejected + erc20.rejected} transactions rejected\n`)
  const r = (x: number): number => Math.round(x * 100) / 100
  return { loneP50: r(percentile(l, 50)), loneP99: r(percentile(l, 99)), steadyP50: r(percentile(s, 50)), steadyP99: r(percentile(s, 99)), ethRate: eth.rate, erc20Rate: erc20.rate }
}

async function main(): Promise<void> {
  const w = buildWorkload()
  const results: Record<string, Figures> = {}
  for (const start of [startTachyon, startAnvilTarget]) {
    const t = await start()
    try {
      results[t.name] = await measure(t, w)
    } finally {
      await t.stop()
    }
  }
  const a = results.tachyon!
  const b = results.anvil!
  const rows: [string, string, number, number][] = [
    ['lone tx → receipt p50', 'ms', a.loneP50, b.loneP50],
    ['lone tx → receipt p99', 'ms', a.loneP99, b.loneP99],
    [`${STEADY_RATE} tx/s → receipt p50`, 'ms', a.steadyP50, b.steadyP50],
    [`${STEADY_RATE} tx/s → receipt p99`, 'ms', a.steadyP99, b.steadyP99],
    ['sustained ETH transfers', 'tx/s', a.ethRate, b.ethRate],
    ['sustained ERC20 transfers', 'tx/s', a.erc20Rate, b.erc20Rate],
  ]
  console.log(`${'figure'.padEnd(28)} ${'unit'.padEnd(5)} ${'tachyon'.padStart(10)} ${'anvil'.padStart(10)}`)
  for (const [name, unit, x, y] of rows) console.log(`${name.padEnd(28)} ${unit.padEnd(5)} ${String(x).padStart(10)} ${String(y).padStart(10)}`)
  const ratio = Math.round((Math.min(a.ethRate / b.ethRate, a.erc20Rate / b.erc20Rate)) * 100) / 100
  console.log(
    JSON.stringify({
      bench: 'node',
      tachyon_lone_p50_ms: a.loneP50,
      tachyon_lone_p99_ms: a.loneP99,
      tachyon_1000tps_p50_ms: a.steadyP50,
      tachyon_1000tps_p99_ms: a.steadyP99,
      tachyon_eth_tps: a.ethRate,
      tachyon_erc20_tps: a.erc20Rate,
      anvil_lone_p50_ms: b.loneP50,
      anvil_lone_p99_ms: b.loneP99,
      anvil_1000tps_p50_ms: b.steadyP50,
      anvil_1000tps_p99_ms: b.steadyP99,
      anvil_eth_tps: b.ethRate,
      anvil_erc20_tps: b.erc20Rate,
      ratio,
    }),
  )
}

if (process.argv[2] === '--serve') void serve(process.argv[3]!, process.argv[4]!)
else
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
