/**
 * Batched submission over JSON-RPC: the eth_sendRawTransaction calls of one
 * HTTP batch are admitted together (`invokeMany` → `submitRawTransactions` →
 * one ordered admission on the recovery workers). Differential check on two
 * real dev nodes: node A gets everything as one batch (valid sends from
 * several senders in nonce order, a nonce gap, duplicates, a wrong chain id,
 * undecodable bytes, bad params, a notification, an unaffordable
 * replacement, another method in between) through the grouped path, node B
 * the same batch through the generic per-call path (a second RPC server on
 * its chain whose eth_sendRawTransaction has no `invokeMany`). One recovery
 * worker each, so both pool the whole batch before a mini-block runs. Every
 * response (ids, results, error codes and messages) and the resulting nonces
 * must be the same.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { privateKeyToAccount } from 'viem/accounts'
import { keccak256, type TransactionSerializable } from 'viem'
import { startNode, DEV_KEYS, type TestNode } from '../e2e/helpers.js'
import { startRpcServer } from '../../src/rpc/server/server.js'
import { buildRegistry, type RpcMethod } from '../../src/rpc/method.js'
import { ALL_METHODS } from '../../src/rpc/methods/index.js'
import { ChainBackend } from '../../src/node/backend.js'
import { Keyring } from '../../src/rpc/keyring.js'

const GWEI = 10n ** 9n
const signers = DEV_KEYS.slice(0, 3).map((k) => privateKeyToAccount(k))

function sign(i: number, nonce: number, extra: Partial<TransactionSerializable> = {}): Promise<`0x${string}`> {
  const tx = { type: 'eip1559', chainId: 31337, to: '0x000000000000000000000000000000000000dEaD', gas: 21000n, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: GWEI, value: 1n, nonce, ...extra } as TransactionSerializable
  return signers[i]!.signTransaction(tx)
}

interface Call {
  jsonrpc: '2.0'
  id?: number | string | null
  method: string
  params?: unknown
}

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return res.status === 204 ? undefined : res.json()
}

async function nonces(url: string): Promise<unknown[]> {
  return Promise.all(signers.map((s) => post(url, { jsonrpc: '2.0', id: 1, method: 'eth_getTransactionCount', params: [s.address, 'pending'] }).then((r) => (r as { result: unknown }).result)))
}

test('a batch of sends answers exactly as the per-call path does', async () => {
  const calls: Call[] = []
  let id = 1
  const send = (raw: unknown, extra: Partial<Call> = {}): void => void calls.push({ jsonrpc: '2.0', id: id++, method: 'eth_sendRawTransaction', params: [raw], ...extra })
  const valid: `0x${string}`[] = []
  for (let n = 0; n < 4; n++) for (let i = 0; i < 3; i++) valid.push(await sign(i, n))
  for (const raw of valid.slice(0, 6)) send(raw)
  send(valid[0]) // already known
  calls.push({ jsonrpc: '2.0', id: id++, method: 'eth_chainId', params: [] }) // another method between sends
  send(await sign(0, 9)) // nonce gap: queued, still answered with its hash
  send(await sign(1, 2, { chainId: 1 })) // wrong chain id
  send('0x02c180') // undecodable
  send('0xzz') // not hex: invalid params
  calls.push({ jsonrpc: '2.0', id: id++, method: 'eth_sendRawTransaction', params: [] }) // missing param
  calls.push({ jsonrpc: '2.0', id: id++, method: 'eth_sendRawTransaction', params: [valid[6], 'extra'] }) // too many params
  calls.push({ jsonrpc: '2.0', method: 'eth_sendRawTransaction', params: [valid[6]] }) // notification: pooled, no answer
  send(await sign(2, 1, { value: 10n ** 30n })) // replacement of a pooled nonce without the fee bump / funds
  for (const raw of valid.slice(7)) send(raw, { id: `s${id}` })
  send(valid[3]) // duplicate again, later in the batch

  const args = ['--recovery-workers', '1']
  const a: TestNode = await startNode({ args, chain: { autoSeal: false } })
  const b: TestNode = await startNode({ args, chain: { autoSeal: false } })
  // node B's second server: the same methods, sends served one call at a time
  const perCall: RpcMethod[] = ALL_METHODS.map((m) => (m.invokeMany === undefined ? m : { name: m.name, invoke: m.invoke.bind(m) }))
  assert.ok(ALL_METHODS.some((m) => m.name === 'eth_sendRawTransaction' && m.invokeMany !== undefined))
  const generic = await startRpcServer({ port: 0, methods: buildRegistry(perCall), node: { chainId: 31337n, clientVersion: 'test', keyring: new Keyring([]) }, backend: new ChainBackend(b.node.chain!) })
  try {
    const batched = (await post(a.url, calls)) as unknown[]
    const single = (await post(generic.url, calls)) as unknown[]
    assert.equal(batched.length, calls.filter((c) => 'id' in c).length)
    assert.deepEqual(batched, single)
    // the valid sends were answered with their hashes
    const byId = new Map((batched as { id: unknown; result?: unknown }[]).map((r) => [r.id, r.result]))
    assert.equal(byId.get(1), keccak256(valid[0]!))
    assert.ok((batched as { error?: unknown }[]).some((r) => r.error !== undefined))
    assert.deepEqual(await nonces(a.url), await nonces(b.url))
  } finally {
    await generic.close()
    await a.dispose()
    await b.dispose()
  }
})
