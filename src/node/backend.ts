/**
 * The RPC `Backend` (src/rpc/backend.ts) over the sequencer's `Chain`. It
 * lives in `node/` because `chain/` may not import `rpc/`. It resolves block
 * selectors with MegaETH semantics (`latest`/`pending` state = newest
 * mini-block; `safe`/`finalized`/numbers = sealed blocks; `latest` block =
 * newest sealed block, `pending` block = the open one), turns the chain's
 * records into the RPC's located shapes (receipts of unsealed blocks carry
 * the block number they will land in and a zero placeholder block hash), runs
 * eth_call / estimateGas / createAccessList on a throw-away overlay, and
 * exposes the dev controls (snapshot/revert, mine, time, anvil_set*,
 * impersonation). eth_call-like execution shares the sequencer's code cache,
 * so analysed code and the node's JIT (adaptive tiering) carry across calls.
 */
import type {
  Backend,
  BlockOverrides,
  BlockSelector,
  CallRequest,
  CallResult,
  ChainBlock,
  ChainEventMap,
  ChainEvents,
  ChainMiniBlock,
  DevControls,
  ExecutionOptions,
  FeeHistory,
  LocatedLog,
  LocatedReceipt,
  LocatedTransaction,
  LogQuery,
  StateOverrides,
  TxSubmitResult,
} from '../rpc/backend.js'
import { ExecutionRevertedError, InvalidInputError, InvalidParamsError, MethodNotSupportedError, ResourceNotFoundError } from '../rpc/errors.js'
import type { Chain, ChainBlockData, MiniBlock } from '../chain/chain.js'
import type { TxRecord } from '../chain/records.js'
import { nextBaseFee, recordBloom } from '../chain/records.js'
import { OverrideReader, type StateOverride } from '../chain/state-layer.js'
import { ProofUnavailableError, StateUnavailableError } from '../chain/errors.js'
import { stateProofJson, type StateProofJson } from './proof-json.js'
import type { StateReader } from '../state/database.js'
import { StateOverlay, addressKey } from '../state/overlay.js'
import { callMessage, type BlockEnv } from '../execution/transaction.js'
import { TxRejectedError } from '../execution/errors.js'
import { floorDataGas } from '../eth/transaction/gas.js'
import { forkAtLeast } from '../eth/fork.js'
import type { AccessListItem, Transaction } from '../eth/transaction/types.js'
import type { AddResult, PooledTransaction } from '../txpool/pool.js'
import { bytesToHex, bytesToHexRaw } from '../primitives/hex.js'
import { bigIntToBytes } from '../primitives/bytes.js'

const ZERO32 = new Uint8Array(32)
/** Suggested priority fee (anvil's default: 1 gwei). */
export const DEFAULT_PRIORITY_FEE = 1_000_000_000n

/** A located transaction from a chain record. */
export function locatedTransaction(r: TxRecord): LocatedTransaction {
  return { tx: r.tx, hash: r.hash, from: r.from, blockHash: r.blockHash ?? ZERO32, blockNumber: r.blockNumber, transactionIndex: r.txIndex, blockBaseFee: r.baseFee, blockTimestamp: r.blockTimestamp }
}

/** The located logs of a record. */
export function locatedLogs(r: TxRecord): LocatedLog[] {
  return r.logs.map((l, i) => ({
    address: l.address,
    topics: l.topics,
    data: l.data,
    blockNumber: r.blockNumber,
    blockHash: r.blockHash ?? ZERO32,
    blockTimestamp: r.blockTimestamp,
    transactionHash: r.hash,
    transactionIndex: r.txIndex,
    logIndex: r.firstLogIndex + i,
    removed: false,
  }))
}

/** The receipt object of a record. */
export function locatedReceipt(r: TxRecord): LocatedReceipt {
  const out: LocatedReceipt = {
    type: r.tx.type,
    status: r.status,
    transactionHash: r.hash,
    transactionIndex: r.txIndex,
    blockHash: r.blockHash ?? ZERO32,
    blockNumber: r.blockNumber,
    from: r.from,
    to: r.tx.to,
    contractAddress: r.contractAddress,
    cumulativeGasUsed: r.cumulativeGasUsed,
    gasUsed: r.gasUsed,
    effectiveGasPrice: r.effectiveGasPrice,
    logsBloom: recordBloom(r),
    logs: locatedLogs(r),
  }
  if (r.tx.type === 3) out.blobGasUsed = r.blobGasUsed
  return out
}

