/**
 * The JSON-RPC server: HTTP POST and WebSocket on one port (`node:http` +
 * `ws`, routed by the Upgrade header), CORS for browsers, bounded bodies and
 * frames, header/request/idle timeouts, and one session per connection so
 * subscriptions and long waits end when the client goes away.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { setMaxListeners } from 'node:events'
import { WebSocketServer, type WebSocket, type RawData } from 'ws'
import type { RpcMethod } from '../method.js'
import type { NodeInfo, RpcContext, RpcSession } from '../context.js'
import type { Backend } from '../backend.js'
import { SILENT_LOGGER, type RpcLogger } from '../logger.js'
import { DEFAULT_LIMITS, type RpcLimits } from './limits.js'
import { Dispatcher, type DispatchObserver } from './dispatch.js'
import { LimitExceededError, ParseError, type RpcError } from '../errors.js'
import { SubscriptionManager } from '../subscriptions.js'
import { FilterManager } from '../filters.js'

/** Options of `startRpcServer`. */
export interface RpcServerOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string
  /** Port (default 8545; 0 picks a free one). */
  port?: number
  methods: ReadonlyMap<string, RpcMethod>
  node: NodeInfo
  /** The chain; omitted in config-only mode (chain methods answer -32004). */
  backend?: Backend
  limits?: Partial<RpcLimits>
  logger?: RpcLogger
  /** Allowed browser origins: '*' (default, like geth --http.corsdomain '*' in dev) or a list. */
  corsOrigins?: '*' | readonly string[]
  observer?: DispatchObserver
}

/** A running server. */
export interface RpcServer {
  readonly host: string
  readonly port: number
  /** `http://host:port` */
  readonly url: string
  /** `ws://host:port` */
  readonly wsUrl: string
  readonly filters: FilterManager | undefined
  /** Open WebSocket connections. */
  wsConnectionCount(): number
  /** Stop accepting, close every connection, release timers. */
  close(): Promise<void>
}

/** Start the server; resolves once it listens. */
export async function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const limits: RpcLimits = { ...DEFAULT_LIMITS, ...opts.limits }
  const logger = opts.logger ?? SILENT_LOGGER
  const dispatcher = new Dispatcher(opts.methods, limits, logger, opts.observer)
  const filters = opts.backend ? new FilterManager(opts.backend) : undefined
  const subscriptions = new SubscriptionManager(opts.backend?.events, limits.maxSubscriptionsPerConnection, logger)
  const corsOrigins = opts.corsOrigins ?? '*'
  let nextSessionId = 1

  const makeContext = (session: RpcSession): RpcContext => ({ node: opts.node, backend: opts.backend, filters, session, logger })

  const server: Server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  })
  server.timeout = limits.idleTimeoutMs

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleHttp(req, res).catch((err: unknown) => {
      logger.error({ err }, 'HTTP handler failed')
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })

  function setCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin
    if (origin === undefined) return
    if (corsOrigins === '*') res.setHeader('Access-Control-Allow-Origin', '*')
    else if (corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin)
      res.setHeader('Vary', 'Origin')
    }
  }

  function sendJson(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
  }

  function rejectBody(res: ServerResponse, status: number, e: RpcError, close: boolean): void {
    const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: e.toJSON() })
    if (close) res.setHeader('Connection', 'close')
    sendJson(res, status, body)
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setCors(req, res)
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Content-Type',
        'Access-Control-Max-Age': '600',
      })
      res.end()
      return
    }
    if (req.method === 'GET' && (req.url === '/health' || req.url === '/')) {
      sendJson(res, 200, JSON.stringify({ status: 'ok', chainId: `0x${opts.node.chainId.toString(16)}` }))
      return
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST, GET, OPTIONS', 'Content-Type': 'text/plain' })
      res.end('JSON-RPC: use POST or a WebSocket upgrade\n')
      return
    }
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > limits.maxBodyBytes) {
      req.resume()
      rejectBody(res, 413, new LimitExceededError(`request body too large: ${declared} bytes, the limit is ${limits.maxBodyBytes}`), true)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > limits.maxBodyBytes) {
        tooLarge = true
        break
      }
      chunks.push(chunk)
    }
    if (tooLarge) {
      rejectBody(res, 413, new LimitExceededError(`request body too large: over ${limits.maxBodyBytes} bytes`), true)
      req.destroy()
      return
    }
    const text = Buffer.concat(chunks).toString('utf8')
    if (text.trim().length === 0) {
      rejectBody(res, 200, new ParseError('parse error: empty body'), false)
      return
    }
    const abort = new AbortController()
    // only a client gone before the answer aborts: aborting every finished request built a DOMException (~30 µs) per call
    res.on('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    const session: RpcSession = { id: nextSessionId++, transport: 'http', subscriptions: undefined, signal: abort.signal }
    const out = await dispatcher.handleText(text, makeContext(session))
    if (res.destroyed) return
    if (out === undefined) {
      res.writeHead(204)
      res.end()
    } else sendJson(res, 200, out)
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.wsMaxPayloadBytes, perMessageDeflate: false })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => onWs(ws))
  })

  function onWs(ws: WebSocket): void {
    const abort = new AbortController()
    // every pending wait of the socket (realtime sends, callAfter) listens on it
    setMaxListeners(0, abort.signal)
    const send = (text: string): void => {
      if (ws.readyState !== ws.OPEN) return
      if (ws.bufferedAmount > limits.wsMaxBufferedBytes) {
        logger.warn({ buffered: ws.bufferedAmount }, 'closing slow WebSocket client')
        ws.close(1008, 'client too slow')
        return
      }
      ws.send(text)
    }
    const subs = subscriptions.openSession(send)
    const session: RpcSession = { id: nextSessionId++, transport: 'ws', subscriptions: subs, signal: abort.signal }
    const ctx = makeContext(session)
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary || !Buffer.isBuffer(data) ? Buffer.from(data as Buffer).toString('utf8') : data.toString('utf8')
      dispatcher
        .handleText(text, ctx)
        .then((out) => {
          if (out !== undefined) send(out)
        })
        .catch((err: unknown) => logger.error({ err }, 'WS dispatch failed'))
    })
    ws.on('error', (err) => logger.debug({ err }, 'WebSocket error'))
    ws.on('close', () => {
      abort.abort()
      subs.close()
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 8545, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const addr = server.address() as AddressInfo
  const host = opts.host ?? '127.0.0.1'
  const urlHost = host.includes(':') ? `[${host}]` : host
  logger.info({ host, port: addr.port }, 'JSON-RPC server listening')

  return {
    host,
    port: addr.port,
    url: `http://${urlHost}:${addr.port}`,
    wsUrl: `ws://${urlHost}:${addr.port}`,
    filters,
    wsConnectionCount: () => wss.clients.size,
    async close() {
      filters?.close()
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
