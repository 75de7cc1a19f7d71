/**
 * Turns a request body (text) into a response body: JSON parsing, JSON-RPC
 * 2.0 envelope validation, batches (bounded in items and response bytes),
 * notifications (no response), method lookup and error mapping. Transport
 * independent: HTTP and WebSocket both call `handleText`. Nothing a client
 * sends can make it throw; handler bugs become -32603 and are logged.
 */
import type { RpcMethod, Settled } from '../method.js'
import type { RpcContext } from '../context.js'
import type { RpcLogger } from '../logger.js'
import type { RpcLimits } from './limits.js'
import { MAX_METHOD_NAME_LENGTH, MAX_STRING_ID_LENGTH } from './limits.js'
import {
  RpcError,
  ParseError,
  InvalidRequestError,
  MethodNotFoundError,
  InvalidParamsError,
  InternalError,
  LimitExceededError,
  type RpcErrorObject,
} from '../errors.js'
import { DecodeError } from '../../primitives/errors.js'

/** A JSON-RPC id: string, number or null. */
export type RpcId = string | number | null

/** A response object. */
export type RpcResponse = { jsonrpc: '2.0'; id: RpcId; result: unknown } | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject }

/** Per-request hook for metrics/logging. */
export interface DispatchObserver {
  onCall?(method: string, ms: number, error: RpcErrorObject | undefined): void
}

/** Consecutive calls of one method with `invokeMany` in a batch: their positions and envelopes. */
interface Group {
  method: RpcMethod
  at: number[]
  reqs: ParsedRequest[]
}

/** Validated request envelope. */
interface ParsedRequest {
  id: RpcId
  notification: boolean
  method: string
  /** 'named' when params was an object: valid JSON-RPC, but no Ethereum method takes named params. */
  params: readonly unknown[] | 'named'
}

/** Dispatches requests to registered methods. */
export class Dispatcher {
  constructor(
    private readonly methods: ReadonlyMap<string, RpcMethod>,
    private readonly limits: RpcLimits,
    private readonly logger: RpcLogger,
    private readonly observer: DispatchObserver = {},
  ) {}

  /**
   * Handle one body. Returns the response text, or undefined when nothing is
   * to be sent (only notifications).
   */
  async handleText(text: string, ctx: RpcContext): Promise<string | undefined> {
    let msg: unknown
    try {
      msg = JSON.parse(text)
    } catch (e) {
      return JSON.stringify(errorResponse(null, new ParseError(`parse error: ${(e as Error).message.slice(0, 200)}`)))
    }
    if (Array.isArray(msg)) return this.handleBatch(msg, ctx)
    const r = await this.handleOne(msg, ctx)
    return r === undefined ? undefined : JSON.stringify(r)
  }

