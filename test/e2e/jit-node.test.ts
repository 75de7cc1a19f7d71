/**
 * The JIT inside the node (issue 6): two real dev nodes (chain on a temp
 * dir, JSON-RPC on loopback), one with `--jit off`, one with the JIT forced
 * hot (threshold 1: every code is compiled on its first frame, so every
 * transaction and call below runs compiled code), get the same signed
 * transactions: Solidity contracts (storage writes and clears with refunds,
 * reverts with reasons, out-of-gas, CREATE2, value calls, an ERC20) and
 * compute contracts from ../shared/fixtures/evm-benchmarks put in place
 * with `anvil_setCode`, also run out of gas mid-loop. Receipts must be
 * identical transaction by transaction, and the sealed blocks' state and
 * receipts roots equal; eth_call (snailtracer too, above the default gas
 * cap), eth_estimateGas and eth_createAccessList must answer alike. The
 * `--jit` and `--rpc-gas-cap` flags are parsed strictly.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, encodeDeployData, keccak256, type Abi, type Hex, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { compileContracts } from '../contracts/compile.js'
import { DEV_KEYS } from './helpers.js'
import { parseDevArgs, helpText } from '../../src/node/config.js'
import { ConfigError } from '../../src/node/errors.js'
import { launchDev, type DevNode } from '../../src/node/launch.js'
import type { JitOptions } from '../../src/evm/jit/index.js'

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/evm-benchmarks')
/** The compute fixtures live next to the repository (absent in a bare clone: then only the Solidity flows run). */
const HAVE_FIXTURES = existsSync(FIXTURES)
/** Fixed block timestamps, so the two chains can agree on roots whatever the wall clock. */
const GENESIS_TS = 1_800_000_000n

interface Fixture {
  code: Hex
  data: Hex
}

function fixture(file: string): Fixture {
  const json = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, { pre: Record<string, { code?: string }>; transaction: Record<string, unknown> | Record<string, unknown>[] }>
  const t = Object.values(json)[0]!
  const tx = (Array.isArray(t.transaction) ? t.transaction[0]! : t.transaction) as Record<string, unknown>
  const to = String(tx.to).toLowerCase()
  const code = Object.entries(t.pre).find(([a]) => a.toLowerCase() === to)![1].code! as Hex
  const data = (Array.isArray(tx.data) ? String((tx.data as unknown[])[0]) : String(tx.data)) as Hex
  return { code, data }
}

async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const j = (await res.json()) as { result?: T; error?: { code: number; message: string; data?: unknown } }
  if (j.error) throw Object.assign(new Error(`${method}: ${j.error.message}`), { rpc: j.error })
  return j.result as T
}

/** The answer or the error object, so errors are compared too. */
async function answer(url: string, method: string, params: unknown[]): Promise<unknown> {
  try {
    return { result: await rpc(url, method, params) }
  } catch (e) {
    const err = (e as { rpc?: unknown }).rpc
    if (err === undefined) throw e
    return { error: err }
  }
}

async function start(jit: 'on' | 'off', jitOpts?: JitOptions): Promise<{ node: DevNode; url: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `tachyon-jit-${jit}-`))
  const parsed = parseDevArgs(['--port', '0', '--host', '127.0.0.1', '--data-dir', dir, '--log-level', 'silent', '--jit', jit, '--rpc-gas-cap', '300000000', '--recovery-workers', '0'])
  assert.ok(parsed.kind === 'run')
  if (parsed.kind !== 'run') throw new Error('unreachable')
  // Cancun: from Prague on, EIP-2935 stores each parent block hash in state, and a
  // hash commits to the µs wall-clock stamps of its mini-blocks, so two nodes'
  // roots would differ from block 2 on whatever the JIT does.
  const node = await launchDev(parsed.config, { chain: { autoSeal: false, genesisTimestamp: GENESIS_TS, fork: 'Cancun' }, ...(jitOpts ? { jit: jitOpts } : {}) })
  return { node, url: node.server.url, dir }
}

