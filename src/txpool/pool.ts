/**
 * The transaction pool: validation on entry (decoding, signature, chain id,
 * size and intrinsic gas through `src/eth/transaction`; then nonce, balance
 * for the maximum cost, fee floor and block gas limit against current state),
 * per-sender nonce-ordered queues split into pending (contiguous from the
 * account nonce) and queued (behind a gap), replacement only with a
 * PRICE_BUMP_PERCENT fee bump, per-sender and total caps, ordered draining
 * for the sequencer (`takeReady`: best tip first, nonce order within a
 * sender), and listeners for newPendingTransactions. Stateless admission
 * lives in `validation.ts`; `addRawAsync` batches it onto recovery workers
 * (`recover.ts`).
 */
import type { StateReader } from '../state/database.js'
import type { Fork } from '../eth/fork.js'
import { encodeTransaction, transactionHash, type Transaction } from '../eth/transaction/index.js'
import { TxPoolError } from './errors.js'
import { MAX_TXS_PER_SENDER, MAX_POOL_TXS, MAX_NONCE_GAP, PRICE_BUMP_PERCENT, DEFAULT_MIN_TIP } from './limits.js'
import { decodeRaw, validateStateless } from './validation.js'
import { SenderRecovery } from './recover.js'

/** A transaction as the pool holds it. */
export interface PooledTransaction {
  tx: Transaction
  hash: Uint8Array
  sender: Uint8Array
  /** Encoded bytes. */
  raw: Uint8Array
  /** Arrival order (ties in price go to the earlier one). */
  seq: number
  /** When the sequencer received it: µs since the Unix epoch (same clock as mini-block `timestampUs`). */
  receivedUs: number
}

/** The sequencer's µs wall clock (performance.timeOrigin + performance.now()), as mini-block timestamps use. */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000)
}

/** Where an accepted transaction went. */
export interface AddResult {
  hash: Uint8Array
  status: 'pending' | 'queued'
  /** For 'queued': the nonce the sender needs next. */
  expectedNonce?: bigint
}

/** Pool configuration. */
export interface TxPoolOptions {
  chainId: bigint
  fork: Fork
  /** The state new transactions are checked against (the newest mini-block state). */
  state: () => StateReader
  /** Base fee of the next block; fee caps below it are underpriced. */
  baseFee: () => bigint
  /** Gas limit of a block; larger transactions never fit. */
  blockGasLimit: bigint
  minTip?: bigint
  maxPerSender?: number
  maxTotal?: number
  /** Threads for batched sender recovery in `addRawAsync` (default 0: everything inline). */
  recoveryWorkers?: number
}

/** Fee cap and tip of any transaction type. */
function fees(tx: Transaction): { cap: bigint; tip: bigint } {
  return tx.type === 0 || tx.type === 1 ? { cap: tx.gasPrice, tip: tx.gasPrice } : { cap: tx.maxFeePerGas, tip: tx.maxPriorityFeePerGas }
}

/** The tip per gas the sequencer earns at `baseFee`. */
export function effectiveTip(tx: Transaction, baseFee: bigint): bigint {
  const legacy = tx.type === 0 || tx.type === 1
  const cap = legacy ? tx.gasPrice : tx.maxFeePerGas
  const tip = legacy ? tx.gasPrice : tx.maxPriorityFeePerGas
  return cap - baseFee < tip ? cap - baseFee : tip
}

/** The most wei a transaction can cost: gas × fee cap + value (+ blob gas × blob fee cap). */
export function maxCost(tx: Transaction): bigint {
  let c = tx.gasLimit * fees(tx).cap + tx.value
  if (tx.type === 3) c += BigInt(tx.blobVersionedHashes.length) * 131072n * tx.maxFeePerBlobGas
  return c
}

/**
 * One sender's transactions. `base`/`end` cache the contiguous run: every
 * nonce in [base, end) is pooled and `end` is not, valid while the account
 * nonce is `base` (checked on use; -1 = unknown). `floor` is a lower bound of
 * every pooled nonce, so stale entries are looked for only when the account
 * nonce has passed it.
 */
