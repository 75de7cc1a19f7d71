/**
 * The interface the chain (sequencer or replica) provides to the RPC
 * methods: state at a block selector, block/transaction/receipt/log lookups,
 * transaction submission with receipt waits, call/estimate, fee data, proofs,
 * dev-mode controls, and the event source behind eth_subscribe and filters.
 *
 * Data crosses this boundary as raw values (bytes, bigints, the chain's own
 * header and transaction shapes plus their location in the chain); the RPC
 * layer alone turns them into JSON (`format.ts`). Block-tag semantics follow
 * DESIGN.md: `latest`/`pending` read the newest mini-block state, `safe`,
 * `finalized` and numbers read sealed EVM-block state.
 */
import type { StateReader, StateDiff } from '../state/database.js'
import type { BlockHeader } from '../chain/header.js'
import type { Transaction, AccessListItem, Authorization } from '../eth/transaction/types.js'

/** A named block tag. */
export type BlockTag = 'latest' | 'pending' | 'safe' | 'finalized' | 'earliest'

/** Which block a query is about: a tag, a number, or (EIP-1898) a hash. */
export type BlockSelector =
  | { readonly kind: 'tag'; readonly tag: BlockTag }
  | { readonly kind: 'number'; readonly number: bigint }
  | { readonly kind: 'hash'; readonly hash: Uint8Array; readonly requireCanonical: boolean }

/** A transaction with its hash, sender and (once included) its place in the chain. */
export interface LocatedTransaction {
  tx: Transaction
  hash: Uint8Array
  from: Uint8Array
  /** null while pending; the EVM block hash, or the placeholder until sealed (DESIGN.md). */
  blockHash: Uint8Array | null
  blockNumber: bigint | null
  transactionIndex: number | null
  /** Base fee of the including block, to report `gasPrice` (effective price) for 1559 txs. */
  blockBaseFee?: bigint
  /** Seconds; included block's timestamp. */
  blockTimestamp?: bigint
}

/** A log with its location. */
export interface LocatedLog {
  address: Uint8Array
  topics: Uint8Array[]
  data: Uint8Array
  blockNumber: bigint
  blockHash: Uint8Array
  blockTimestamp?: bigint
  transactionHash: Uint8Array
  transactionIndex: number
  /** Index within the EVM block. */
  logIndex: number
  removed: boolean
}

/** A receipt with its location (the eth_getTransactionReceipt object, raw). */
export interface LocatedReceipt {
  type: number
  /** 1 success, 0 failure. */
  status: 0 | 1
  transactionHash: Uint8Array
  transactionIndex: number
  blockHash: Uint8Array
  blockNumber: bigint
  from: Uint8Array
  to: Uint8Array | null
  contractAddress: Uint8Array | null
  cumulativeGasUsed: bigint
  gasUsed: bigint
  effectiveGasPrice: bigint
  logsBloom: Uint8Array
  logs: LocatedLog[]
  /** EIP-4844 transactions only. */
  blobGasUsed?: bigint
  blobGasPrice?: bigint
}

/** A sealed (or pending) EVM block. */
export interface ChainBlock {
  header: BlockHeader
  hash: Uint8Array
  /** Encoded size in bytes (the `size` field). */
  size: bigint
  transactions: LocatedTransaction[]
  /** Mini-blocks this EVM block contains, and the global number of the first. */
  miniBlockCount: bigint
  miniBlockOffset: bigint
}

/** One mini-block as the chain emits it (DESIGN.md § Mini-block). */
export interface ChainMiniBlock {
  /** Global mini-block height. */
  number: bigint
  /** The EVM block it belongs to, and that block's timestamp (s). */
  blockNumber: bigint
  blockTimestamp: bigint
  /** Position within the EVM block. */
  index: number
  /** Microseconds. */
  timestampUs: bigint
  gasUsed: bigint
  transactions: LocatedTransaction[]
  receipts: LocatedReceipt[]
  /** Net state changes of this mini-block (for the stateChanges subscription). */
  stateDiff: StateDiff
}

/** The parameters of eth_call / eth_estimateGas, parsed. Absent fields take the chain's defaults. */
export interface CallRequest {
  from?: Uint8Array
  to?: Uint8Array | null
  gas?: bigint
  gasPrice?: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  maxFeePerBlobGas?: bigint
  value?: bigint
  data?: Uint8Array
  nonce?: bigint
  chainId?: bigint
  type?: number
  accessList?: AccessListItem[]
  authorizationList?: Authorization[]
  blobVersionedHashes?: Uint8Array[]
}

