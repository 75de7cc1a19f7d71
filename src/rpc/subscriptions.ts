/**
 * eth_subscribe over WebSocket: per-connection sessions holding at most N
 * subscriptions, each wired to the chain's event source and pushing
 * `eth_subscription` notifications in the shapes of
 * research/realtime-parallel-sync.md § 1.4 (newHeads with miniBlockCount and
 * miniBlockOffset, per-mini-block logs, miniBlocks, stateChanges,
 * newPendingTransactions). Closing the connection drops every subscription.
 */
import { randomBytes } from 'node:crypto'
import type { ChainEvents, ChainMiniBlock } from './backend.js'
import type { RpcLogger } from './logger.js'
import { formatHeader, formatLog, formatMiniBlock, formatStateChanges, formatTransaction, logFilter, logMatches } from './format.js'
import { InvalidParamsError, LimitExceededError, MethodNotSupportedError } from './errors.js'
import { address, arrayOf, bool, optional } from './params.js'
import { bytesToHex } from '../primitives/hex.js'
import { MAX_FILTER_ADDRESSES } from './server/limits.js'

/** The subscription kinds this node serves. */
export const SUBSCRIPTION_KINDS = ['newHeads', 'logs', 'newPendingTransactions', 'miniBlocks', 'stateChanges'] as const
/** One of them. */
export type SubscriptionKind = (typeof SUBSCRIPTION_KINDS)[number]

/** A connection's subscriptions. */
export interface SubscriptionSession {
  /** Start a subscription; returns its id. Throws RpcError on bad params or the cap. */
  subscribe(kind: string, arg: unknown): string
  /** Stop one; false when the id is not this connection's. */
  unsubscribe(id: string): boolean
  /** Number of live subscriptions. */
  count(): number
  /** Drop everything (connection closed). */
  close(): void
}

/** Creates sessions bound to one event source. */
export class SubscriptionManager {
  constructor(
    private readonly events: ChainEvents | undefined,
    private readonly maxPerConnection: number,
    private readonly logger: RpcLogger,
  ) {}

  /** A session whose notifications go through `send` (a JSON text). */
  openSession(send: (text: string) => void): SubscriptionSession {
    const subs = new Map<string, () => void>()
    const { events, maxPerConnection, logger } = this
    const notify = (id: string, result: unknown): void => {
      send(JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: id, result } }))
    }
    return {
      subscribe(kind, arg) {
        if (events === undefined) throw new MethodNotSupportedError('no chain is attached to this node')
        if (!(SUBSCRIPTION_KINDS as readonly string[]).includes(kind)) {
          throw new InvalidParamsError(`unsupported subscription type ${JSON.stringify(String(kind).slice(0, 40))}, expected one of ${SUBSCRIPTION_KINDS.join(', ')}`)
        }
        if (subs.size >= maxPerConnection) throw new LimitExceededError(`subscription limit reached: at most ${maxPerConnection} per connection`)
        const id = bytesToHex(randomBytes(16))
        const guard = <T>(f: (x: T) => void) => (x: T): void => {
          try {
            f(x)
          } catch (err) {
            logger.error({ err, kind }, 'subscription listener failed')
          }
        }
        let off: () => void
        switch (kind as SubscriptionKind) {
          case 'newHeads':
            if (arg !== undefined) throw new InvalidParamsError('newHeads takes no parameters')
            off = events.subscribe('newHead', guard((b) => notify(id, formatHeader(b))))
            break
          case 'logs': {
            const f = logFilter(arg ?? {}, 'params[1]')
            off = events.subscribe('miniBlock', guard((m: ChainMiniBlock) => {
              for (const r of m.receipts) for (const l of r.logs) if (logMatches(l, f.addresses, f.topics)) notify(id, formatLog(l))
            }))
            break
          }
          case 'newPendingTransactions': {
            const full = optional(bool)(arg, 'params[1]') ?? false
            off = events.subscribe('pendingTransaction', guard((t) => notify(id, full ? formatTransaction(t) : bytesToHex(t.hash))))
            break
          }
          case 'miniBlocks':
            if (arg !== undefined) throw new InvalidParamsError('miniBlocks takes no parameters')
            off = events.subscribe('miniBlock', guard((m) => notify(id, formatMiniBlock(m))))
            break
          case 'stateChanges': {
            const list = optional(arrayOf(address, MAX_FILTER_ADDRESSES))(arg, 'params[1]')
            const filter = list === undefined || list.length === 0 ? undefined : new Set(list.map(bytesToHex))
            off = events.subscribe('miniBlock', guard((m) => {
              for (const change of formatStateChanges(m.stateDiff, filter)) notify(id, change)
            }))
            break
          }
        }
        subs.set(id, off)
        return id
      },
      unsubscribe(id) {
        const off = subs.get(id)
        if (off === undefined) return false
        off()
        subs.delete(id)
        return true
      },
      count: () => subs.size,
      close() {
        for (const off of subs.values()) off()
        subs.clear()
      },
    }
  }
}