test('--jit and --rpc-gas-cap: defaults, values, typed errors, --help', () => {
  const d = parseDevArgs([])
  assert.ok(d.kind === 'run' && d.config.jit === true && d.config.rpcGasCap === 50_000_000n)
  const c = parseDevArgs(['--jit', 'off', '--rpc-gas-cap=1000000000'])
  assert.ok(c.kind === 'run' && c.config.jit === false && c.config.rpcGasCap === 1_000_000_000n)
  const on = parseDevArgs(['--jit=on'])
  assert.ok(on.kind === 'run' && on.config.jit === true)
  for (const bad of [['--jit'], ['--jit', 'yes'], ['--jit', '1'], ['--rpc-gas-cap', '100'], ['--rpc-gas-cap', 'x'], ['--rpc-gas-cap', String(1n << 60n)]]) {
    assert.throws(() => parseDevArgs(bad), ConfigError, bad.join(' '))
  }
  assert.match(helpText(), /--jit <on\|off>.*\(default: on\)/)
  assert.match(helpText(), /--rpc-gas-cap <n>.*\(default: 50000000\)/)
})

test('a node with the JIT forced hot gives the receipts, roots and call answers of a node without it', async () => {
  const { Probe, Token } = compileContracts()
  const probeAbi = Probe!.abi as Abi
  const tokenAbi = Token!.abi as Abi
  const off = await start('off')
  const hot = await start('on', { threshold: 1 })
  const nodes = [off, hot]
  try {
    assert.equal(off.node.jit, undefined)
    const jit = hot.node.jit!
    assert.ok(jit !== undefined && jit.threshold === 1)
    // one JIT per node, hung on the code cache that the sequencer and eth_call share
    assert.equal(hot.node.chain!.codeCache.jit, jit)
    assert.equal(off.node.chain!.codeCache.jit, undefined)

    const alice = privateKeyToAccount(DEV_KEYS[0]!)
    const bob = privateKeyToAccount(DEV_KEYS[1]!)
    const nonces = new Map<string, number>()
    const sign = async (who: typeof alice, tx: { to?: Address; data?: Hex; value?: bigint; gas: bigint }): Promise<Hex> => {
      const nonce = nonces.get(who.address) ?? 0
      nonces.set(who.address, nonce + 1)
      return who.signTransaction({ type: 'eip1559', chainId: 31337, nonce, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, gas: tx.gas, ...(tx.to ? { to: tx.to } : {}), data: tx.data ?? '0x', value: tx.value ?? 0n })
    }
    let count = 0
    type Receipt = { status: Hex; gasUsed: Hex; cumulativeGasUsed: Hex; contractAddress: Address | null; logs: { address: string; topics: Hex[]; data: Hex }[]; logsBloom: Hex }
    const run = async (label: string, raw: Hex): Promise<Receipt> => {
      const rs = []
      for (const n of nodes) {
        const r = await rpc<Receipt>(n.url, 'realtime_sendRawTransaction', [raw])
        rs.push({ status: r.status, gasUsed: r.gasUsed, cumulativeGasUsed: r.cumulativeGasUsed, contractAddress: r.contractAddress ?? null, logsBloom: r.logsBloom, logs: r.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data })) })
      }
      assert.deepEqual(rs[1], rs[0], `${label}: receipts differ with the JIT on`)
      count++
      return rs[0]!
    }
    const seal = async (ts: bigint): Promise<void> => {
      for (const n of nodes) await rpc(n.url, 'evm_mine', [])
      const heads = await Promise.all(nodes.map((n) => rpc<{ stateRoot: Hex; receiptsRoot: Hex; gasUsed: Hex; logsBloom: Hex; number: Hex; timestamp: Hex }>(n.url, 'eth_getBlockByNumber', ['latest', false])))
      const pick = (h: (typeof heads)[0]): unknown => ({ number: h.number, timestamp: h.timestamp, stateRoot: h.stateRoot, receiptsRoot: h.receiptsRoot, gasUsed: h.gasUsed, logsBloom: h.logsBloom })
      assert.deepEqual(pick(heads[1]!), pick(heads[0]!), `block ${heads[0]!.number} differs with the JIT on`)
      for (const n of nodes) n.node.chain!.setNextBlockTimestamp(ts)
    }
    for (const n of nodes) n.node.chain!.setNextBlockTimestamp(GENESIS_TS + 12n)

    // block 1: Solidity contracts
    const probe = (await run('deploy Probe', await sign(alice, { data: Probe!.bytecode, gas: 3_000_000n }))).contractAddress!
    const call = (fn: string, args: unknown[]): Hex => encodeFunctionData({ abi: probeAbi, functionName: fn, args })
    await run('store 1', await sign(alice, { to: probe, data: call('store', [1n, 42n]), gas: 200_000n }))
    await run('store 2', await sign(alice, { to: probe, data: call('store', [2n, 7n]), gas: 200_000n }))
    await run('clear 1 (refund)', await sign(alice, { to: probe, data: call('clear', [1n]), gas: 200_000n }))
    await run('revert with reason', await sign(alice, { to: probe, data: call('fail', [1n]), gas: 100_000n }))
    await run('hash loop', await sign(alice, { to: probe, data: call('hashLoop', [300n]), gas: 2_000_000n }))
    await run('out of gas in a loop', await sign(alice, { to: probe, data: call('hashLoop', [5000n]), gas: 100_000n }))
    await run('create2 child', await sign(alice, { to: probe, data: call('spawn', [keccak256('0x01'), 99n]), gas: 500_000n }))
    await run('pay bob via probe', await sign(alice, { to: probe, data: call('pay', [bob.address]), value: 10n ** 15n, gas: 100_000n }))
    const token = (await run('deploy ERC20', await sign(alice, { data: encodeDeployData({ abi: tokenAbi, bytecode: Token!.bytecode, args: ['Jit', 'JIT', 10n ** 24n] }), gas: 3_000_000n }))).contractAddress!
    for (let i = 0; i < 3; i++) await run(`erc20 transfer ${i}`, await sign(alice, { to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [bob.address, 5000n + BigInt(i)] }), gas: 100_000n }))
    await run('erc20 transfer too much', await sign(bob, { to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [alice.address, 10n ** 30n] }), gas: 100_000n }))
    await seal(GENESIS_TS + 24n)

    // block 2: compute contracts from the benchmark fixtures, whole and out of gas mid-run
    const compute: [string, string, bigint][] = !HAVE_FIXTURES ? [] : [
      ['fibonacci', 'revmc/data/fibonacci-calldata.json', 200_000n],
      ['factorial', 'revmc/data/factorial.json', 200_000n],
      ['sha1_shifts', 'ipsilon/benchmarks/main/sha1_shifts.json', 4_000_000n],
      ['hash_10k', 'revmc/data/hash_10k.json', 3_000_000n],
      ['weierstrudel', 'ipsilon/benchmarks/main/weierstrudel.json', 1_000_000n],
      ['blake2b_huff', 'ipsilon/benchmarks/main/blake2b_huff.json', 1_500_000n],
    ]
    const placed: { name: string; address: Address; data: Hex }[] = []
    for (let i = 0; i < compute.length; i++) {
      const [name, file, gas] = compute[i]!
      const f = fixture(file)
      const address = `0x${(0xc0de00 + i).toString(16).padStart(40, '0')}` as Address
      for (const n of nodes) await rpc(n.url, 'anvil_setCode', [address, f.code])
      placed.push({ name, address, data: f.data })
      const ok = await run(name, await sign(alice, { to: address, data: f.data, gas }))
      assert.equal(ok.status, '0x1', `${name} runs to the end`)
      const oog = await run(`${name} out of gas`, await sign(alice, { to: address, data: f.data, gas: 21_000n + (BigInt(ok.gasUsed) - 21_000n) / 2n }))
      assert.equal(oog.status, '0x0', `${name} runs out of gas`)
    }
    await seal(GENESIS_TS + 36n)

    // eth_call-like methods answer alike (snailtracer needs 166M gas: above the default 50M cap)
    const snailAt = '0x00000000000000000000000000000000005a1100' as Address
    const snailCalls: [string, unknown[]][] = []
    if (HAVE_FIXTURES) {
      const snail = fixture('ipsilon/benchmarks/main/snailtracer.json')
      for (const n of nodes) await rpc(n.url, 'anvil_setCode', [snailAt, snail.code])
      snailCalls.push(['eth_call', [{ from: alice.address, to: snailAt, data: snail.data, gas: '0xbebc200' }, 'latest']])
      snailCalls.push(['eth_call', [{ from: alice.address, to: snailAt, data: snail.data, gas: '0x100000' }, 'latest']])
    }
    const requests: [string, unknown[]][] = [
      ...snailCalls,
      ['eth_call', [{ from: alice.address, to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'balanceOf', args: [bob.address] }) }, 'latest']],
      ['eth_call', [{ from: alice.address, to: probe, data: call('fail', [3n]) }, 'latest']],
      ['eth_estimateGas', [{ from: alice.address, to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [bob.address, 1n] }) }]],
      ['eth_estimateGas', [{ from: alice.address, to: probe, data: call('hashLoop', [40n]) }]],
      ['eth_createAccessList', [{ from: alice.address, to: probe, data: call('store', [9n, 9n]) }, 'latest']],
      ...placed.map((p): [string, unknown[]] => ['eth_call', [{ from: alice.address, to: p.address, data: p.data }, 'latest']]),
    ]
    for (const [method, params] of requests) {
      const [a, b] = await Promise.all(nodes.map((n) => answer(n.url, method, params)))
      assert.deepEqual(b, a, `${method} ${JSON.stringify(params).slice(0, 120)} differs with the JIT on`)
    }
    if (HAVE_FIXTURES) {
      const snailOut = (await answer(off.url, 'eth_call', snailCalls[0]![1])) as { result?: Hex }
      assert.ok(snailOut.result !== undefined && snailOut.result.length > 2, 'snailtracer answers within the raised gas cap')
    }

    assert.ok(count >= 13 + 2 * compute.length)
    // every code ran compiled: transactions, sub-calls (CREATE2 child, value call) and eth_calls
    assert.ok(jit.stats.compiled >= 3 + compute.length, `compiled ${jit.stats.compiled}`)
    assert.ok(jit.stats.compiledRuns > count, `compiled runs ${jit.stats.compiledRuns}`)
    assert.equal(jit.stats.failed, 0)
  } finally {
    for (const n of nodes) {
      await n.node.close()
      rmSync(n.dir, { recursive: true, force: true })
    }
  }
})