/** The RPC view of where a submitted transaction went. */
function submitResult(r: AddResult): TxSubmitResult {
  return r.status === 'pending' ? { hash: r.hash, status: 'pending' } : { hash: r.hash, status: 'queued', reason: 'nonce gap: an earlier nonce of the sender is missing', ...(r.expectedNonce !== undefined ? { expectedNonce: r.expectedNonce } : {}) }
}

function pendingTransaction(p: PooledTransaction): LocatedTransaction {
  return { tx: p.tx, hash: p.hash, from: p.sender, blockHash: null, blockNumber: null, transactionIndex: null }
}

/**
 * Define `key` of `o` as computed on first read (then a plain value). The
 * chain's events reach listeners that never read the per-transaction views
 * (the filter manager listens to every mini-block, usually only to find no
 * log filter installed): building a located transaction and receipt for every
 * transaction of every mini-block cost several µs per transaction, and the
 * cached views stayed alive as long as the block.
 */
function lazyField<T extends object, K extends keyof T>(o: T, key: K, make: () => T[K]): void {
  Object.defineProperty(o, key, {
    configurable: true,
    enumerable: true,
    get: () => {
      const value = make()
      Object.defineProperty(o, key, { value, configurable: true, enumerable: true, writable: true })
      return value
    },
  })
}

function chainBlock(b: ChainBlockData): ChainBlock {
  const c = { header: b.header, hash: b.hash, size: b.size, transactions: [], miniBlockCount: b.miniBlockCount, miniBlockOffset: b.miniBlockOffset } as ChainBlock
  lazyField(c, 'transactions', () => b.txs.map(locatedTransaction))
  return c
}

/** The Backend over a Chain. */
export class ChainBackend implements Backend {
  readonly events: ChainEvents
  readonly dev: DevControls
  private readonly miniCache = new WeakMap<MiniBlock, ChainMiniBlock>()
  private readonly headCache = new WeakMap<ChainBlockData, ChainBlock>()

  constructor(readonly chain: Chain) {
    this.events = { subscribe: (event, listener) => this.subscribe(event, listener) }
    this.dev = this.devControls()
  }

  private subscribe<K extends keyof ChainEventMap>(event: K, listener: (payload: ChainEventMap[K]) => void): () => void {
    switch (event) {
      case 'miniBlock':
        return this.chain.on('miniBlock', (m) => (listener as (p: ChainMiniBlock) => void)(this.miniBlock(m)))
      case 'newHead':
        return this.chain.on('newHead', (b) => {
          let c = this.headCache.get(b)
          if (c === undefined) this.headCache.set(b, (c = chainBlock(b)))
          ;(listener as (p: ChainBlock) => void)(c)
        })
      default:
        return this.chain.on('pendingTransaction', (p) => (listener as (p: LocatedTransaction) => void)(pendingTransaction(p)))
    }
  }

  private miniBlock(m: MiniBlock): ChainMiniBlock {
    let c = this.miniCache.get(m)
    if (c === undefined) {
      c = {
        number: m.number,
        blockNumber: m.blockNumber,
        blockTimestamp: m.blockTimestamp,
        index: m.index,
        timestampUs: m.timestampUs,
        gasUsed: m.gasUsed,
        transactions: [],
        receipts: [],
        stateDiff: m.diff,
      }
      lazyField(c, 'transactions', () => m.txs.map(locatedTransaction))
      lazyField(c, 'receipts', () => m.txs.map(locatedReceipt))
      this.miniCache.set(m, c)
    }
    return c
  }

  // ------------------------------------------------------------- blocks

  blockNumber(): bigint {
    return this.chain.headNumber
  }

  private numberOf(sel: BlockSelector): bigint | undefined {
    switch (sel.kind) {
      case 'tag':
        if (sel.tag === 'earliest') return 0n
        if (sel.tag === 'pending') return this.chain.openNumber
        return this.chain.headNumber
      case 'number':
        return sel.number <= this.chain.headNumber ? sel.number : undefined
      case 'hash':
        return this.chain.blockNumberOf(sel.hash)
    }
  }

