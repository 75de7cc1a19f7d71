/**
 * Polling filters (eth_newFilter, eth_newBlockFilter,
 * eth_newPendingTransactionFilter, eth_getFilterChanges, eth_getFilterLogs,
 * eth_uninstallFilter): each filter buffers what arrived since its last poll
 * (bounded), and a filter nobody polls for FILTER_TIMEOUT_MS is removed, as
 * in geth. Listens to the chain's event source once for all filters.
 */
import { randomBytes } from 'node:crypto'
import type { Backend, LocatedLog } from './backend.js'
import { formatLog, logMatches, type LogFilterParams } from './format.js'
import { LimitExceededError, ResourceNotFoundError, InvalidParamsError } from './errors.js'
import { FILTER_TIMEOUT_MS, MAX_FILTERS, MAX_FILTER_BUFFER } from './server/limits.js'
import { bytesToHex, type Hex } from '../primitives/hex.js'
import { queryLogs } from './logs.js'

/** The three filter kinds. */
export type FilterKind = 'block' | 'pendingTransaction' | 'logs'

interface Filter {
  kind: FilterKind
  lastPoll: number
  /** Buffered JSON values (block hashes, tx hashes or log objects). */
  buffer: unknown[]
  criteria?: LogFilterParams
}

/** Options mainly for tests. */
export interface FilterManagerOptions {
  timeoutMs?: number
  maxFilters?: number
  maxBuffer?: number
  /** Clock in ms (default Date.now). */
  now?: () => number
}

/** Installed filters of one server. */
export class FilterManager {
  private readonly filters = new Map<string, Filter>()
  private readonly offs: (() => void)[]
  private readonly sweepTimer: NodeJS.Timeout
  private readonly timeoutMs: number
  private readonly maxFilters: number
  private readonly maxBuffer: number
  private readonly now: () => number

  constructor(
    private readonly backend: Backend,
    opts: FilterManagerOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? FILTER_TIMEOUT_MS
    this.maxFilters = opts.maxFilters ?? MAX_FILTERS
    this.maxBuffer = opts.maxBuffer ?? MAX_FILTER_BUFFER
    this.now = opts.now ?? Date.now
    this.offs = [
      backend.events.subscribe('newHead', (b) => this.push('block', () => bytesToHex(b.hash))),
      backend.events.subscribe('pendingTransaction', (t) => this.push('pendingTransaction', () => bytesToHex(t.hash))),
      backend.events.subscribe('miniBlock', (m) => {
        if (!this.hasKind('logs')) return
        for (const r of m.receipts) for (const l of r.logs) this.pushLog(l)
      }),
    ]
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(30_000, Math.max(10, this.timeoutMs / 2)))
    this.sweepTimer.unref()
  }

  /** Install a filter; returns its id. */
  install(kind: FilterKind, criteria?: LogFilterParams): Hex {
    this.sweep()
    if (this.filters.size >= this.maxFilters) throw new LimitExceededError(`too many filters installed (limit ${this.maxFilters})`)
    const id = bytesToHex(randomBytes(16))
    const f: Filter = { kind, lastPoll: this.now(), buffer: [] }
    if (criteria !== undefined) f.criteria = criteria
    this.filters.set(id, f)
    return id
  }

  /** Remove a filter; false when unknown. */
  uninstall(id: string): boolean {
    return this.filters.delete(id.toLowerCase())
  }

  /** What arrived since the last poll, and reset the expiry clock. */
  changes(id: string): unknown[] {
    const f = this.get(id)
    f.lastPoll = this.now()
    const out = f.buffer
    f.buffer = []
    return out
  }

  /** All logs matching a log filter's criteria (eth_getFilterLogs). */
  logs(id: string): unknown[] {
    const f = this.get(id)
    if (f.kind !== 'logs' || f.criteria === undefined) throw new InvalidParamsError('filter is not a log filter')
    f.lastPoll = this.now()
    return queryLogs(this.backend, f.criteria).map(formatLog)
  }

  /** Installed filter count. */
  size(): number {
    return this.filters.size
  }

  /** Remove filters not polled within the timeout. */
  sweep(): void {
    const deadline = this.now() - this.timeoutMs
    for (const [id, f] of this.filters) if (f.lastPoll < deadline) this.filters.delete(id)
  }

  /** Stop listening and drop every filter. */
  close(): void {
    clearInterval(this.sweepTimer)
    for (const off of this.offs) off()
    this.filters.clear()
  }

  private get(id: string): Filter {
    const f = this.filters.get(id.toLowerCase())
    if (f === undefined || f.lastPoll < this.now() - this.timeoutMs) {
      this.filters.delete(id.toLowerCase())
      throw new ResourceNotFoundError('filter not found')
    }
    return f
  }

  private hasKind(kind: FilterKind): boolean {
    for (const f of this.filters.values()) if (f.kind === kind) return true
    return false
  }

  private push(kind: FilterKind, value: () => unknown): void {
    let v: unknown
    for (const f of this.filters.values()) {
      if (f.kind !== kind) continue
      v ??= value()
      this.append(f, v)
    }
  }

  private pushLog(l: LocatedLog): void {
    let v: unknown
    for (const f of this.filters.values()) {
      if (f.kind !== 'logs' || f.criteria === undefined) continue
      const c = f.criteria
      if (c.blockHash !== undefined) continue
      if (c.fromBlock?.kind === 'number' && l.blockNumber < c.fromBlock.number) continue
      if (c.toBlock?.kind === 'number' && l.blockNumber > c.toBlock.number) continue
      if (!logMatches(l, c.addresses, c.topics)) continue
      v ??= formatLog(l)
      this.append(f, v)
    }
  }

  private append(f: Filter, v: unknown): void {
    f.buffer.push(v)
    if (f.buffer.length > this.maxBuffer) f.buffer.splice(0, f.buffer.length - this.maxBuffer)
  }
}