  private async handleBatch(items: unknown[], ctx: RpcContext): Promise<string | undefined> {
    if (items.length === 0) return JSON.stringify(errorResponse(null, new InvalidRequestError('empty batch')))
    if (items.length > this.limits.maxBatchItems) {
      return JSON.stringify(errorResponse(null, new LimitExceededError(`batch too large: ${items.length} items, the limit is ${this.limits.maxBatchItems}`)))
    }
    // Items run concurrently (a slow call does not hold up the others); the
    // response keeps request order. Consecutive calls of a method with
    // `invokeMany` (eth_sendRawTransaction) run as one group, started where
    // the group's first call stands relative to the other calls.
    const pending: Promise<RpcResponse | undefined>[] = new Array(items.length)
    let group: Group | undefined
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      let req: ParsedRequest | undefined
      try {
        req = parseRequest(item)
      } catch {
        req = undefined // handleOne answers with the error
      }
      const method = req !== undefined && req.params !== 'named' ? this.methods.get(req.method) : undefined
      if (req !== undefined && method?.invokeMany !== undefined) {
        if (group !== undefined && group.method !== method) {
          this.runGroup(group, ctx, pending)
          group = undefined
        }
        group ??= { method, at: [], reqs: [] }
        group.at.push(i)
        group.reqs.push(req)
        continue
      }
      if (group !== undefined) {
        this.runGroup(group, ctx, pending)
        group = undefined
      }
      pending[i] = this.handleOne(item, ctx)
    }
    if (group !== undefined) this.runGroup(group, ctx, pending)
    const results = await Promise.all(pending)
    const parts: string[] = []
    let bytes = 2
    for (const r of results) {
      if (r === undefined) continue
      let s = JSON.stringify(r)
      if (bytes + s.length + 1 > this.limits.maxBatchResponseBytes) {
        s = JSON.stringify(errorResponse(r.id, new LimitExceededError(`batch response too large: the limit is ${this.limits.maxBatchResponseBytes} bytes`)))
      }
      bytes += s.length + 1
      parts.push(s)
    }
    return parts.length === 0 ? undefined : `[${parts.join(',')}]`
  }

  /** Validate and run one request; undefined for notifications. */
  async handleOne(raw: unknown, ctx: RpcContext): Promise<RpcResponse | undefined> {
    let req: ParsedRequest
    try {
      req = parseRequest(raw)
    } catch (e) {
      return errorResponse(recoverId(raw), e as RpcError)
    }
    const started = performance.now()
    let response: RpcResponse
    try {
      const method = this.methods.get(req.method)
      if (method === undefined) throw new MethodNotFoundError(req.method)
      if (req.params === 'named') throw new InvalidParamsError('named params are not supported, pass a positional array')
      const result = await method.invoke(ctx, req.params)
      response = { jsonrpc: '2.0', id: req.id, result: result === undefined ? null : result }
    } catch (e) {
      response = errorResponse(req.id, this.toRpcError(e, req.method))
    }
    const err = 'error' in response ? response.error : undefined
    this.observer.onCall?.(req.method, performance.now() - started, err)
    return req.notification ? undefined : response
  }

  /** Start a group's calls together; each call's response goes to its slot of `pending` (as `handleOne` would answer it). */
  private runGroup(g: Group, ctx: RpcContext, pending: Promise<RpcResponse | undefined>[]): void {
    const started = performance.now()
    const name = g.method.name
    const all = g.method.invokeMany!(
      ctx,
      g.reqs.map((r) => r.params as readonly unknown[]),
    ).catch((error: unknown): Settled[] => g.reqs.map(() => ({ ok: false, error })))
    for (let k = 0; k < g.at.length; k++) {
      const req = g.reqs[k]!
      pending[g.at[k]!] = all.then((settled) => {
        const s = settled[k]!
        const response: RpcResponse = s.ok ? { jsonrpc: '2.0', id: req.id, result: s.value === undefined ? null : s.value } : errorResponse(req.id, this.toRpcError(s.error, name))
        this.observer.onCall?.(name, performance.now() - started, 'error' in response ? response.error : undefined)
        return req.notification ? undefined : response
      })
    }
  }

  private toRpcError(e: unknown, method: string): RpcError {
    if (e instanceof RpcError) return e
    if (e instanceof DecodeError) return new InvalidParamsError(e.message)
    this.logger.error({ err: e, method }, 'internal error in RPC method')
    return new InternalError()
  }
}

function errorResponse(id: RpcId, e: RpcError): RpcResponse {
  return { jsonrpc: '2.0', id, error: e.toJSON() }
}

function isValidId(id: unknown): id is RpcId {
  if (id === null) return true
  if (typeof id === 'string') return id.length <= MAX_STRING_ID_LENGTH
  return typeof id === 'number' && Number.isFinite(id)
}

/** The id to echo in an invalid-request error: the request's id when it is a valid one, else null. */
function recoverId(raw: unknown): RpcId {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const id = (raw as Record<string, unknown>).id
    if (id !== undefined && isValidId(id)) return id
  }
  return null
}

function parseRequest(raw: unknown): ParsedRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidRequestError('invalid request: expected a JSON object')
  const o = raw as Record<string, unknown>
  if (o.jsonrpc !== '2.0') throw new InvalidRequestError('invalid request: jsonrpc must be "2.0"')
  if (typeof o.method !== 'string' || o.method.length === 0) throw new InvalidRequestError('invalid request: method must be a non-empty string')
  if (o.method.length > MAX_METHOD_NAME_LENGTH) throw new InvalidRequestError(`invalid request: method name longer than ${MAX_METHOD_NAME_LENGTH} characters`)
  const notification = !('id' in o)
  if (!notification && !isValidId(o.id)) throw new InvalidRequestError('invalid request: id must be a string, a number or null')
  let params: readonly unknown[] | 'named'
  if (o.params === undefined) params = []
  else if (Array.isArray(o.params)) params = o.params
  else if (typeof o.params === 'object' && o.params !== null) params = 'named'
  else throw new InvalidRequestError('invalid request: params must be an array')
  return { id: notification ? null : (o.id as RpcId), notification, method: o.method, params }
}
