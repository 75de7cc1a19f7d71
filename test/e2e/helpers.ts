/**
 * Shared setup of the end-to-end tests: a real dev node (chain on a temp
 * data directory + JSON-RPC server on a loopback port 0), the well-known dev
 * keys, and a minimal WebSocket JSON-RPC client for raw subscriptions.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { parseDevArgs } from '../../src/node/config.js'
import { launchDev, type DevNode } from '../../src/node/launch.js'
import type { ChainOptions } from '../../src/chain/chain.js'
import { deriveDevAccounts, DEFAULT_MNEMONIC } from '../../src/node/accounts.js'
import { bytesToHex } from '../../src/primitives/hex.js'

/** The dev keys of the test mnemonic (anvil's), as 0x hex. */
export const DEV_KEYS: readonly `0x${string}`[] = deriveDevAccounts(DEFAULT_MNEMONIC, 10).map((a) => bytesToHex(a.privateKey))

/** A started node and its data directory. */
export interface TestNode {
  node: DevNode
  dir: string
  url: string
  wsUrl: string
  /** Stop the node (the data directory stays). */
  stop(): Promise<void>
  /** Stop and delete the data directory. */
  dispose(): Promise<void>
}

/** Start a dev node on 127.0.0.1:0 in `dir` (a fresh temp dir by default). */
export async function startNode(opts: { dir?: string; args?: string[]; chain?: Partial<ChainOptions> } = {}): Promise<TestNode> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tachyon-e2e-'))
  const parsed = parseDevArgs(['--port', '0', '--host', '127.0.0.1', '--data-dir', dir, '--log-level', 'silent', ...(opts.args ?? [])])
  if (parsed.kind !== 'run') throw new Error('unexpected --help')
  const node = await launchDev(parsed.config, opts.chain ? { chain: opts.chain } : {})
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await node.close()
  }
  return {
    node,
    dir,
    url: node.server.url,
    wsUrl: node.server.wsUrl,
    stop,
    dispose: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A tiny JSON-RPC client over one WebSocket, with subscription callbacks. */
export class WsRpc {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private readonly subs = new Map<string, (result: unknown) => void>()
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: { subscription: string; result: unknown } }
      if (msg.method === 'eth_subscription' && msg.params) {
        this.subs.get(msg.params.subscription)?.(msg.params.result)
        return
      }
      const p = this.pending.get(msg.id!)
      if (!p) return
      this.pending.delete(msg.id!)
      if (msg.error) p.reject(new Error(msg.error.message))
      else p.resolve(msg.result)
    })
  }

  /** Connect. */
  static connect(url: string): Promise<WsRpc> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.once('open', () => resolve(new WsRpc(ws)))
      ws.once('error', reject)
    })
  }

  /** Call a method. */
  request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }

  /** eth_subscribe; `onResult` gets each notification's result. */
  async subscribe(params: unknown[], onResult: (r: unknown) => void): Promise<string> {
    const id = await this.request<string>('eth_subscribe', params)
    this.subs.set(id, onResult)
    return id
  }

  /** Close the socket. */
  close(): void {
    this.ws.close()
  }
}
