/**
 * The JSON-RPC server end to end on a loopback port: HTTP and WebSocket on
 * one port, batches, notifications, CORS, and every malformed-input path
 * (parse errors, invalid requests, unknown methods, wrong params, oversized
 * bodies and batches) with its EIP-1474 code, checking the server keeps
 * serving afterwards. Real clients: fetch, ws, viem, ethers.
 */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicClient, http, webSocket } from 'viem'
import { JsonRpcProvider } from 'ethers'
import type { RpcServer } from '../../src/rpc/server/server.js'
import { startTestServer, post, rpc, openWs, wsRequest } from './helpers.js'

let server: RpcServer
before(async () => {
  server = await startTestServer({ maxBodyBytes: 64 * 1024, maxBatchItems: 50, wsMaxPayloadBytes: 64 * 1024 })
})
after(async () => {
  await server.close()
})

const err = (r: unknown): { code: number; message: string } => (r as { error: { code: number; message: string } }).error

test('viem and ethers read chain id, client version and accounts over HTTP', async () => {
  const client = createPublicClient({ transport: http(server.url) })
  assert.equal(await client.getChainId(), 31337)
  const provider = new JsonRpcProvider(server.url, undefined, { staticNetwork: true })
  assert.equal((await provider.send('eth_chainId', [])) as string, '0x7a69')
  assert.deepEqual(await provider.send('eth_accounts', []), ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'])
  assert.equal((await rpc(server.url, 'web3_clientVersion')).result, 'tachyon/test')
  assert.equal((await rpc(server.url, 'net_version')).result, '31337')
  assert.equal((await rpc(server.url, 'eth_syncing')).result, false)
  provider.destroy()
})

test('viem over WebSocket on the same port', async () => {
  const client = createPublicClient({ transport: webSocket(server.wsUrl) })
  assert.equal(await client.getChainId(), 31337)
  await (await client.transport.getRpcClient()).close()
})

test('web3_sha3 hashes bytes', async () => {
  const r = await rpc(server.url, 'web3_sha3', ['0x68656c6c6f20776f726c64'])
  assert.equal(r.result, '0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad')
})

test('malformed JSON gets -32700 with id null', async () => {
  for (const body of ['{', '{"jsonrpc":"2.0",', 'nul', '[1,2', '\u0000']) {
    const r = await post(server.url, body)
    assert.equal(r.status, 200)
    assert.equal(err(r.json).code, -32700, body)
    assert.equal((r.json as { id: unknown }).id, null)
  }
  const empty = await post(server.url, '')
  assert.equal(err(empty.json).code, -32700)
})

test('invalid request objects get -32600, echoing a valid id', async () => {
  const cases: [unknown, unknown][] = [
    [1, null],
    ['x', null],
    [{ id: 7, method: 'eth_chainId' }, 7],
    [{ jsonrpc: '1.0', id: 8, method: 'eth_chainId' }, 8],
    [{ jsonrpc: '2.0', id: 9 }, 9],
    [{ jsonrpc: '2.0', id: 10, method: 5 }, 10],
    [{ jsonrpc: '2.0', id: { a: 1 }, method: 'eth_chainId' }, null],
    [{ jsonrpc: '2.0', id: 11, method: 'eth_chainId', params: 'x' }, 11],
    [{ jsonrpc: '2.0', id: 12, method: 'x'.repeat(500) }, 12],
  ]
  for (const [req, id] of cases) {
    const r = await post(server.url, JSON.stringify(req))
    assert.equal(err(r.json).code, -32600, JSON.stringify(req).slice(0, 80))
    assert.equal((r.json as { id: unknown }).id, id)
  }
})

test('unknown methods get -32601; wrong params get -32602 naming the param', async () => {
  const r = await rpc(server.url, 'eth_doesNotExist', [], 'abc')
  assert.equal(err(r).code, -32601)
  assert.equal(r.id, 'abc')
  assert.match(err(r).message, /eth_doesNotExist/)
  const tooMany = await rpc(server.url, 'eth_chainId', [1])
  assert.equal(err(tooMany).code, -32602)
  const badHex = await rpc(server.url, 'web3_sha3', ['0xzz'])
  assert.equal(err(badHex).code, -32602)
  assert.match(err(badHex).message, /params\[0\]/)
  const missing = await rpc(server.url, 'eth_sign', ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'])
  assert.equal(err(missing).code, -32602)
  const badAddr = await rpc(server.url, 'eth_getBalance', ['0x1234', 'latest'])
  assert.equal(err(badAddr).code, -32602)
  const badTag = await rpc(server.url, 'eth_getBalance', ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', 'newest'])
  assert.equal(err(badTag).code, -32602)
  const leadingZero = await rpc(server.url, 'eth_getBlockByNumber', ['0x01', false])
  assert.equal(err(leadingZero).code, -32602)
  const named = await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: { a: 1 } }))
  assert.equal(err(named.json).code, -32602)
})