  /**
   * Used for log ranges: `latest` and `pending` name the open block, so logs
   * of transactions already in mini-blocks are found (their receipts are
   * already out), as the newest-mini-block semantics of DESIGN.md ask.
   */
  resolveBlock(sel: BlockSelector): { number: bigint; hash: Uint8Array } | undefined {
    const n = sel.kind === 'tag' && sel.tag === 'latest' ? this.chain.openNumber : this.numberOf(sel)
    if (n === undefined) return undefined
    if (n === this.chain.openNumber) return { number: n, hash: ZERO32 }
    const hash = this.chain.blockHash(n)
    return hash === undefined ? undefined : { number: n, hash }
  }

  stateAt(sel: BlockSelector): StateReader | undefined {
    if (sel.kind === 'tag' && (sel.tag === 'latest' || sel.tag === 'pending')) return this.chain.latestState()
    const n = this.numberOf(sel)
    if (n === undefined) return undefined
    try {
      return this.chain.stateAtBlock(n)
    } catch (e) {
      if (e instanceof StateUnavailableError) throw new InvalidInputError(`missing trie node: ${e.message}`)
      throw e
    }
  }

  private envAt(sel: BlockSelector): BlockEnv | undefined {
    if (sel.kind === 'tag' && (sel.tag === 'latest' || sel.tag === 'pending')) return this.chain.openBlockEnv()
    const n = this.numberOf(sel)
    return n === undefined ? undefined : this.chain.blockEnvOf(n)
  }

  getBlock(sel: BlockSelector): ChainBlock | undefined {
    if (sel.kind === 'tag' && sel.tag === 'pending') {
      const p = this.chain.pendingBlock()
      return { header: p.header, hash: ZERO32, size: 0n, transactions: p.txs.map(locatedTransaction), miniBlockCount: p.miniBlockCount, miniBlockOffset: p.miniBlockOffset }
    }
    const n = this.numberOf(sel)
    if (n === undefined) return undefined
    const b = this.chain.getBlock(n)
    return b === undefined ? undefined : chainBlock(b)
  }

  getTransaction(hash: Uint8Array): LocatedTransaction | undefined {
    const r = this.chain.getRecord(hash)
    if (r !== undefined) return locatedTransaction(r)
    const p = this.chain.pool.get(hash)
    return p === undefined ? undefined : pendingTransaction(p)
  }

  getReceipt(hash: Uint8Array): LocatedReceipt | undefined {
    const r = this.chain.getRecord(hash)
    return r === undefined ? undefined : this.receipt(r)
  }

  private receipt(r: TxRecord): LocatedReceipt {
    const out = locatedReceipt(r)
    if (r.tx.type === 3) out.blobGasPrice = this.chain.blockEnvOf(r.blockNumber)?.blobBaseFee ?? this.chain.openBlobBaseFee
    return out
  }

  getBlockReceipts(sel: BlockSelector): LocatedReceipt[] | undefined {
    if (sel.kind === 'tag' && sel.tag === 'pending') return this.chain.openRecords().map((r) => this.receipt(r))
    const n = this.numberOf(sel)
    if (n === undefined) return undefined
    return this.chain.getBlock(n)?.txs.map((r) => this.receipt(r))
  }

  getLogs(q: LogQuery): LocatedLog[] {
    return this.chain.getLogs({ fromBlock: q.fromBlock, toBlock: q.toBlock, addresses: q.addresses, topics: q.topics }).map((l) => ({ ...l, removed: false }))
  }

  // ------------------------------------------------------------- submit

  async submitRawTransaction(raw: Uint8Array): Promise<TxSubmitResult> {
    return submitResult(await this.chain.submitRawAsync(raw))
  }

  async submitRawTransactions(raws: readonly Uint8Array[]): Promise<(TxSubmitResult | Error)[]> {
    return (await this.chain.submitRawBatch(raws)).map((r) => (r instanceof Error ? r : submitResult(r)))
  }

  async waitForReceipt(hash: Uint8Array, timeoutMs: number, signal: AbortSignal): Promise<LocatedReceipt | undefined> {
    const r = await this.chain.waitForReceipt(hash, timeoutMs, signal)
    return r === undefined ? undefined : this.receipt(r)
  }

