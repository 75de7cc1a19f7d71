/**
 * `npm run bench:node`: the Tachyon dev node against anvil (revm), both as
 * separate processes on loopback ports, driven by this process over HTTP.
 *
 * Figures (same presigned transactions for both nodes):
 * - lone latency: one transaction at a time, send → receipt in hand, over
 *   one WebSocket (both nodes; the cheapest transport for this client).
 *   Tachyon: `realtime_sendRawTransaction` (answers with the receipt);
 *   anvil (automine): `eth_sendRawTransaction` then `eth_getTransactionReceipt`.
 * - steady 1,000 tx/s: open-loop sends every millisecond for 2 s, latency of
 *   each (p50, p99), same methods.
 * - sustained inclusion rate: 20,000 presigned ETH transfers (then 20,000
 *   ERC20 transfers) from 400 senders pushed in JSON-RPC batches (4 in
 *   flight); inclusion is counted from the senders' `latest` nonces (polled
 *   every 200 ms, both nodes alike); rate = included / time until the last
 *   inclusion. Rejected sends and transactions never included (no progress
 *   for 5 s, or the phase deadline) are counted and reported, never waited
 *   for. anvil runs (restarted, setup replayed) with 1 s blocks
 *   (`--block-time 1`) and `--gas-limit 10^10`;
 *   Tachyon with 1 s blocks, a 10^10 block gas limit (MegaETH's per-block
 *   gas) and pool caps raised (`--txpool-max-per-sender`, `--txpool-max`)
 *   so the pushed load is never refused for pool size.
 *
 * Both nodes run for the whole benchmark. The latency phases run one node
 * after the other; the sustained phases alternate A B B A (tachyon ETH,
 * anvil ETH, anvil ERC20, tachyon ERC20), so a change in the shared
 * machine's load during the run favours neither node. The load average is
 * printed with the figures.
 *
 * Every request has a timeout and every phase a deadline, so the run always
 * ends: a phase that fails prints `n/a` and the reason on stderr. Prints a
 * table and, last, one JSON line. `node dist/bench/node.js --serve
 * <port> <dir>` is the child-process entry that runs the Tachyon node.
 */
import { processTreeCpu, threadCpuByName } from './proc-cpu.js'
import { spawn, type ChildProcess } from 'node:child_process'
import WebSocket from 'ws'
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir, loadavg } from 'node:os'
import { join } from 'node:path'
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, encodeDeployData, type Abi, type Hex } from 'viem'
import { parseDevArgs } from '../src/node/config.js'
import { launchDev } from '../src/node/launch.js'
import type { Chain } from '../src/chain/chain.js'
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
/**
 * The steady phase first sends at the same rate for this long without
 * counting: the figure is the latency at a steady 1,000 tx/s, not during a
 * node's warm-up (V8 optimising its hot paths on background threads, the EVM
 * JIT tiering up). Both nodes get the same. `BENCH_STEADY_WARMUP_MS` overrides.
 */
const STEADY_WARMUP_MS = Number(process.env.BENCH_STEADY_WARMUP_MS ?? 2000)
const STEADY_SENDERS = 200
const BATCH = 250
const IN_FLIGHT = 4
/** Longest wait for one HTTP request. */
const REQUEST_TIMEOUT_MS = 30_000
/** Deadlines per phase. */
const LONE_DEADLINE_MS = 60_000
const SUSTAINED_DEADLINE_MS = 120_000
/** A sustained phase ends when the included count has not grown for this long. */
const STALL_MS = 5_000
const POLL_MS = 200

// ------------------------------------------------------------- serve mode