/** One account's override for eth_call (geth's state override set). */
export interface AccountOverride {
  balance?: bigint
  nonce?: bigint
  code?: Uint8Array
  /** Replaces the whole storage. */
  state?: Map<bigint, bigint>
  /** Patches individual slots. */
  stateDiff?: Map<bigint, bigint>
  /** Moves a precompile to this address (geth `movePrecompileToAddress`). */
  movePrecompileToAddress?: Uint8Array
}

/** address (lower-case hex) → override. */
export type StateOverrides = Map<string, AccountOverride>

/** Block-environment overrides for eth_call. */
export interface BlockOverrides {
  number?: bigint
  time?: bigint
  gasLimit?: bigint
  coinbase?: Uint8Array
  random?: Uint8Array
  baseFee?: bigint
  blobBaseFee?: bigint
}

/** The outcome of a call. A revert is a result, not an exception: the method maps it to error 3. */
export interface CallResult {
  status: 'success' | 'revert' | 'halt'
  returnData: Uint8Array
  gasUsed: bigint
  /** For `halt`: the reason (out of gas, invalid opcode…). */
  error?: string
}

/** Options every execution request carries. */
export interface ExecutionOptions {
  /** Gas cap (RPC_GAS_CAP); a request's `gas` above it is lowered to it. */
  gasCap: bigint
  /** Abort when this fires (timeout or client gone). */
  signal: AbortSignal
}

/** eth_feeHistory's data, raw. */
export interface FeeHistory {
  oldestBlock: bigint
  /** blockCount + 1 entries (the next block's base fee last). */
  baseFeePerGas: bigint[]
  gasUsedRatio: number[]
  baseFeePerBlobGas: bigint[]
  blobGasUsedRatio: number[]
  /** Present when percentiles were requested. */
  reward?: bigint[][]
}

/** A log query after parsing (block range resolved by the RPC layer). */
export interface LogQuery {
  fromBlock: bigint
  toBlock: bigint
  /** EIP-234: a single block by hash instead of a range. */
  blockHash?: Uint8Array
  addresses: Uint8Array[]
  /** Position i: null = any, else any of the listed topics. */
  topics: (Uint8Array[] | null)[]
}

/** Why a submitted transaction was rejected. The chain maps pool errors to these; the RPC layer to codes. */
export interface TxSubmitResult {
  hash: Uint8Array
  /** 'pending': executable now; 'queued': waits for a nonce gap or funds (EIP-7966 code 5 reason). */
  status: 'pending' | 'queued'
  /** For 'queued': the reason, and the sender's expected nonce when it is a nonce gap. */
  reason?: string
  expectedNonce?: bigint
}

/** Events the chain emits; each `subscribe` returns an unsubscribe function. */
export interface ChainEventMap {
  /** A sealed EVM block (newHeads, block filters). */
  newHead: ChainBlock
  /** A closed mini-block (logs, miniBlocks, stateChanges, log filters). */
  miniBlock: ChainMiniBlock
  /** A transaction entered the pool (newPendingTransactions, pending-tx filters). */
  pendingTransaction: LocatedTransaction
}

/** The subscription event source. */
export interface ChainEvents {
  subscribe<K extends keyof ChainEventMap>(event: K, listener: (payload: ChainEventMap[K]) => void): () => void
}

/** Dev-mode controls (evm_*, anvil_*). Optional: production nodes omit them and the methods answer -32004. */
export interface DevControls {
  /** Snapshot the whole chain (sealing pending work first); returns an id for `revert`. */
  snapshot(): Promise<bigint>
  /** Revert the chain (blocks, state, chain data on disk) to a snapshot and drop later ones; false when unknown. */
  revert(id: bigint): Promise<boolean>
  /** Seal `blocks` EVM blocks now (1 by default), optionally at `timestamp` (s). */
  mine(blocks: bigint, timestamp?: bigint): Promise<void>
  /** Shift the clock forward by `seconds`; returns the total offset. */
  increaseTime(seconds: bigint): bigint
  setBalance(address: Uint8Array, balance: bigint): void
  setCode(address: Uint8Array, code: Uint8Array): void
  setNonce(address: Uint8Array, nonce: bigint): void
  setStorageAt(address: Uint8Array, slot: bigint, value: bigint): void
  impersonate(address: Uint8Array): void
  stopImpersonating(address: Uint8Array): void
  isImpersonated(address: Uint8Array): boolean
  /** Send an unsigned transaction as `from` (impersonated accounts). */
  sendUnsigned(tx: Transaction, from: Uint8Array): Promise<TxSubmitResult>
}