class SenderQueue {
  readonly txs = new Map<bigint, PooledTransaction>()
  base = -1n
  end = -1n
  floor: bigint
  constructor(
    /** The sender's map key (`byteKey`). */
    readonly key: string,
    readonly address: Uint8Array,
    floor: bigint,
  ) {
    this.floor = floor
  }

  /** End of the contiguous run from `nonce` (the account nonce). */
  runEnd(nonce: bigint): bigint {
    if (this.base !== nonce) {
      this.base = nonce
      this.end = nonce
    }
    while (this.txs.has(this.end)) this.end++
    return this.end
  }
}

/** A sender's next transaction while `takeReady` interleaves senders. */
interface Head {
  q: SenderQueue
  p: PooledTransaction
  tip: bigint
}

/** Map key of a hash or address: one latin1 character per byte (cheaper to build than hex). */
function byteKey(b: Uint8Array): string {
  return String.fromCharCode.apply(null, b as unknown as number[])
}

/** The pool. */
export class TxPool {
  private readonly bySender = new Map<string, SenderQueue>()
  private readonly byHash = new Map<string, PooledTransaction>()
  private readonly listeners = new Set<(t: PooledTransaction) => void>()
  private seq = 0
  private readonly maxPerSender: number
  private readonly maxTotal: number
  private readonly minTip: bigint
  private readonly recovery: SenderRecovery | undefined

  constructor(private readonly opts: TxPoolOptions) {
    this.recovery = opts.recoveryWorkers !== undefined && opts.recoveryWorkers > 0 ? new SenderRecovery({ fork: opts.fork, chainId: opts.chainId, workers: opts.recoveryWorkers }) : undefined
    this.maxPerSender = opts.maxPerSender ?? MAX_TXS_PER_SENDER
    this.maxTotal = opts.maxTotal ?? MAX_POOL_TXS
    this.minTip = opts.minTip ?? DEFAULT_MIN_TIP
  }

  /** Decode, validate and add raw transaction bytes (all on this thread). */
  addRaw(raw: Uint8Array, receivedUs: number = nowMicros()): AddResult {
    const tx = decodeRaw(raw)
    return this.add(tx, raw, receivedUs)
  }

  /**
   * Like `addRaw`, with the stateless checks (signature recovery above all)
   * batched per event-loop turn and run on the recovery workers when the
   * pool has them (`recoveryWorkers` option); results are pooled in submission order.
   */
  async addRawAsync(raw: Uint8Array, receivedUs: number = nowMicros()): Promise<AddResult> {
    if (this.recovery === undefined) return this.addRaw(raw, receivedUs)
    const a = await this.recovery.admit(raw)
    return this.insert(a.tx, a.sender, raw, receivedUs, a.hash)
  }

  /**
   * `addRawAsync` for many transactions at once (a JSON-RPC batch): one
   * promise, admitted and pooled in order; each result is the `AddResult` or
   * the `TxPoolError` that transaction was refused with.
   */
  async addRawBatch(raws: readonly Uint8Array[], receivedUs: number = nowMicros()): Promise<(AddResult | TxPoolError)[]> {
    const admitted = this.recovery !== undefined ? await this.recovery.admitMany(raws) : undefined
    const out: (AddResult | TxPoolError)[] = new Array(raws.length)
    for (let i = 0; i < raws.length; i++) {
      try {
        if (admitted === undefined) out[i] = this.addRaw(raws[i]!, receivedUs)
        else {
          const a = admitted[i]!
          out[i] = a instanceof TxPoolError ? a : this.insert(a.tx, a.sender, raws[i]!, receivedUs, a.hash)
        }
      } catch (e) {
        if (!(e instanceof TxPoolError)) throw e
        out[i] = e
      }
    }
    return out
  }