async function serve(port: string, dir: string, extra: string[]): Promise<void> {
  const parsed = parseDevArgs(['--port', port, '--host', '127.0.0.1', '--data-dir', dir, '--fresh', '--log-level', 'silent', '--txpool-max-per-sender', '1000', '--txpool-max', '200000', ...extra])
  if (parsed.kind !== 'run') throw new Error('bad args')
  const node = await launchDev(parsed.config, { chain: { gasLimit: 10_000_000_000n } })
  process.stdout.write(`READY ${node.server.url}\n`)
  if (process.env.BENCH_TRACE) traceLoop(node.chain)
  const stop = (): void => {
    void node.close().then(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

/** Event-loop gaps longer than this are printed by `BENCH_TRACE=1`. */
const TRACE_STALL_MS = 5

/** GC pauses at least this long are printed by `BENCH_TRACE=1`. */
const TRACE_GC_MS = 1

/** How long `BENCH_TRACE` keeps seal slices and GC pauses for attributing stalls (ms). */
const TRACE_WINDOW_MS = 2_000

/** Scheduler counters of a process's main thread (/proc schedstat; default this one): ms run on a CPU, ms waited runnable for one. */
function schedstat(pid: number | undefined = process.pid): { run: number; wait: number } {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')
    return { run: Number(run) / 1e6, wait: Number(wait) / 1e6 }
  } catch {
    return { run: NaN, wait: NaN }
  }
}

/**
 * `BENCH_TRACE=1` (child side): print every event-loop stall longer than
 * TRACE_STALL_MS (a 1 ms timer that came late) with what overlapped it:
 * the main thread's CPU time and run-queue wait during the gap (OS
 * preemption on the shared box), GC pauses (by kind), seal slices (by step,
 * `Chain.sealTrace`) and mini-blocks closed; and each seal's phase durations
 * and slicing (`Chain.lastSeal`), on stderr.
 */
function traceLoop(chain: Chain | undefined): void {
  type Span = { what: string; start: number; end: number }
  const spans: Span[] = []
  const keep = (x: Span): void => {
    spans.push(x)
    if (spans.length > 4096) spans.splice(0, spans.length - 2048)
  }
  const gcKinds: Record<number, string> = { [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'gc-minor', [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'gc-major', [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'gc-incremental', [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'gc-weakcb' }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const what = gcKinds[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'gc'
      keep({ what, start: e.startTime, end: e.startTime + e.duration })
      if (e.duration >= TRACE_GC_MS) process.stderr.write(`${what} ${e.duration.toFixed(1)} ms at ${e.startTime.toFixed(0)}\n`)
    }
  }).observe({ entryTypes: ['gc'] })
  if (chain !== undefined) {
    chain.sealTrace = (block, phase, start, end) => keep({ what: `seal${block}:${phase}`, start, end })
    chain.on('miniBlock', (m) => keep({ what: `mini(${m.txs.length})`, start: performance.now(), end: performance.now() }))
  }
  let last = performance.now()
  let lastSched = schedstat()
  let printed: bigint | undefined
  const tick = (): void => {
    const now = performance.now()
    const sched = schedstat()
    const gap = now - last
    if (gap > TRACE_STALL_MS) {
      // GC entries arrive asynchronously: attribute a little later
      const from = last
      const cpu = sched.run - lastSched.run
      const wait = sched.wait - lastSched.wait
      setTimeout(() => {
        const by = new Map<string, number>()
        let minis = 0
        for (const x of spans) {
          if (x.end < from || x.start > now) continue
          if (x.what.startsWith('mini')) {
            minis++
            continue
          }
          const key = x.what.startsWith('seal') ? `seal:${x.what.split(':')[1]}` : x.what
          by.set(key, (by.get(key) ?? 0) + Math.min(x.end, now) - Math.max(x.start, from))
        }
        const parts = [...by].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`)
        process.stderr.write(`stall ${gap.toFixed(1)} ms at ${now.toFixed(0)}: cpu ${cpu.toFixed(1)} runq-wait ${wait.toFixed(1)}; ${parts.join(', ')}; ${minis} mini-blocks\n`)
      }, 50)
    }
    for (let i = 0; i < spans.length && spans[i]!.end < now - TRACE_WINDOW_MS; ) spans.shift()
    last = now
    lastSched = sched
    const s = chain?.lastSeal
    if (s !== undefined && s.block !== printed) {
      printed = s.block
      const f = (x: number): string => x.toFixed(1)
      process.stderr.write(`seal ${s.block}: ${s.txs} txs, state ${f(s.stateMs)} roots ${f(s.rootsMs)} records ${f(s.recordsMs)} root wait ${f(s.rootWaitMs)} total ${f(s.totalMs)} ms, ${s.pauses} pauses, longest slice ${f(s.longestSliceMs)} ms (${s.longestSlicePhase})\n`)
    }
    setTimeout(tick, 1)
  }
  setTimeout(tick, 1)
}

// ---------------------------------------------------------------- client

let rpcId = 1
async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: rpcId++, method, params }), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
  const j = (await res.json()) as { result?: T; error?: { message: string } }
  if (j.error) throw new Error(`${method}: ${j.error.message}`)
  return j.result as T
}

async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[]): Promise<{ result?: unknown; error?: { message: string } }[]> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(calls.map((c) => ({ jsonrpc: '2.0', id: rpcId++, ...c }))), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
  return (await res.json()) as { result?: unknown; error?: { message: string } }[]
}

/**
 * JSON-RPC over one WebSocket (lone and steady phases, both nodes): far
 * cheaper per request than HTTP for this client process, which shares the
 * machine with the node it measures.
 */
class WsClient {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private nextId = 1
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { id: number; result?: unknown; error?: { message: string } }
      const p = this.pending.get(m.id)
      if (p === undefined) return
      this.pending.delete(m.id)
      if (m.error) p.reject(new Error(m.error.message))
      else p.resolve(m.result)
    })
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('socket closed'))
      this.pending.clear()
    })
  }
  static connect(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws'))
      ws.once('open', () => resolve(new WsClient(ws)))
      ws.once('error', reject)
    })
  }
  request<T>(method: string, params: unknown[], timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer)
          resolve(v as T)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }
  close(): void {
    this.ws.close()
  }
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN
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
  /** Senders of the sustained phases. */
  bulk: Hex[]
  /** Senders of the steady phase. */
  steadySenders: Hex[]
}

/** `BENCH_SUSTAINED=eth|erc20`: only that sustained phase (profiling one workload). */
const sustainedKinds = process.env.BENCH_SUSTAINED?.split(',') ?? ['eth', 'erc20']

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
  const steady = Array.from({ length: Math.round((STEADY_RATE * (STEADY_WARMUP_MS + STEADY_MS)) / 1000) }, (_, i) => sign(senders[SENDERS + (i % STEADY_SENDERS)]!, sink, new Uint8Array(0), 1n, 21_000n))
  const eth: Hex[][] = []
  const erc20: Hex[][] = []
  const transferData = hexToBytes(encodeFunctionData({ abi, functionName: 'transfer', args: ['0x00000000000000000000000000000000000beef1', 1n] }))
  const signEth = (): void => {
    for (let j = 0; j < PER_SENDER; j++) {
      const round = bulk.map((s) => sign(s, sink, new Uint8Array(0), 1n, 21_000n))
      for (let i = 0; i < round.length; i += BATCH) eth.push(round.slice(i, i + BATCH))
    }
  }
  const signErc20 = (): void => {
    for (let j = 0; j < PER_SENDER; j++) {
      const round = bulk.map((s) => sign(s, tokenAddr, transferData, 0n, 60_000n))
      for (let i = 0; i < round.length; i += BATCH) erc20.push(round.slice(i, i + BATCH))
    }
  }
  // the senders' nonces follow the phases' order: ETH first unless only ERC20 runs
  if (sustainedKinds[0] === 'erc20') (signErc20(), signEth())
  else (signEth(), signErc20())
  return { setup: [[deploy], fund, give], lone, steady, eth, erc20, bulk: bulk.map((b) => bytesToHex(b.address)), steadySenders: senders.slice(SENDERS, SENDERS + STEADY_SENDERS).map((b) => bytesToHex(b.address)) }
}

// ------------------------------------------------------------- targets

interface Target {
  name: string
  url: string
  realtime: boolean
  stop(): Promise<void>
  /** Switch to the mode of the sustained-rate phase. */
  toSustained(w: Workload): Promise<void>
  /** The node's process id (per-thread CPU accounting from /proc). */
  pid?: number
}

const words = (s: string | undefined): string[] => (s ? s.split(' ').filter((x) => x !== '') : [])

/**
 * The peer: anvil, or (`BENCH_PEER_ARGS` set) a second Tachyon with those
 * extra node flags (and `BENCH_PEER_CHILD_ARGS` as its Node.js flags;
 * `BENCH_PEER_SCRIPT` = another build's `dist/bench/node.js` to run), for
 * A/B comparisons of node options or of two builds in one run.
 */
const PEER = process.env.BENCH_PEER_ARGS === undefined ? 'anvil' : 'tachyon-b'

async function startTachyon(name = 'tachyon', nodeArgs: string[] = words(process.env.BENCH_NODE_ARGS), childArgs: string[] = words(process.env.BENCH_CHILD_ARGS), script = fileURLToPath(import.meta.url)): Promise<Target> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-bench-'))
  const child: ChildProcess = spawn(process.execPath, [...childArgs, script, '--serve', String(port), dir, ...nodeArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
  // `BENCH_CHILD_STDOUT=<file>`: keep the child's stdout (V8 traces such as --trace-deopt) in a file
  if (process.env.BENCH_CHILD_STDOUT) child.stdout!.pipe(createWriteStream(process.env.BENCH_CHILD_STDOUT))
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
    name,
    url,
    realtime: true,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
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
  const flags = ['--gas-limit', '10000000000', '--no-request-size-limit']
  let a: Anvil = await startAnvil(flags)
  const t: Target = {
    name: 'anvil',
    url: a.url,
    realtime: false,
    // A fresh anvil with 1 s interval mining (`--block-time 1`) for the
    // throughput phases: under 1,000 tx/s automine anvil stops mining some
    // ready transactions (seen here: ~1,400 stay pending; foundry-rs/foundry
    // issue #10122, "block mining misses ready transactions", automine only),
    // which must not leak into the next phase. The setup is replayed on it.
    toSustained: async (w: Workload) => {
      await a.stop()
      a = await startAnvil([...flags, '--block-time', '1'])
      t.url = a.url
      if (a.proc.pid !== undefined) t.pid = a.proc.pid
      await setup(t, w)
    },
    stop: () => a.stop(),
    ...(a.proc.pid !== undefined ? { pid: a.proc.pid } : {}),
  }
  return t
}

// -------------------------------------------------------------- phases

async function sendAndReceipt(t: Target, c: WsClient, raw: Hex): Promise<void> {
  if (t.realtime) {
    const r = await c.request<{ status: Hex }>('realtime_sendRawTransaction', [raw])
    if (r.status !== '0x1') throw new Error('failed transaction')
    return
  }
  const hash = await c.request<Hex>('eth_sendRawTransaction', [raw])
  const until = performance.now() + 10_000 // the same wait window as realtime_sendRawTransaction
  for (;;) {
    if (performance.now() > until) throw new Error('no receipt within 10 s')
    const r = await c.request<{ status: Hex } | null>('eth_getTransactionReceipt', [hash])
    if (r) {
      if (r.status !== '0x1') throw new Error('failed transaction')
      return
    }
    await new Promise((res) => setTimeout(res, 1))
  }
}

/** After this long without the receipt, the setup asks anvil to mine (`evm_mine`) once a second. */
const SETUP_NUDGE_MS = 2_000

/**
 * Wait for a transaction's receipt. `nudge` (anvil's automine setup only):
 * under load anvil's automine can leave ready transactions pending
 * (foundry-rs/foundry issue #10122), so after SETUP_NUDGE_MS it mines a
 * block on request; the setup is not measured.
 */
async function waitReceipt(url: string, raw: Hex, pollMs: number, timeoutMs = 120_000, nudge = false): Promise<void> {
  const hash = bytesToHex(keccak256(hexToBytes(raw)))
  const start = performance.now()
  const until = start + timeoutMs
  let nudged = start
  for (;;) {
    const now = performance.now()
    if (now > until) throw new Error(`no receipt for ${hash} within ${timeoutMs} ms`)
    const r = await rpc<{ status: Hex } | null>(url, 'eth_getTransactionReceipt', [hash])
    if (r) return
    if (nudge && now - start > SETUP_NUDGE_MS && now - nudged > 1_000) {
      nudged = now
      await rpc(url, 'evm_mine').catch(() => undefined)
    }
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
    await waitReceipt(t.url, group[group.length - 1]!, 5, undefined, !t.realtime)
  }
}

async function lone(t: Target, c: WsClient, w: Workload): Promise<{ ms: number[]; missing: number }> {
  const out: number[] = []
  const until = performance.now() + LONE_DEADLINE_MS
  let missing = 0
  for (const raw of w.lone) {
    if (performance.now() > until) {
      missing++
      continue
    }
    const t0 = performance.now()
    try {
      await sendAndReceipt(t, c, raw)
      out.push(performance.now() - t0)
    } catch (e) {
      missing++
      if (missing <= 3) progress(`${t.name}: lone: ${(e as Error).message}`)
    }
  }
  return { ms: out, missing }
}

let failed = 0

async function steady(t: Target, c: WsClient, w: Workload): Promise<number[]> {
  const out: number[] = []
  const warm: number[] = []
  const warmup = Math.round((STEADY_RATE * STEADY_WARMUP_MS) / 1000)
  failed = 0
  const pending: Promise<void>[] = []
  let cpu0 = cpuOf(t.pid)
  let sched0 = schedstat(t.pid)
  let own0 = process.cpuUsage()
  const start = performance.now()
  let measuredFrom = start
  let i = 0
  while (i < w.steady.length) {
    const due = start + (i * 1000) / STEADY_RATE
    const now = performance.now()
    if (now < due) {
      await new Promise((r) => setTimeout(r, Math.max(0, due - now - 0.2)))
      continue
    }
    if (i === warmup) {
      cpu0 = cpuOf(t.pid)
      sched0 = schedstat(t.pid)
      own0 = process.cpuUsage()
      measuredFrom = performance.now()
    }
    const into = i < warmup ? warm : out
    const raw = w.steady[i++]!
    const t0 = performance.now()
    pending.push(
      sendAndReceipt(t, c, raw).then(
        () => void into.push(performance.now() - t0),
        (e: Error) => {
          // no receipt within the node's wait window: counted at the window's length
          if (into === out && ++failed <= 3) progress(`${t.name}: steady: ${e.message}`)
          into.push(performance.now() - t0)
        },
      ),
    )
  }
  await Promise.all(pending)
  const cpu1 = cpuOf(t.pid)
  const sched1 = schedstat(t.pid)
  const own = process.cpuUsage(own0)
  if (warmup > 0) progress(`${t.name}: steady warm-up (${warmup} sends, not counted): p50 ${percentile(warm, 50).toFixed(2)} p99 ${percentile(warm, 99).toFixed(2)} ms`)
  progress(`${t.name}: steady CPU (measured window): node main ${Math.round((cpu1.main - cpu0.main) * 1000)} ms, node all threads ${Math.round((cpu1.all - cpu0.all) * 1000)} ms, node main thread waiting for a core ${Math.round(sched1.wait - sched0.wait)} ms, this client ${Math.round((own.user + own.system) / 1000)} ms in ${Math.round(performance.now() - measuredFrom)} ms`)
  // Let a node that fell behind drain its backlog before the next phase
  // (bounded): the steady senders' nonces reach what was sent.
  if (process.env.BENCH_VERBOSE) {
    const st = await rpc(t.url, 'txpool_status').catch((e: Error) => e.message)
    progress(`${t.name}: after steady: block ${await rpc(t.url, 'eth_blockNumber')}, txpool ${JSON.stringify(st)}`)
  }
  const senders = [...new Set(w.steadySenders)]
  const until = performance.now() + 60_000
  let last = -1
  let lastAt = performance.now()
  while (performance.now() < until && performance.now() - lastAt < STALL_MS) {
    const n = await includedNonces(t.url, senders).catch(() => -1)
    if (n >= w.steady.length) break
    if (n > last) (last = n), (lastAt = performance.now())
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
  return out
}

/** Sum of the senders' `latest` nonces: how many of their transactions are included. */
async function includedNonces(url: string, senders: Hex[]): Promise<number> {
  const res = await rpcBatch(url, senders.map((a) => ({ method: 'eth_getTransactionCount', params: [a, 'latest'] })))
  let n = 0
  for (const r of res) {
    if (typeof r.result === 'string') n += Number(BigInt(r.result))
    else throw new Error(`eth_getTransactionCount: ${r.error?.message ?? 'no result'}`)
  }
  return n
}

/** CPU seconds so far of a node's process tree: main thread and all threads (see `processTreeCpu`). */
const cpuOf = processTreeCpu

interface Sustained {
  rate: number
  /** Node CPU µs per included transaction: main thread, all threads. */
  mainUs: number
  allUs: number
  sent: number
  rejected: number
  missing: number
}

async function sustained(t: Target, batches: Hex[][], senders: Hex[]): Promise<Sustained> {
  let next = 0
  let rejected = 0
  const rtts: number[] = []
  const base = await includedNonces(t.url, senders)
  const cpu0 = cpuOf(t.pid)
  const threads0 = threadCpuByName(t.pid)
  const client0 = (process.cpuUsage().user + process.cpuUsage().system) / 1e6
  const start = performance.now()
  const deadline = start + SUSTAINED_DEADLINE_MS
  const worker = async (): Promise<void> => {
    while (next < batches.length && performance.now() < deadline) {
      const b = batches[next++]!
      try {
        const t0 = performance.now()
        const res = await rpcBatch(t.url, b.map((raw) => ({ method: 'eth_sendRawTransaction', params: [raw] })))
        rtts.push(performance.now() - t0)
        for (const r of res)
          if (r.error) {
            rejected++
            if (rejected <= 3) progress(`${t.name}: rejected: ${r.error.message}`)
          }
      } catch (e) {
        rejected += b.length
        progress(`${t.name}: batch failed: ${(e as Error).message}`)
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const sent = batches.slice(0, next).reduce((s, b) => s + b.length, 0)
  progress(`${t.name}: ${sent} sent in ${Math.round(performance.now() - start)} ms; batch round trip p50 ${percentile(rtts, 50).toFixed(1)} ms, p90 ${percentile(rtts, 90).toFixed(1)} ms, max ${percentile(rtts, 100).toFixed(1)} ms`)
  const accepted = sent - rejected
  // count inclusions until all accepted ones are in, progress stalls, or the deadline
  let included = 0
  let lastAt = performance.now()
  for (;;) {
    const now = performance.now()
    const n = (await includedNonces(t.url, senders)) - base
    progress(`${t.name}: included ${n} of ${accepted} accepted`)
    if (n > included) {
      included = n
      lastAt = performance.now()
    }
    if (included >= accepted || now - lastAt > STALL_MS || now > deadline) break
    await new Promise((res) => setTimeout(res, POLL_MS))
  }
  const secs = (lastAt - start) / 1000
  const cpu1 = cpuOf(t.pid)
  const per = (x: number): number => (included > 0 ? Math.round((x * 1e6) / included) : 0)
  if (process.env.BENCH_THREADS) {
    process.stderr.write(`${t.name}: bench client CPU µs per included tx: ${per((process.cpuUsage().user + process.cpuUsage().system) / 1e6 - client0)}\n`)
    const byName = [...threadCpuByName(t.pid)].map(([k, v]): [string, number] => [k, per(v - (threads0.get(k) ?? 0))]).filter(([, v]) => v > 0)
    process.stderr.write(`${t.name}: CPU µs per included tx by thread name: ${byName.sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}\n`)
  }
  return { rate: Math.round(included / secs), mainUs: per(cpu1.main - cpu0.main), allUs: per(cpu1.all - cpu0.all), sent, rejected, missing: batches.reduce((s, b) => s + b.length, 0) - included }
}

interface Figures {
  loneP50: number | null
  loneP99: number | null
  steadyP50: number | null
  steadyP99: number | null
  ethRate: number | null
  erc20Rate: number | null
  /** Node CPU per included transaction in the sustained phases (µs; main thread / all threads). */
  cpu: Record<string, number>
  /** Transactions sent but never answered / included, per phase. */
  missing: Record<string, number>
}

function progress(msg: string): void {
  if (process.env.BENCH_VERBOSE) process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${msg}\n`)
}

/** Run a phase; a failure is reported and yields null (the other phases still run). */
async function phase<T>(t: Target, name: string, f: () => Promise<T>): Promise<T | null> {
  progress(`${t.name}: ${name}`)
  try {
    return await f()
  } catch (e) {
    process.stderr.write(`${t.name}: ${name} failed: ${(e as Error).message}\n`)
    return null
  }
}

/** Setup, lone and steady latency phases of one target; false when its setup failed or `BENCH_SKIP_SUSTAINED` is set (no sustained phases for it). */
async function measureLatency(t: Target, w: Workload, f: Figures): Promise<boolean> {
  const r = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null)
  if ((await phase(t, 'setup', () => setup(t, w))) === null) return false
  const c = await WsClient.connect(t.url)
  const l = await phase(t, 'lone', () => lone(t, c, w))
  if (l) {
    f.loneP50 = r(percentile(l.ms, 50))
    f.loneP99 = r(percentile(l.ms, 99))
    if (l.missing > 0) f.missing.lone = l.missing
  }
  const s = process.env.BENCH_SKIP_STEADY ? null : await phase(t, 'steady', () => steady(t, c, w))
  c.close()
  if (s) {
    f.steadyP50 = r(percentile(s, 50))
    f.steadyP99 = r(percentile(s, 99))
    if (failed > 0) f.missing.steady = failed
  }
  progress(`${t.name}: lone p50 ${f.loneP50} p99 ${f.loneP99} ms; steady p50 ${f.steadyP50} p99 ${f.steadyP99} ms`)
  if (process.env.BENCH_SKIP_SUSTAINED) return false
  return (await phase(t, 'switch to sustained mode', () => t.toSustained(w))) !== null
}

/** One sustained phase (`eth` or `erc20`) of one target, recorded in `f`. */
async function measureSustained(t: Target, w: Workload, kind: 'eth' | 'erc20', f: Figures): Promise<void> {
  const res = await phase(t, `sustained ${kind}`, () => sustained(t, kind === 'eth' ? w.eth : w.erc20, w.bulk))
  if (res === null) return
  if (kind === 'eth') f.ethRate = res.rate
  else f.erc20Rate = res.rate
  if (t.realtime) f.cpu[`${kind}MainUs`] = res.mainUs // anvil's pid is its launcher: whole tree only
  f.cpu[`${kind}AllUs`] = res.allUs
  if (res.missing > 0) f.missing[kind] = res.missing
  if (res.rejected > 0) f.missing[`${kind}Rejected`] = res.rejected
  progress(`${t.name}: ${kind} ${res.rate}/s, load average ${loadavg()[0]!.toFixed(2)}`)
}

async function main(): Promise<void> {
  const w = buildWorkload()
  const empty = (): Figures => ({ loneP50: null, loneP99: null, steadyP50: null, steadyP99: null, ethRate: null, erc20Rate: null, cpu: {}, missing: {} })
  const results: Record<string, Figures> = { tachyon: empty(), [PEER]: empty() }
  const only = process.env.BENCH_TARGETS?.split(',')
  // Both nodes run for the whole benchmark; the latency phases go one node
  // after the other, and the sustained phases alternate in the order
  // A B B A (tachyon eth, anvil eth, anvil erc20, tachyon erc20), so a change
  // in the machine's load during the run biases neither node.
  const targets: Target[] = []
  try {
    const peerStart = PEER === 'anvil' ? startAnvilTarget : () => startTachyon(PEER, words(process.env.BENCH_PEER_ARGS), words(process.env.BENCH_PEER_CHILD_ARGS ?? process.env.BENCH_CHILD_ARGS), process.env.BENCH_PEER_SCRIPT)
    for (const [name, start] of [['tachyon', () => startTachyon()], [PEER, peerStart]] as const) {
      if (only !== undefined && !only.includes(name === PEER ? 'anvil' : name)) continue
      try {
        const t = await start()
        targets.push(t)
        if (!(await measureLatency(t, w, results[t.name]!))) {
          targets.pop()
          await t.stop()
        }
      } catch (e) {
        process.stderr.write(`${name}: ${(e as Error).message}\n`)
      }
    }
    const kinds = sustainedKinds
    if (kinds.includes('eth')) for (const t of targets) await measureSustained(t, w, 'eth', results[t.name]!)
    if (kinds.includes('erc20')) for (const t of [...targets].reverse()) await measureSustained(t, w, 'erc20', results[t.name]!)
  } finally {
    for (const t of targets) await t.stop()
  }
  for (const t of ['tachyon', PEER]) for (const [k, v] of Object.entries(results[t]!.missing)) process.stderr.write(`${t}: ${k}: ${v} transactions missing\n`)
  const a = results.tachyon!
  const b = results[PEER]!
  const ratio = (x: number | null, y: number | null, higherIsBetter: boolean): number | null =>
    x === null || y === null || x === 0 || y === 0 ? null : Math.round((higherIsBetter ? x / y : y / x) * 100) / 100
  const rows: [string, string, number | null, number | null, boolean][] = [
    ['lone tx → receipt p50', 'ms', a.loneP50, b.loneP50, false],
    ['lone tx → receipt p99', 'ms', a.loneP99, b.loneP99, false],
    [`${STEADY_RATE} tx/s → receipt p50`, 'ms', a.steadyP50, b.steadyP50, false],
    [`${STEADY_RATE} tx/s → receipt p99`, 'ms', a.steadyP99, b.steadyP99, false],
    ['sustained ETH transfers', 'tx/s', a.ethRate, b.ethRate, true],
    ['sustained ERC20 transfers', 'tx/s', a.erc20Rate, b.erc20Rate, true],
  ]
  const cell = (v: number | null): string => (v === null ? 'n/a' : String(v)).padStart(10)
  console.log(`${'figure'.padEnd(28)} ${'unit'.padEnd(5)} ${'tachyon'.padStart(10)} ${PEER.padStart(10)} ${'advantage'.padStart(10)}`)
  for (const [name, unit, x, y, hib] of rows) console.log(`${name.padEnd(28)} ${unit.padEnd(5)} ${cell(x)} ${cell(y)} ${cell(ratio(x, y, hib))}`)
  const missing = { tachyon: a.missing, [PEER]: b.missing }
  const cpu = { tachyon: a.cpu, [PEER]: b.cpu }
  console.log(`node CPU per included tx, sustained phases (µs): ${JSON.stringify(cpu)}`)
  console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  console.log(`missing (never answered / included): ${JSON.stringify(missing)}`)
  const ethRatio = ratio(a.ethRate, b.ethRate, true)
  const erc20Ratio = ratio(a.erc20Rate, b.erc20Rate, true)
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
      eth_ratio: ethRatio,
      erc20_ratio: erc20Ratio,
      ratio: ethRatio === null || erc20Ratio === null ? null : Math.min(ethRatio, erc20Ratio),
      missing,
      cpu_us_per_tx: cpu,
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    }),
  )
}

if (process.argv[2] === '--serve') void serve(process.argv[3]!, process.argv[4]!, process.argv.slice(5))
else
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