/** Everything the RPC methods need from the chain. */
export interface Backend {
  /** Number of the newest sealed EVM block (eth_blockNumber). */
  blockNumber(): bigint
  /** The block a selector names (number + hash), or undefined when unknown. Throws RpcError for pruned/invalid ones. */
  resolveBlock(sel: BlockSelector): { number: bigint; hash: Uint8Array } | undefined
  /** State at a selector; undefined when the block is unknown. */
  stateAt(sel: BlockSelector): StateReader | undefined
  /** A block by selector (`pending` = the block being filled), or undefined. */
  getBlock(sel: BlockSelector): ChainBlock | undefined
  /** A transaction by hash: pooled, in a mini-block, or sealed. */
  getTransaction(hash: Uint8Array): LocatedTransaction | undefined
  /** A receipt by transaction hash; visible once the tx is in a mini-block. */
  getReceipt(hash: Uint8Array): LocatedReceipt | undefined
  /** All receipts of a block, or undefined when the block is unknown. */
  getBlockReceipts(sel: BlockSelector): LocatedReceipt[] | undefined
  /** Logs matching a query (the RPC layer bounds the range). */
  getLogs(query: LogQuery): LocatedLog[]

  /** Decode, validate and pool a raw transaction. Throws RpcError (-32000 / -32003 / -32602) on rejection. */
  submitRawTransaction(raw: Uint8Array): Promise<TxSubmitResult>
  /**
   * Optional: `submitRawTransaction` for many transactions with one promise
   * (JSON-RPC batches of sends; the same checks, pooled in order). Each
   * result is the submit result or the error that transaction was refused
   * with (as `submitRawTransaction` would throw it).
   */
  submitRawTransactions?(raws: readonly Uint8Array[]): Promise<(TxSubmitResult | Error)[]>
  /** Resolve with the receipt once the tx is in a mini-block, or undefined after `timeoutMs` / on abort. */
  waitForReceipt(hash: Uint8Array, timeoutMs: number, signal: AbortSignal): Promise<LocatedReceipt | undefined>
  /** Resolve true once `account`'s latest nonce ≥ `nonce`, false after `timeoutMs` / on abort. */
  waitForNonce(account: Uint8Array, nonce: bigint, timeoutMs: number, signal: AbortSignal): Promise<boolean>

  /** Execute a call without committing. */
  call(req: CallRequest, sel: BlockSelector, opts: ExecutionOptions, overrides?: StateOverrides, blockOverrides?: BlockOverrides): Promise<CallResult>
  /** Smallest gas limit with which the call succeeds (throws ExecutionRevertedError when it never does). */
  estimateGas(req: CallRequest, sel: BlockSelector, opts: ExecutionOptions, overrides?: StateOverrides): Promise<bigint>
  /** EIP-2930 access list the call touches, and the gas used with it. */
  createAccessList(req: CallRequest, sel: BlockSelector, opts: ExecutionOptions): Promise<{ accessList: AccessListItem[]; gasUsed: bigint; error?: string }>

  /** Suggested legacy gas price (base fee + tip). */
  gasPrice(): bigint
  /** Suggested priority fee. */
  maxPriorityFeePerGas(): bigint
  /** Blob base fee of the next block. */
  blobBaseFee(): bigint
  /** Fee history over `blockCount` blocks ending at `newest`. */
  feeHistory(blockCount: number, newest: BlockSelector, percentiles: number[]): FeeHistory

  /** QMDB membership / non-membership proof of an account and slots (tachyon_getProof), as JSON. */
  getProof(address: Uint8Array, slots: bigint[], sel: BlockSelector): Promise<unknown>

  /** Event source for subscriptions and filters. */
  readonly events: ChainEvents
  /** Dev-mode controls, when enabled. */
  readonly dev?: DevControls
}