  /** Validate and add a decoded transaction (`raw` = its encoding when known). */
  add(tx: Transaction, raw: Uint8Array = encodeTransaction(tx), receivedUs: number = nowMicros()): AddResult {
    const sender = validateStateless(tx, raw, { fork: this.opts.fork, chainId: this.opts.chainId })
    return this.insert(tx, sender, raw, receivedUs)
  }

  /** Stop the recovery workers, if any. */
  async close(): Promise<void> {
    await this.recovery?.close()
  }

  private insert(tx: Transaction, sender: Uint8Array, raw: Uint8Array, receivedUs: number, knownHash?: Uint8Array): AddResult {
    const hash = knownHash ?? transactionHash(tx)
    const hashKey = byteKey(hash)
    if (this.byHash.has(hashKey)) throw new TxPoolError('already-known', 'already known')
    if (tx.gasLimit > this.opts.blockGasLimit) throw new TxPoolError('gas-limit', `exceeds block gas limit: gas ${tx.gasLimit}, limit ${this.opts.blockGasLimit}`)
    const legacy = tx.type === 0 || tx.type === 1
    const cap = legacy ? tx.gasPrice : tx.maxFeePerGas
    const tip = legacy ? tx.gasPrice : tx.maxPriorityFeePerGas
    const baseFee = this.opts.baseFee()
    if (cap < baseFee) throw new TxPoolError('underpriced', `max fee per gas less than block base fee: maxFeePerGas ${cap}, baseFee ${baseFee}`)
    if (tip < this.minTip) throw new TxPoolError('underpriced', `transaction underpriced: tip ${tip}, minimum ${this.minTip}`)
    const state = this.opts.state()
    const account = state.account(sender)
    const nonce = account?.nonce ?? 0n
    const balance = account?.balance ?? 0n
    if (tx.nonce < nonce) throw new TxPoolError('nonce-too-low', `nonce too low: next nonce ${nonce}, tx nonce ${tx.nonce}`)
    if (tx.nonce - nonce > MAX_NONCE_GAP) throw new TxPoolError('invalid', `nonce too high: next nonce ${nonce}, tx nonce ${tx.nonce} (gap above ${MAX_NONCE_GAP})`)
    const cost = maxCost(tx)
    if (balance < cost) throw new TxPoolError('insufficient-funds', `insufficient funds for gas * price + value: balance ${balance}, tx cost ${cost}, overshot ${cost - balance}`)

    const senderKey = byteKey(sender)
    let queue = this.bySender.get(senderKey)
    const existing = queue?.txs.get(tx.nonce)
    if (existing !== undefined) {
      const old = fees(existing.tx)
      const bump = (v: bigint): bigint => v + (v * PRICE_BUMP_PERCENT) / 100n
      if (cap < bump(old.cap) || tip < bump(old.tip)) {
        throw new TxPoolError('replacement-underpriced', `replacement transaction underpriced: needs a ${PRICE_BUMP_PERCENT}% higher fee cap and tip`)
      }
    } else {
      if ((queue?.txs.size ?? 0) >= this.maxPerSender) throw new TxPoolError('sender-limit', `account limit exceeded: at most ${this.maxPerSender} transactions per sender`)
      if (this.byHash.size >= this.maxTotal) throw new TxPoolError('pool-full', 'txpool is full')
    }
    if (queue === undefined) {
      queue = new SenderQueue(senderKey, sender, tx.nonce)
      this.bySender.set(senderKey, queue)
    } else if (tx.nonce < queue.floor) queue.floor = tx.nonce
    if (existing !== undefined) this.byHash.delete(byteKey(existing.hash))
    const pooled: PooledTransaction = { tx, hash, sender, raw, seq: this.seq++, receivedUs }
    queue.txs.set(tx.nonce, pooled)
    this.byHash.set(hashKey, pooled)
    for (const l of this.listeners) l(pooled)
    const next = queue.runEnd(nonce)
    return tx.nonce < next ? { hash, status: 'pending' } : { hash, status: 'queued', expectedNonce: next }
  }