  waitForNonce(account: Uint8Array, nonce: bigint, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    return this.chain.waitForNonce(account, nonce, timeoutMs, signal)
  }

  // ---------------------------------------------------------- execution

  private prepare(sel: BlockSelector, overrides?: StateOverrides, blockOverrides?: BlockOverrides): { reader: StateReader; env: BlockEnv } {
    let reader = this.stateAt(sel)
    const env0 = this.envAt(sel)
    if (reader === undefined || env0 === undefined) throw new ResourceNotFoundError('header not found')
    if (overrides !== undefined && overrides.size > 0) {
      const m = new Map<string, StateOverride>()
      for (const [k, o] of overrides) {
        if (o.movePrecompileToAddress !== undefined) throw new InvalidParamsError('movePrecompileToAddress is not supported')
        const so: StateOverride = {}
        if (o.balance !== undefined) so.balance = o.balance
        if (o.nonce !== undefined) so.nonce = o.nonce
        if (o.code !== undefined) so.code = o.code
        if (o.state !== undefined) so.state = o.state
        if (o.stateDiff !== undefined) so.stateDiff = o.stateDiff
        m.set(k.startsWith('0x') ? k.slice(2).toLowerCase() : k.toLowerCase(), so)
      }
      reader = new OverrideReader(reader, m)
    }
    let env = env0
    if (blockOverrides !== undefined) {
      env = { ...env0 }
      if (blockOverrides.number !== undefined) env.number = blockOverrides.number
      if (blockOverrides.time !== undefined) env.timestamp = blockOverrides.time
      if (blockOverrides.gasLimit !== undefined) env.gasLimit = blockOverrides.gasLimit
      if (blockOverrides.coinbase !== undefined) env.coinbase = blockOverrides.coinbase
      if (blockOverrides.random !== undefined) env.prevRandao = blockOverrides.random
      if (blockOverrides.baseFee !== undefined) env.baseFee = blockOverrides.baseFee
      if (blockOverrides.blobBaseFee !== undefined) env.blobBaseFee = blockOverrides.blobBaseFee
    }
    return { reader, env }
  }

  private run(reader: StateReader, env: BlockEnv, req: CallRequest, gas: bigint, record = false): { r: ReturnType<typeof callMessage>; overlay: StateOverlay } {
    const overlay = new StateOverlay(reader)
    if (record) overlay.startRecording()
    try {
      const r = callMessage(
        overlay,
        {
          ...(req.from !== undefined ? { from: req.from } : {}),
          to: req.to ?? null,
          ...(req.data !== undefined ? { data: req.data } : {}),
          ...(req.value !== undefined ? { value: req.value } : {}),
          gas,
          gasPrice: req.gasPrice ?? req.maxFeePerGas ?? 0n,
          ...(req.blobVersionedHashes !== undefined ? { blobVersionedHashes: req.blobVersionedHashes } : {}),
        },
        env,
        // the chain's analysed-code cache: code is analysed once per hash, and its JIT hook (when on) tiers eth_call alike
        { gasCap: gas, codeCache: this.chain.codeCache },
      )
      return { r, overlay }
    } catch (e) {
      if (e instanceof TxRejectedError) throw new InvalidInputError(e.code === 'insufficient-funds' ? `insufficient funds for transfer: ${e.message}` : e.message)
      throw e
    }
  }

  async call(req: CallRequest, sel: BlockSelector, opts: ExecutionOptions, overrides?: StateOverrides, blockOverrides?: BlockOverrides): Promise<CallResult> {
    if (opts.signal.aborted) throw new InvalidInputError('execution aborted')
    const { reader, env } = this.prepare(sel, overrides, blockOverrides)
    const gas = req.gas !== undefined && req.gas < opts.gasCap ? req.gas : opts.gasCap
    const { r } = this.run(reader, env, req, gas)
    if (r.success) return { status: 'success', returnData: r.returnData, gasUsed: r.gasUsed }
    if (r.reverted) return { status: 'revert', returnData: r.returnData, gasUsed: r.gasUsed }
    return { status: 'halt', returnData: r.returnData, gasUsed: r.gasUsed, error: r.error ?? 'execution halted' }
  }