test('default tiering: eth_calls make a code hot, it is compiled off the call path and answers the same', async () => {
  const { Probe } = compileContracts()
  const probeAbi = Probe!.abi as Abi
  const n = await start('on')
  try {
    const jit = n.node.jit!
    assert.ok(jit !== undefined && jit.threshold > 1 && jit.async, 'the node tiers adaptively, compiling asynchronously')
    const alice = privateKeyToAccount(DEV_KEYS[0]!)
    const raw = await alice.signTransaction({ type: 'eip1559', chainId: 31337, nonce: 0, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, gas: 3_000_000n, data: Probe!.bytecode })
    const probe = (await rpc<{ contractAddress: Address }>(n.url, 'realtime_sendRawTransaction', [raw])).contractAddress
    const req = { from: alice.address, to: probe, data: encodeFunctionData({ abi: probeAbi, functionName: 'hashLoop', args: [50n] }) }
    const first = await rpc<Hex>(n.url, 'eth_call', [req, 'latest'])
    const gas0 = await rpc<Hex>(n.url, 'eth_estimateGas', [req])
    // each eth_call enters the code once; estimateGas's binary search many times
    for (let i = 0; i < 2 * jit.threshold; i++) assert.equal(await rpc<Hex>(n.url, 'eth_call', [req, 'latest']), first)
    assert.ok(jit.stats.compiled >= 1, 'the code was compiled')
    const runs = jit.stats.compiledRuns
    assert.equal(await rpc<Hex>(n.url, 'eth_call', [req, 'latest']), first)
    assert.equal(await rpc<Hex>(n.url, 'eth_estimateGas', [req]), gas0)
    assert.ok(jit.stats.compiledRuns > runs, 'later calls run compiled code')
  } finally {
    await n.node.close()
    rmSync(n.dir, { recursive: true, force: true })
  }
})