  /** Listen for accepted transactions (newPendingTransactions). Returns an unsubscribe function. */
  onTransaction(listener: (t: PooledTransaction) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** A pooled transaction by hash. */
  get(hash: Uint8Array): PooledTransaction | undefined {
    return this.byHash.get(byteKey(hash))
  }

  /** Transactions in the pool. */
  size(): number {
    return this.byHash.size
  }

  /** Counts of executable and gapped transactions against the current state. */
  stats(): { pending: number; queued: number } {
    const state = this.opts.state()
    let pending = 0
    for (const q of this.bySender.values()) {
      let n = state.account(q.address)?.nonce ?? 0n
      while (q.txs.has(n)) {
        pending++
        n++
      }
    }
    return { pending, queued: this.byHash.size - pending }
  }

  /**
   * Remove and return executable transactions for the sequencer, at most
   * `max`: each sender's contiguous run from its account nonce, interleaved
   * by effective tip (highest first, earlier arrival on ties). Transactions
   * whose nonce the state has passed are dropped on the way.
   */
  takeReady(max = Infinity): PooledTransaction[] {
    const state = this.opts.state()
    const baseFee = this.opts.baseFee()
    // Best head first: a binary max-heap on (effective tip, earlier arrival),
    // so draining n transactions from h senders costs O(n log h).
    const heap: Head[] = []
    const better = (a: Head, b: Head): boolean => a.tip > b.tip || (a.tip === b.tip && a.p.seq < b.p.seq)
    const push = (h: Head): void => {
      heap.push(h)
      let i = heap.length - 1
      while (i > 0) {
        const parent = (i - 1) >> 1
        if (!better(heap[i]!, heap[parent]!)) break
        ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
        i = parent
      }
    }
    const pop = (): Head => {
      const top = heap[0]!
      const last = heap.pop()!
      if (heap.length > 0) {
        heap[0] = last
        let i = 0
        for (;;) {
          const l = 2 * i + 1
          const r = l + 1
          let m = i
          if (l < heap.length && better(heap[l]!, heap[m]!)) m = l
          if (r < heap.length && better(heap[r]!, heap[m]!)) m = r
          if (m === i) break
          ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
          i = m
        }
      }
      return top
    }
    for (const [key, q] of this.bySender) {
      const nonce = state.account(q.address)?.nonce ?? 0n
      if (nonce > q.floor) {
        for (const [n, p] of q.txs) if (n < nonce) this.drop(key, q, p)
        q.floor = nonce
        if (q.txs.size === 0) continue
      }
      const p = q.txs.get(nonce)
      if (p !== undefined) push({ q, p, tip: effectiveTip(p.tx, baseFee) })
    }
    const out: PooledTransaction[] = []
    while (out.length < max && heap.length > 0) {
      const h = pop()
      const p = h.p
      if (fees(p.tx).cap < baseFee) continue
      out.push(p)
      const q = h.q
      const n = p.tx.nonce
      // the run from the next nonce stays known: the state will be at n + 1 once p runs
      if (q.base === n) q.base = n + 1n
      else q.base = -1n
      q.floor = n + 1n
      this.drop(q.key, q, p)
      const next = q.txs.get(n + 1n)
      if (next !== undefined) {
        h.p = next
        h.tip = effectiveTip(next.tx, baseFee)
        push(h)
      }
    }
    return out
  }

  /** Drop transactions the state's nonces have made stale (after a mini-block commits). */
  prune(): number {
    const state = this.opts.state()
    let n = 0
    for (const [key, q] of this.bySender) {
      const nonce = state.account(q.address)?.nonce ?? 0n
      for (const [k, p] of q.txs) if (k < nonce) (this.drop(key, q, p), n++)
    }
    return n
  }

  private drop(key: string, q: SenderQueue, p: PooledTransaction): void {
    const n = p.tx.nonce
    q.txs.delete(n)
    // a hole inside the cached run breaks it (the front moving up is handled by the caller)
    if (n > q.base && n < q.end) q.base = -1n
    this.byHash.delete(byteKey(p.hash))
    if (q.txs.size === 0) this.bySender.delete(key)
  }
}
