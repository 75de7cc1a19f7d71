/** Shared test setup: a real server on a loopback port with the full registry and the dev keyring, plus raw HTTP/WS helpers. */
import { startRpcServer, type RpcServer } from '../../src/rpc/server/server.js'
import { buildRegistry } from '../../src/rpc/method.js'
import { ALL_METHODS } from '../../src/rpc/methods/index.js'
import { Keyring } from '../../src/rpc/keyring.js'
import type { RpcLimits } from '../../src/rpc/server/limits.js'
import { hexToBytes } from '../../src/primitives/hex.js'
import WebSocket from 'ws'

/** anvil's first two dev keys. */
export const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
] as const

/** Start a config-only server (no chain) on port 0. */
export function startTestServer(limits: Partial<RpcLimits> = {}): Promise<RpcServer> {
  return startRpcServer({
    port: 0,
    methods: buildRegistry(ALL_METHODS),
    node: { chainId: 31337n, clientVersion: 'tachyon/test', keyring: new Keyring(DEV_KEYS.map((k) => hexToBytes(k))) },
    limits,
  })
}

/** POST a raw body; returns status, headers and parsed JSON (or undefined for an empty body). */
export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: unknown }> {
  const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
  const text = await r.text()
  return { status: r.status, headers: r.headers, json: text.length === 0 ? undefined : JSON.parse(text) }
}

/** One JSON-RPC call over HTTP; returns the response object. */
export async function rpc(url: string, method: string, params: unknown[] = [], id: number | string = 1): Promise<Record<string, unknown>> {
  return (await post(url, JSON.stringify({ jsonrpc: '2.0', id, method, params }))).json as Record<string, unknown>
}

/** Open a WebSocket and wait for it. */
export async function openWs(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url)
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res())
    ws.once('error', rej)
  })
  return ws
}

/** Send a text frame and await the next message. */
export function wsRequest(ws: WebSocket, text: string): Promise<unknown> {
  return new Promise((res) => {
    ws.once('message', (d) => res(JSON.parse(d.toString())))
    ws.send(text)
  })
}