test('chain methods answer -32004 while no chain is attached; eth_getProof names tachyon_getProof', async () => {
  const r = await rpc(server.url, 'eth_blockNumber')
  assert.equal(err(r).code, -32004)
  const p = await rpc(server.url, 'eth_getProof', ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', [], 'latest'])
  assert.equal(err(p).code, -32004)
  assert.match(err(p).message, /tachyon_getProof/)
  const sub = await rpc(server.url, 'eth_subscribe', ['newHeads'])
  assert.equal(err(sub).code, -32004)
})

test('batches: order kept, notifications omitted, mixed errors, limits', async () => {
  const batch = [
    { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
    { jsonrpc: '2.0', method: 'eth_chainId' },
    { jsonrpc: '2.0', id: 2, method: 'nope' },
    5,
    { jsonrpc: '2.0', id: 3, method: 'net_version' },
  ]
  const r = await post(server.url, JSON.stringify(batch))
  const out = r.json as { id: unknown; result?: unknown; error?: { code: number } }[]
  assert.equal(out.length, 4)
  assert.deepEqual(out.map((x) => x.id), [1, 2, null, 3])
  assert.equal(out[0]!.result, '0x7a69')
  assert.equal(out[1]!.error!.code, -32601)
  assert.equal(out[2]!.error!.code, -32600)
  assert.equal(out[3]!.result, '31337')

  const emptyBatch = await post(server.url, '[]')
  assert.equal(err(emptyBatch.json).code, -32600)

  const onlyNotifications = await post(server.url, JSON.stringify([{ jsonrpc: '2.0', method: 'eth_chainId' }]))
  assert.equal(onlyNotifications.status, 204)
  assert.equal(onlyNotifications.json, undefined)
  const single = await post(server.url, JSON.stringify({ jsonrpc: '2.0', method: 'eth_chainId' }))
  assert.equal(single.status, 204)

  const big = Array.from({ length: 51 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' }))
  const tooBig = await post(server.url, JSON.stringify(big))
  assert.equal(err(tooBig.json).code, -32005)
  assert.match(err(tooBig.json).message, /batch too large/)
  const ok = await post(server.url, JSON.stringify(big.slice(0, 50)))
  assert.equal((ok.json as unknown[]).length, 50)
})

test('oversized bodies get HTTP 413 with -32005 and the server keeps serving', async () => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'web3_sha3', params: ['0x' + 'ab'.repeat(40_000)] })
  const r = await post(server.url, body)
  assert.equal(r.status, 413)
  assert.equal(err(r.json).code, -32005)
  // Chunked upload without Content-Length: limit enforced while streaming.
  const stream = new ReadableStream({
    start(c) {
      for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(16 * 1024)))
      c.close()
    },
  })
  const r2 = await fetch(server.url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
  assert.equal(r2.status, 413)
  assert.equal((await rpc(server.url, 'eth_chainId')).result, '0x7a69')
})

test('CORS preflight and headers for browsers; non-POST methods', async () => {
  const pre = await fetch(server.url, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  assert.equal(pre.status, 204)
  assert.equal(pre.headers.get('access-control-allow-origin'), '*')
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/)
  assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type')
  const r = await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }), { origin: 'http://localhost:3000' })
  assert.equal(r.headers.get('access-control-allow-origin'), '*')
  const put = await fetch(server.url, { method: 'PUT', body: '{}' })
  assert.equal(put.status, 405)
  const health = await fetch(server.url + '/health')
  assert.equal(health.status, 200)
})

test('WebSocket: requests, batches, bad JSON, oversized frames close only that socket', async () => {
  const ws = await openWs(server.wsUrl)
  assert.deepEqual(await wsRequest(ws, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' })), { jsonrpc: '2.0', id: 1, result: '0x7a69' })
  const batch = (await wsRequest(ws, JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }, { jsonrpc: '2.0', id: 2, method: 'net_version' }]))) as unknown[]
  assert.equal(batch.length, 2)
  assert.equal(err(await wsRequest(ws, '{oops')).code, -32700)
  assert.equal(err(await wsRequest(ws, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'eth_subscribe', params: ['nope'] }))).code, -32004)
  const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)))
  ws.send('x'.repeat(70 * 1024))
  assert.equal(await closed, 1009)
  const ws2 = await openWs(server.wsUrl)
  assert.deepEqual(await wsRequest(ws2, JSON.stringify({ jsonrpc: '2.0', id: 'a', method: 'eth_chainId' })), { jsonrpc: '2.0', id: 'a', result: '0x7a69' })
  ws2.close()
})

test('many concurrent requests are all answered', async () => {
  const rs = await Promise.all(Array.from({ length: 100 }, (_, i) => rpc(server.url, 'eth_chainId', [], i)))
  assert.ok(rs.every((r, i) => r.id === i && r.result === '0x7a69'))
})