  async estimateGas(req: CallRequest, sel: BlockSelector, opts: ExecutionOptions, overrides?: StateOverrides): Promise<bigint> {
    const { reader, env } = this.prepare(sel, overrides)
    let hi = req.gas ?? opts.gasCap
    if (hi > opts.gasCap) hi = opts.gasCap
    if (req.gas === undefined && hi > env.gasLimit) hi = env.gasLimit
    const first = this.run(reader, env, req, hi).r
    if (!first.success) {
      if (first.reverted) {
        const data = bytesToHex(first.returnData)
        throw new ExecutionRevertedError(data, revertReason(first.returnData))
      }
      throw new InvalidInputError(`gas required exceeds allowance (${hi})${first.error ? `: ${first.error}` : ''}`)
    }
    const floor = forkAtLeast(env.fork, 'Prague') ? floorDataGas(req.data ?? new Uint8Array(0)) : 0n
    const ok = (gas: bigint): boolean => {
      if (opts.signal.aborted) throw new InvalidInputError('execution aborted')
      try {
        return this.run(reader, env, req, gas).r.success
      } catch (e) {
        if (e instanceof InvalidInputError) return false
        throw e
      }
    }
    let lo = first.gasUsed - 1n
    const guess = ((first.gasUsed + 2300n) * 64n) / 63n
    if (guess < hi && ok(guess)) hi = guess
    while (lo + 1n < hi) {
      const mid = (lo + hi) / 2n
      if (ok(mid)) hi = mid
      else lo = mid
    }
    return hi > floor ? hi : floor
  }

  async createAccessList(req: CallRequest, sel: BlockSelector, opts: ExecutionOptions): Promise<{ accessList: AccessListItem[]; gasUsed: bigint; error?: string }> {
    const { reader, env } = this.prepare(sel)
    const gas = req.gas !== undefined && req.gas < opts.gasCap ? req.gas : opts.gasCap
    const { r, overlay } = this.run(reader, env, req, gas, true)
    const rec = overlay.takeRecord()
    const skip = new Set<string>([bytesToHexRaw(req.from ?? new Uint8Array(20))])
    if (req.to) skip.add(bytesToHexRaw(req.to))
    for (let i = 1; i <= 0x11; i++) skip.add(addressKey(BigInt(i)))
    const keys = new Set<string>([...rec.accountReads.keys(), ...rec.storageReads.keys(), ...rec.storageWrites.keys()])
    const accessList: AccessListItem[] = []
    for (const k of [...keys].sort()) {
      const slots = new Set<bigint>([...(rec.storageReads.get(k)?.keys() ?? []), ...(rec.storageWrites.get(k)?.keys() ?? [])])
      if (skip.has(k) && slots.size === 0) continue
      accessList.push({ address: Uint8Array.from(Buffer.from(k, 'hex')), storageKeys: [...slots].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((s) => bigIntToBytes(s, 32)) })
    }
    const out: { accessList: AccessListItem[]; gasUsed: bigint; error?: string } = { accessList, gasUsed: r.gasUsed }
    if (!r.success) out.error = r.reverted ? 'execution reverted' : (r.error ?? 'execution failed')
    return out
  }

  // ---------------------------------------------------------------- fees

  gasPrice(): bigint {
    return this.chain.openBaseFee + DEFAULT_PRIORITY_FEE
  }

  maxPriorityFeePerGas(): bigint {
    return DEFAULT_PRIORITY_FEE
  }

  blobBaseFee(): bigint {
    return this.chain.openBlobBaseFee
  }

  feeHistory(blockCount: number, newest: BlockSelector, percentiles: number[]): FeeHistory {
    let last = this.numberOf(newest)
    if (last === undefined) throw new ResourceNotFoundError('block not found')
    if (last > this.chain.headNumber) last = this.chain.headNumber
    let first = last - BigInt(blockCount) + 1n
    if (first < 0n) first = 0n
    const out: FeeHistory = { oldestBlock: first, baseFeePerGas: [], gasUsedRatio: [], baseFeePerBlobGas: [], blobGasUsedRatio: [] }
    if (percentiles.length > 0) out.reward = []
    let lastBlock: ChainBlockData | undefined
    for (let n = first; n <= last; n++) {
      const b = this.chain.getBlock(n)
      if (b === undefined) break
      lastBlock = b
      const h = b.header
      out.baseFeePerGas.push(h.baseFeePerGas ?? 0n)
      out.gasUsedRatio.push(Number(h.gasUsed) / Number(h.gasLimit))
      out.baseFeePerBlobGas.push(this.chain.blockEnvOf(n)?.blobBaseFee ?? 1n)
      out.blobGasUsedRatio.push(Number(h.blobGasUsed ?? 0n) / Number(9n * 131072n))
      if (out.reward !== undefined) {
        const base = h.baseFeePerGas ?? 0n
        const tips = b.txs.map((t) => ({ tip: t.effectiveGasPrice - base, gas: t.gasUsed })).sort((a, c) => (a.tip < c.tip ? -1 : a.tip > c.tip ? 1 : 0))
        const total = tips.reduce((s, t) => s + t.gas, 0n)
        out.reward.push(
          percentiles.map((p) => {
            if (tips.length === 0) return 0n
            const threshold = (total * BigInt(Math.round(p * 100))) / 10000n
            let acc = 0n
            for (const t of tips) {
              acc += t.gas
              if (acc >= threshold) return t.tip
            }
            return tips[tips.length - 1]!.tip
          }),
        )
      }
    }
    if (lastBlock !== undefined) {
      const h = lastBlock.header
      out.baseFeePerGas.push(lastBlock.number === this.chain.headNumber ? this.chain.openBaseFee : nextBaseFee(h.baseFeePerGas ?? 0n, h.gasUsed, h.gasLimit))
      out.baseFeePerBlobGas.push(this.chain.openBlobBaseFee)
    }
    return out
  }

  /**
   * tachyon_getProof: QMDB proofs against the newest sealed block (`latest`,
   * `safe`, `finalized`, or that block's number or hash). Older blocks answer
   * -32000 (QMDB keeps only the head state); `pending` has no root yet.
   */
  async getProof(address: Uint8Array, slots: bigint[], sel: BlockSelector): Promise<StateProofJson> {
    if (sel.kind === 'tag' && sel.tag === 'pending') throw new InvalidInputError('the pending block has no state root until it is sealed: ask for latest')
    let n: bigint | undefined
    if (sel.kind !== 'tag' || sel.tag === 'earliest') {
      n = this.numberOf(sel)
      if (n === undefined) throw new ResourceNotFoundError('header not found')
    }
    try {
      const p = await this.chain.proveState(address, slots, n)
      return stateProofJson(p, address, slots)
    } catch (e) {
      if (e instanceof ProofUnavailableError) throw this.chain.canProve ? new InvalidInputError(e.message) : new MethodNotSupportedError(e.message)
      throw e
    }
  }

  // ---------------------------------------------------------------- dev

  private devControls(): DevControls {
    const chain = this.chain
    return {
      snapshot: () => chain.snapshot(),
      revert: (id) => chain.revert(id),
      mine: (blocks, timestamp) => chain.mine(blocks, timestamp),
      increaseTime: (seconds) => chain.increaseTime(seconds),
      setBalance: (address, balance) => chain.setAccountFields(address, { balance }),
      setCode: (address, code) => chain.setAccountFields(address, { code }),
      setNonce: (address, nonce) => chain.setAccountFields(address, { nonce }),
      setStorageAt: (address, slot, value) => chain.setStorageAt(address, slot, value),
      impersonate: (address) => chain.impersonate(address, true),
      stopImpersonating: (address) => chain.impersonate(address, false),
      isImpersonated: (address) => chain.isImpersonated(address),
      sendUnsigned: async (tx: Transaction, from: Uint8Array): Promise<TxSubmitResult> => {
        const r = chain.submitUnsigned(tx, from)
        return { hash: r.hash, status: r.status }
      },
    }
  }
}

function revertReason(data: Uint8Array): string | undefined {
  if (data.length < 68 || data[0] !== 0x08 || data[1] !== 0xc3 || data[2] !== 0x79 || data[3] !== 0xa0) return undefined
  const len = Number(BigInt(bytesToHex(data.subarray(36, 68))))
  if (len > data.length - 68) return undefined
  return new TextDecoder().decode(data.subarray(68, 68 + len))
}
