/**
 * The sequencer and its chain (issue 7, DESIGN.md § Chain).
 *
 * Transactions execute as they arrive. A mini-block opens when the pool has
 * executable transactions and closes when the pool has drained or
 * `miniBlockTimeMs` (10 ms) after it opened, whichever is first: it is
 * executed on a fresh `StateOverlay` over the open block's `DiffLayer`,
 * signed by the sequencer key, merged into the layer, and published
 * (receipt waiters resolved, `miniBlock` event). No transactions, no
 * mini-blocks. Every `blockTimeMs` (1 s) the open block is sealed: its
 * layer's diff is applied to the state store at once (so the next block
 * executes on top of it without waiting), and when the store reports the
 * state root the header is built (standard Prague header; `extraData` = hash
 * of the last mini-block), published (`newHead`) and appended to the chain
 * store. The mini-block loop keeps running while the root is computed and the
 * chain store syncs; only a transaction that reads BLOCKHASH of the block
 * being sealed makes its mini-block wait (it is re-executed after the hash is
 * known, never published twice).
 *
 * Persistence: with `dataDir`, state lives in QMDB (`dataDir/state`) and
 * history in the chain store (`dataDir/chain`); `Chain.open` resumes from
 * them. Recent blocks stay in memory; older ones are read back from the
 * store. The state of any sealed block is served from the state history
 * (`dataDir/history.log`: each block's prior values) over the committed state.
 */
import { join } from 'node:path'
import { StateOverlay } from '../state/overlay.js'
import type { AccountInfo, StateDiff, StateReader } from '../state/database.js'
import { executeTransaction, makeBlockEnv, blobBaseFee as blobBaseFeeOf, nextExcessBlobGas, type BlockEnv } from '../execution/transaction.js'
import { TxRejectedError } from '../execution/errors.js'
import { applyBeaconRoot, applyBlockHashHistory, historySlotOf, HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE, BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE } from '../execution/system.js'
import { forkAtLeast } from '../eth/fork.js'
import { Evm } from '../evm/interpreter.js'
import { CodeCache } from '../evm/code.js'
import { TxPool, nowMicros, type PooledTransaction, type AddResult } from '../txpool/pool.js'
import { TxPoolError } from '../txpool/errors.js'
import { DEFAULT_FORK, type Fork } from '../eth/fork.js'
import { encodeTransaction, transactionHash, type Transaction } from '../eth/transaction/index.js'
import { orderedTrieRootSteps } from '../eth/trie.js'
import { bloomOr, emptyBloom, type Log } from '../eth/log.js'
import { keccak256, KECCAK_EMPTY, EMPTY_TRIE_ROOT } from '../crypto/keccak.js'
import { privateKeyToAddress } from '../crypto/secp256k1.js'
import { bigIntToBytes, bytesToBigInt, equalBytes } from '../primitives/bytes.js'
import { bytesToHex, bytesToHexRaw } from '../primitives/hex.js'
import { ChainStore, rewindChainStore, type MiniBlockInput, type StoredBlock } from '../storage/store.js'
import { decodeHeader, encodeHeader, headerHash, withForkFields, EMPTY_OMMERS_HASH, type BlockHeader } from './header.js'
import { signMiniBlock, encodeSignedMiniBlock, miniBlockTransactionsHash, miniBlockReceiptsHash, type SignedMiniBlockHeader } from './miniblock.js'
import { DiffLayer, HistoryReader, makeUndo, makeUndoSteps, emptyDiff, addrKey, type UndoMap } from './state-layer.js'
import { Slicer, SEAL_SLICE_MS } from './slices.js'
import { StateHistory, type HistoryEntry } from '../storage/history.js'
import { accountKey, storageKey, encodeAccount, ACCOUNT_PREFIX, STORAGE_PREFIX } from '../state/qmdb/store.js'
import { hexToBytes } from '../primitives/hex.js'
import { MemoryStateStore, QmdbStateStore, type StateStore, type StateProof } from './state-store.js'
import { blockSize, consensusReceipt, recordBloom, decodeStoredRecord, receiptRecordLogs, encodeReceiptRecord, encodeTxRecord, nextBaseFee, type TxRecord } from './records.js'
import { encodeReceipt } from '../eth/receipt.js'
import { ChainClosedError, ChainCorruptionError, ProofUnavailableError, StateUnavailableError } from './errors.js'

/** One genesis account. */
export interface GenesisAccount {
  address: Uint8Array
  balance: bigint
  nonce?: bigint
  code?: Uint8Array
  storage?: Map<bigint, bigint>
}

/** Chain configuration. */
export interface ChainOptions {
  chainId: bigint
  /** Funded accounts of block 0. */
  genesis: GenesisAccount[]
  fork?: Fork
  /** EVM block interval (default 1000 ms). */
  blockTimeMs?: number
  /** Longest a mini-block stays open (default 10 ms). */
  miniBlockTimeMs?: number
  /** Block gas limit (default 30M, as anvil). */
  gasLimit?: bigint
  /** Base fee of genesis (default 1 gwei, as anvil). */
  genesisBaseFee?: bigint
  /** Genesis timestamp in seconds (default: now). */
  genesisTimestamp?: bigint
  /** Persist to this directory (QMDB state + chain store); in memory when absent. */
  dataDir?: string
  /** Sequencer signing key (32 bytes); default keccak256("tachyon-dev-sequencer"). */
  sequencerKey?: Uint8Array
  /** Fee recipient (default the zero address, as anvil). */
  coinbase?: Uint8Array
  /** Seal on a timer (default true); tests may seal by hand with `mine`. */
  autoSeal?: boolean
  /** Sealed blocks kept whole in memory when persisting (default RECENT_BLOCKS); older ones are read from the chain store. */
  recentBlocks?: number
  /** QMDB Merkle worker threads (default 1). */
  qmdbWorkers?: number
  /** Largest number of transactions pulled from the pool at a time (default 256). */
  batchSize?: number
  /** Pool cap per sender (default MAX_TXS_PER_SENDER = 64). */
  poolMaxPerSender?: number
  /** Pool cap in total (default MAX_POOL_TXS = 10,000). */
  poolMaxTotal?: number
  /** Worker threads for batched sender recovery of `submitRawAsync` (default 0: on the main thread). */
  recoveryWorkers?: number
  /** Analysed-code cache, with the node's JIT as its `jit` hook when on; shared with eth_call (default: a fresh cache, no JIT). */
  codeCache?: CodeCache
  /** Longest stretch of background seal work before it yields to the event loop (default SEAL_SLICE_MS = 2 ms). */
  sealSliceMs?: number
}

/** Where the time of one seal went (ms), and how it was sliced; `Chain.lastSeal`. */
export interface SealStats {
  block: bigint
  txs: number
  /** Undo values, QMDB change set and apply. */
  stateMs: number
  /** Transactions and receipts roots, bloom. */
  rootsMs: number
  /** Chain-store records of the mini-blocks. */
  recordsMs: number
  /** Waiting for QMDB's state root (Merkle worker, fsync). */
  rootWaitMs: number
  /** From the start of the job to the chain-store commit. */
  totalMs: number
  /** Times the job yielded to the event loop. */
  pauses: number
  /** Longest stretch the job held the event loop. */
  longestSliceMs: number
  /** The step that slice ended in (`Slicer.phase`). */
  longestSlicePhase: string
}

/** A mini-block as the chain keeps and publishes it. */
export interface MiniBlock {
  number: bigint
  blockNumber: bigint
  blockTimestamp: bigint
  index: number
  timestampUs: bigint
  hash: Uint8Array
  header: SignedMiniBlockHeader
  gasUsed: bigint
  txs: TxRecord[]
  /** Net state changes of this mini-block. */
  diff: StateDiff
}

/** A sealed EVM block (or the open one, without hash and header). */
export interface ChainBlockData {
  number: bigint
  header: BlockHeader
  hash: Uint8Array
  size: bigint
  txs: TxRecord[]
  miniBlockCount: bigint
  miniBlockOffset: bigint
}

/** A log with its location. */
export interface ChainLog {
  address: Uint8Array
  topics: Uint8Array[]
  data: Uint8Array
  blockNumber: bigint
  blockHash: Uint8Array
  blockTimestamp: bigint
  transactionHash: Uint8Array
  transactionIndex: number
  logIndex: number
}

/** A log query over sealed (and, with toBlock past the head, open) blocks. */
export interface ChainLogQuery {
  fromBlock: bigint
  toBlock: bigint
  addresses: Uint8Array[]
  topics: (Uint8Array[] | null)[]
}

/** Events of the chain. */
export interface ChainEventPayloads {
  miniBlock: MiniBlock
  newHead: ChainBlockData
  pendingTransaction: PooledTransaction
}

/** Where a block stands. */
interface BlockState {
  number: bigint
  /** Seconds; fixed by the first mini-block (or at seal). */
  timestamp: bigint | undefined
  baseFee: bigint
  gasLimit: bigint
  excessBlobGas: bigint
  blobGasUsed: bigint
  prevRandao: Uint8Array
  miniBlocks: MiniBlock[]
  /**
   * Number of mini-blocks of a sealed block once `miniBlocks` was cut to its
   * last one (`releaseMiniBlocks`); undefined while it holds them all.
   */
  miniCount?: number
  miniOffset: bigint
  txs: TxRecord[]
  gasUsed: bigint
  logCount: number
  /** Open block only. */
  layer: DiffLayer | undefined
  env: BlockEnv | undefined
  header: BlockHeader | undefined
  hash: Uint8Array | undefined
  size: bigint
  /** No more transactions fit (the next one waits for the next block). */
  full: boolean
  /** EIP-4788 system call made (at the first mini-block or at sealing: it needs the timestamp). */
  beaconDone: boolean
  /** EIP-2935 system call made (as soon as the parent's hash is known). */
  historyDone: boolean
  /** Dev-mode edits (anvil_set*, evm_revert) were applied to the open layer. */
  devEdited: boolean
}

const ZERO32 = new Uint8Array(32)
/** The bloom of every record without logs (shared, never written: records keep no 256-byte copy each). */
const EMPTY_BLOOM = new Uint8Array(256)
/** Longest one event-loop turn keeps executing mini-blocks before yielding to I/O. */
const TURN_BUDGET_MS = 50

/**
 * Sealed blocks a persisting chain keeps in memory (transactions, receipts,
 * logs; older blocks are read from the chain store). Everything kept is
 * traced by every major GC, whose pause grows with the live heap: at
 * 1,000 tx/s a block holds ~1.8 MB, so 16 blocks (~30 MB) instead of 64
 * (~115 MB, ~350 MB before sealed blocks dropped their mini-blocks).
 */
export const RECENT_BLOCKS = 16
/** The default dev sequencer key. */
export const DEFAULT_SEQUENCER_KEY: Uint8Array = keccak256(new TextEncoder().encode('tachyon-dev-sequencer'))

type Listener<K extends keyof ChainEventPayloads> = (p: ChainEventPayloads[K]) => void

interface Waiter<T> {
  resolve: (v: T) => void
  timer: NodeJS.Timeout
  signal: AbortSignal
  onAbort: () => void
}

/** Raised inside a mini-block when a transaction reads the hash of the block being sealed. */
class PendingHashRead extends Error {}

/** The sequencer and its chain. Create with `Chain.open`. */
export class Chain {
  readonly chainId: bigint
  readonly fork: Fork
  readonly blockTimeMs: number
  readonly miniBlockTimeMs: number
  readonly gasLimit: bigint
  /** Address of the sequencer's signing key. */
  readonly sequencerAddress: Uint8Array
  readonly coinbase: Uint8Array
  readonly pool: TxPool

  private readonly sequencerKey: Uint8Array
  /** Analysed code (and the JIT hook) shared by the sequencer and eth_call-like execution. */
  readonly codeCache: CodeCache
  private stateStore!: StateStore
  private store: ChainStore | undefined
  /** Sealed blocks kept in memory (all of them without a store). */
  private readonly blocks = new Map<bigint, BlockState>()
  private readonly hashToNumber = new Map<string, bigint>()
  private readonly txIndex = new Map<string, TxRecord>()
  private open!: BlockState
  private head!: BlockState
  /** The block whose root is being computed (hash unknown), if any. */
  private sealingBlocks = new Map<bigint, Promise<void>>()
  private sealTail: Promise<void> = Promise.resolve()
  /** Layers of sealed blocks not yet applied to the state store (newer layers read through them). */
  private readonly frozen = new Map<bigint, DiffLayer>()
  /** Newest block applied to the state store (its reader reflects it; durable may lag). */
  private appliedHeight = -1n
  private readonly sealSliceMs: number
  private sealStats: SealStats | undefined
  /** A seal waiting for its parent's hash (EIP-2935), if any. */
  private deferredSeal: Promise<void> | undefined
  private lastMiniNumber = -1n
  private lastMiniHash: Uint8Array = ZERO32
  private lastMiniTimeUs = 0n
  private timeOffset = 0n
  private nextTimestamp: bigint | undefined
  private readonly deferred: PooledTransaction[] = []
  private scheduled = false
  private waitingForHash = false
  private timer: NodeJS.Timeout | undefined
  private closed = false
  private failure: Error | undefined
  private readonly listeners = { miniBlock: new Set<Listener<'miniBlock'>>(), newHead: new Set<Listener<'newHead'>>(), pendingTransaction: new Set<Listener<'pendingTransaction'>>() }
  private readonly receiptWaiters = new Map<string, Set<Waiter<TxRecord | undefined>>>()
  private readonly nonceWaiters = new Map<string, Set<Waiter<boolean> & { nonce: bigint }>>()
  private readonly rejected = new Map<string, string>()
  /** Prior values of every sealed block's changes (historical state). */
  private history!: StateHistory
  private readonly recentBlocks: number
  private readonly batchSize: number
  private readonly autoSeal: boolean
  private seq = 1 << 30
  // dev-mode
  private readonly impersonated = new Set<string>()
  /** Snapshot id → the sealed block it was taken at. */
  private readonly snapshots = new Map<bigint, bigint>()
  private nextSnapshotId = 0n
  /** An evm_revert is rewinding the stores: no mini-blocks, no seals. */
  private paused = false
  private pendingHashFlag = false

  private constructor(private readonly opts: ChainOptions) {
    this.chainId = opts.chainId
    this.fork = opts.fork ?? DEFAULT_FORK
    this.blockTimeMs = opts.blockTimeMs ?? 1000
    this.miniBlockTimeMs = opts.miniBlockTimeMs ?? 10
    this.gasLimit = opts.gasLimit ?? 30_000_000n
    this.sequencerKey = opts.sequencerKey ?? DEFAULT_SEQUENCER_KEY
    this.sequencerAddress = privateKeyToAddress(this.sequencerKey)
    this.codeCache = opts.codeCache ?? new CodeCache()
    this.coinbase = opts.coinbase ?? new Uint8Array(20)
    this.recentBlocks = opts.recentBlocks ?? RECENT_BLOCKS
    this.batchSize = opts.batchSize ?? 256
    this.autoSeal = opts.autoSeal ?? true
    this.sealSliceMs = opts.sealSliceMs ?? SEAL_SLICE_MS
    this.pool = new TxPool({
      chainId: this.chainId,
      fork: this.fork,
      state: () => this.latestState(),
      baseFee: () => this.open.baseFee,
      blockGasLimit: this.gasLimit,
      ...(opts.poolMaxPerSender !== undefined ? { maxPerSender: opts.poolMaxPerSender } : {}),
      ...(opts.poolMaxTotal !== undefined ? { maxTotal: opts.poolMaxTotal } : {}),
      ...(opts.recoveryWorkers !== undefined ? { recoveryWorkers: opts.recoveryWorkers } : {}),
    })
    this.pool.onTransaction((t) => {
      for (const l of this.listeners.pendingTransaction) l(t)
    })
  }

  /** Open (or create) a chain: genesis on an empty data directory, resume otherwise. */
  static async open(opts: ChainOptions): Promise<Chain> {
    const c = new Chain(opts)
    await c.init()
    return c
  }

  // ------------------------------------------------------------------ setup

  private async init(): Promise<void> {
    const bh = (n: bigint): Uint8Array => this.blockHashForEvm(n)
    if (this.opts.dataDir !== undefined) {
      this.stateStore = await QmdbStateStore.open(join(this.opts.dataDir, 'state'), bh, { workers: this.opts.qmdbWorkers ?? 1 })
      this.store = await ChainStore.open(join(this.opts.dataDir, 'chain'))
    } else {
      this.stateStore = new MemoryStateStore(bh)
    }
    this.history = StateHistory.open(this.opts.dataDir !== undefined ? join(this.opts.dataDir, 'history.log') : undefined)
    // The history is appended before each state commit: it may hold a block
    // the state store lost (crash before QMDB's commit), which is dropped; a
    // history behind the state store (a data directory from before it, or a
    // power cut before its sync) restarts at the next block.
    const stateHeight = Number(this.stateStore.height)
    if (this.history.lastBlock > stateHeight) this.history.truncateAfter(stateHeight)
    else if (this.history.lastBlock < stateHeight) this.history.clear()
    let storeHead = this.store ? BigInt(this.store.head) : -1n
    const rewound = this.stateStore.rewoundAt
    if (this.store !== undefined && rewound !== undefined && rewound < storeHead) {
      // An evm_revert committed the state and stopped before rewinding the chain store: finish it.
      const dir = join(this.opts.dataDir!, 'chain')
      await this.store.close()
      rewindChainStore(dir, Number(rewound))
      this.store = await ChainStore.open(dir)
      storeHead = rewound
    }
    if (storeHead < 0n) {
      if (this.stateStore.height >= 0n) throw new ChainCorruptionError('state store has blocks but the chain store is empty: delete the data directory (--fresh)')
      await this.createGenesis()
    } else {
      await this.resume(storeHead)
    }
    this.appliedHeight = this.stateStore.height
    this.open = this.newOpenBlock(this.head)
    if (this.autoSeal) this.armTimer()
  }

  /** The genesis accounts: the configured ones plus the fork's system contracts (EIP-4788, EIP-2935) unless configured. */
  private genesisAccounts(): GenesisAccount[] {
    const out = [...this.opts.genesis]
    const has = (a: Uint8Array): boolean => out.some((g) => equalBytes(g.address, a))
    if (forkAtLeast(this.fork, 'Cancun') && !has(BEACON_ROOTS_ADDRESS)) out.push({ address: BEACON_ROOTS_ADDRESS, balance: 0n, nonce: 1n, code: BEACON_ROOTS_CODE })
    if (forkAtLeast(this.fork, 'Prague') && !has(HISTORY_STORAGE_ADDRESS)) out.push({ address: HISTORY_STORAGE_ADDRESS, balance: 0n, nonce: 1n, code: HISTORY_STORAGE_CODE })
    return out
  }

  private genesisDiff(): StateDiff {
    const d = emptyDiff()
    for (const a of this.genesisAccounts()) {
      const key = bytesToHex(a.address)
      let codeHash = KECCAK_EMPTY
      if (a.code !== undefined && a.code.length > 0) {
        codeHash = keccak256(a.code)
        d.codes.set(bytesToHex(codeHash), a.code)
      }
      d.accounts.set(key, { nonce: a.nonce ?? 0n, balance: a.balance, codeHash })
      if (a.storage !== undefined && a.storage.size > 0) d.storage.set(key, new Map(a.storage))
    }
    return d
  }

  private async createGenesis(): Promise<void> {
    const diff = this.genesisDiff()
    this.recordHistory(0n, makeUndo(this.stateStore.reader, diff))
    const root = await this.stateStore.commit(diff, 0n)
    const header = withForkFields(
      {
        parentHash: ZERO32,
        ommersHash: EMPTY_OMMERS_HASH,
        coinbase: new Uint8Array(20),
        stateRoot: root,
        transactionsRoot: EMPTY_TRIE_ROOT,
        receiptsRoot: EMPTY_TRIE_ROOT,
        logsBloom: emptyBloom(),
        difficulty: 0n,
        number: 0n,
        gasLimit: this.gasLimit,
        gasUsed: 0n,
        timestamp: this.opts.genesisTimestamp ?? BigInt(Math.floor(Date.now() / 1000)),
        extraData: new Uint8Array(0),
        mixHash: ZERO32,
        nonce: new Uint8Array(8),
        baseFeePerGas: this.opts.genesisBaseFee ?? 1_000_000_000n,
      },
      this.fork,
    )
    const hash = headerHash(header)
    const encoded = encodeHeader(header)
    const b = this.sealedState(header, hash, [], [], 0n, blockSize(encoded, []))
    if (this.store) await this.store.appendBlock({ number: 0, hash, header: encoded }, [])
    this.remember(b)
    this.head = b
  }

  private sealedState(header: BlockHeader, hash: Uint8Array, txs: TxRecord[], minis: MiniBlock[], miniOffset: bigint, size: bigint): BlockState {
    return {
      number: header.number,
      timestamp: header.timestamp,
      baseFee: header.baseFeePerGas ?? 0n,
      gasLimit: header.gasLimit,
      excessBlobGas: header.excessBlobGas ?? 0n,
      blobGasUsed: header.blobGasUsed ?? 0n,
      prevRandao: header.mixHash,
      miniBlocks: minis,
      miniOffset,
      txs,
      gasUsed: header.gasUsed,
      logCount: txs.reduce((n, t) => n + t.logs.length, 0),
      layer: undefined,
      env: undefined,
      header,
      hash,
      size,
      full: false,
      beaconDone: true,
      historyDone: true,
      devEdited: false,
    }
  }

  private async resume(storeHead: bigint): Promise<void> {
    const store = this.store!
    let stored = store.read((s) => s.getBlock(Number(storeHead)))
    if (stored === undefined) throw new ChainCorruptionError(`chain store head ${storeHead} unreadable`)
    let header = decodeHeader(stored.header)
    const stateHeight = this.stateStore.height
    if (stateHeight === storeHead + 1n) {
      // Crash between the state commit and the chain-store commit of the next
      // block: its state changes are durable, its transactions are not. Seal
      // an empty block over that state so the chain and the state agree again.
      const h: BlockHeader = withForkFields(
        {
          ...header,
          parentHash: headerHash(header),
          number: header.number + 1n,
          stateRoot: this.stateStore.root,
          transactionsRoot: EMPTY_TRIE_ROOT,
          receiptsRoot: EMPTY_TRIE_ROOT,
          logsBloom: emptyBloom(),
          gasUsed: 0n,
          timestamp: header.timestamp + 1n,
          baseFeePerGas: nextBaseFee(header.baseFeePerGas ?? 0n, header.gasUsed, header.gasLimit),
        },
        this.fork,
      )
      const encoded = encodeHeader(h)
      await store.appendBlock({ number: Number(h.number), hash: headerHash(h), header: encoded }, [])
      stored = store.read((s) => s.getBlock(Number(h.number)))!
      header = h
    } else if (stateHeight !== storeHead) {
      throw new ChainCorruptionError(`state store is at block ${stateHeight} but the chain store at ${storeHead}`)
    }
    // after an evm_revert (and before the next block) QMDB's root is that of the rewind commit, not the header's
    if (this.stateStore.rewoundAt !== storeHead && !equalBytes(header.stateRoot, this.stateStore.root)) throw new ChainCorruptionError(`state root ${bytesToHex(this.stateStore.root)} differs from block ${header.number}'s ${bytesToHex(header.stateRoot)}`)
    const b = this.sealedState(header, stored.hash, [], [], BigInt(stored.firstMini < 0 ? 0 : stored.firstMini), blockSize(stored.header, []))
    this.head = b
    this.remember(b)
    this.blocks.delete(b.number) // read back from the store on demand
    this.hashToNumber.delete(bytesToHexRaw(b.hash!))
    // The mini-block chain continues from the last mini-block (its hash is the extraData of the block sealing it).
    const next = this.nextMiniFromStore(stored)
    this.lastMiniNumber = next - 1n
    this.lastMiniHash = header.extraData.length === 32 ? header.extraData.slice() : ZERO32
  }

  private nextMiniFromStore(b: StoredBlock): bigint {
    if (b.miniCount > 0) return BigInt(b.firstMini + b.miniCount)
    return BigInt(Math.max(0, b.firstMini))
  }

  private newOpenBlock(parent: BlockState): BlockState {
    const number = parent.number + 1n
    const baseFee = nextBaseFee(parent.baseFee, parent.gasUsed, parent.gasLimit)
    const excessBlobGas = nextExcessBlobGas(parent.excessBlobGas, parent.blobGasUsed, this.fork)
    const b: BlockState = {
      number,
      timestamp: undefined,
      baseFee,
      gasLimit: this.gasLimit,
      excessBlobGas,
      blobGasUsed: 0n,
      prevRandao: keccak256(bigIntToBytes(number, 32)),
      miniBlocks: [],
      miniOffset: this.lastMiniNumber + 1n,
      txs: [],
      gasUsed: 0n,
      logCount: 0,
      // over the parent's frozen layer while the parent is still being applied to the state store
      layer: new DiffLayer(this.frozen.get(parent.number) ?? this.stateStore.reader, (n) => this.blockHashForEvm(n)),
      env: undefined,
      header: undefined,
      hash: undefined,
      size: 0n,
      full: false,
      beaconDone: false,
      historyDone: false,
      devEdited: false,
    }
    this.applyHistoryCall(b)
    return b
  }

  // ------------------------------------------------------ system calls

  /**
   * EIP-2935: store the parent's hash in the history contract, in the open
   * block's layer, as soon as that hash is known (at once when the parent is
   * sealed; otherwise when its root arrives, from `finishSeal`). Until then
   * the slot it writes is pending in the layer: a transaction reading it
   * makes its mini-block wait for the hash, as a BLOCKHASH read does.
   */
  private applyHistoryCall(b: BlockState): void {
    if (b.historyDone) return
    const layer = b.layer!
    const parentHash = this.blockHash(b.number - 1n)
    if (parentHash === undefined) {
      layer.pendingSlot ??= {
        address: addrKey(HISTORY_STORAGE_ADDRESS),
        slot: historySlotOf(b.number),
        hit: () => {
          this.pendingHashFlag = true
        },
      }
      return
    }
    layer.pendingSlot = undefined
    b.historyDone = true
    this.applySystemCall(b, (o, env) => applyBlockHashHistory(o, env, parentHash))
  }

  /** EIP-4788: store the parent beacon block root (zero: there is no beacon chain) once the block's timestamp is fixed. */
  private applyBeaconCall(b: BlockState): void {
    if (b.beaconDone) return
    b.beaconDone = true
    const env = this.envOf(b)
    this.applySystemCall(b, (o) => applyBeaconRoot(o, env, ZERO32))
  }

  /** Run a system call on an overlay over `b`'s layer and merge its changes (recorded for evm_revert). */
  private applySystemCall(b: BlockState, call: (o: StateOverlay, env: BlockEnv) => boolean): void {
    const layer = b.layer!
    const overlay = new StateOverlay(layer)
    call(overlay, b.env ?? this.provisionalEnvOf(b))
    const diff = overlay.diff()
    if (diff.accounts.size === 0 && diff.storage.size === 0) return
    layer.apply(diff)
  }

  private remember(b: BlockState): void {
    this.blocks.set(b.number, b)
    this.hashToNumber.set(bytesToHexRaw(b.hash!), b.number)
    for (const t of b.txs) this.txIndex.set(bytesToHexRaw(t.hash), t)
  }

  // ------------------------------------------------------------- clock/env

  private nowUs(): bigint {
    const us = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000))
    this.lastMiniTimeUs = us > this.lastMiniTimeUs ? us : this.lastMiniTimeUs
    return this.lastMiniTimeUs
  }

  private fixTimestamp(b: BlockState, explicit?: bigint): void {
    if (b.timestamp !== undefined) return
    const parentTs = this.parentTimestamp(b)
    let ts = explicit ?? this.nextTimestamp ?? BigInt(Math.floor(Date.now() / 1000)) + this.timeOffset
    this.nextTimestamp = undefined
    if (ts <= parentTs) ts = parentTs + 1n
    b.timestamp = ts
  }

  private parentTimestamp(b: BlockState): bigint {
    const p = this.blocks.get(b.number - 1n)
    if (p?.timestamp !== undefined) return p.timestamp
    return this.head.number === b.number - 1n ? this.head.timestamp! : 0n
  }

  private envOf(b: BlockState): BlockEnv {
    if (b.env !== undefined) return b.env
    this.fixTimestamp(b)
    b.env = makeBlockEnv({
      number: b.number,
      timestamp: b.timestamp!,
      coinbase: this.coinbase,
      gasLimit: b.gasLimit,
      baseFee: b.baseFee,
      prevRandao: b.prevRandao,
      blobBaseFee: blobBaseFeeOf(b.excessBlobGas, this.fork),
      chainId: this.chainId,
      fork: this.fork,
    })
    return b.env
  }

  /** The block environment of the open block (for eth_call on `latest`/`pending`). */
  openBlockEnv(): BlockEnv {
    return this.provisionalEnvOf(this.open)
  }

  /** The environment of an unsealed block, its timestamp not fixed yet when no mini-block ran. */
  private provisionalEnvOf(b: BlockState): BlockEnv {
    if (b.env !== undefined) return b.env
    const ts = b.timestamp ?? (() => {
      const p = this.parentTimestamp(b)
      const now = this.nextTimestamp ?? BigInt(Math.floor(Date.now() / 1000)) + this.timeOffset
      return now > p ? now : p + 1n
    })()
    return makeBlockEnv({ number: b.number, timestamp: ts, coinbase: this.coinbase, gasLimit: b.gasLimit, baseFee: b.baseFee, prevRandao: b.prevRandao, blobBaseFee: blobBaseFeeOf(b.excessBlobGas, this.fork), chainId: this.chainId, fork: this.fork })
  }

  /** The environment block `n` executed in (sealed blocks). */
  blockEnvOf(n: bigint): BlockEnv | undefined {
    const h = this.headerOf(n)
    if (h === undefined) return undefined
    return makeBlockEnv({ number: h.number, timestamp: h.timestamp, coinbase: h.coinbase, gasLimit: h.gasLimit, baseFee: h.baseFeePerGas ?? 0n, prevRandao: h.mixHash, blobBaseFee: blobBaseFeeOf(h.excessBlobGas ?? 0n, this.fork), chainId: this.chainId, fork: this.fork })
  }

  /** BLOCKHASH source: known hashes; the block being sealed raises the pending-hash flag. */
  private blockHashForEvm(n: bigint): Uint8Array {
    const h = this.blockHash(n)
    if (h !== undefined) return h
    if (this.sealingBlocks.has(n)) this.pendingHashFlag = true
    return ZERO32
  }

  // ------------------------------------------------------------ the loop

  private armTimer(): void {
    const tick = (): void => {
      if (this.closed) return
      this.seal()
      this.timer = setTimeout(tick, this.blockTimeMs - (Date.now() % this.blockTimeMs))
    }
    this.timer = setTimeout(tick, this.blockTimeMs)
    this.timer.unref?.()
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.loop()
    })
  }

  /**
   * Run mini-blocks back to back while executable transactions wait, for up
   * to TURN_BUDGET_MS of this event-loop turn, then yield to I/O (requests,
   * responses) and continue in the next turn. Under load the pool otherwise
   * grows faster than it drains: a turn of the server can accept hundreds of
   * transactions while a mini-block closes after 10 ms.
   */
  private loop(): void {
    const until = performance.now() + TURN_BUDGET_MS
    let mb: MiniBlock | undefined
    do mb = this.runMiniBlock(false)
    while (mb !== undefined && this.hasWork() && !this.open.full && performance.now() < until)
    if (mb !== undefined && this.hasWork() && !this.open.full) this.schedule()
  }

  private hasWork(): boolean {
    return this.deferred.length > 0 || this.pool.size() > 0
  }

  private takeBatch(): PooledTransaction[] {
    if (this.deferred.length > 0) return this.deferred.splice(0, this.batchSize)
    return this.pool.takeReady(this.batchSize)
  }

  /** Execute one mini-block now (synchronously) if there is work. Returns the mini-block, if one closed. */
  runMiniBlock(reschedule = true): MiniBlock | undefined {
    if (this.closed || this.waitingForHash || this.failure || this.paused) return undefined
    const b = this.open
    if (b.full) return undefined
    let batch = this.takeBatch()
    if (batch.length === 0) return undefined
    const startMs = performance.now()
    const timestampUs = this.nowUs()
    const env = this.envOf(b)
    this.applyBeaconCall(b)
    this.applyHistoryCall(b)
    const overlay = new StateOverlay(b.layer!)
    const evm = new Evm(overlay, env, { codeCache: this.codeCache })
    const executed: { p: PooledTransaction; r: ReturnType<typeof executeTransaction> }[] = []
    const taken: PooledTransaction[] = []
    let cumulative = b.gasUsed
    let blobGas = b.blobGasUsed
    this.pendingHashFlag = false
    try {
      outer: for (;;) {
        for (let i = 0; i < batch.length; i++) {
          const p = batch[i]!
          taken.push(p)
          let r: ReturnType<typeof executeTransaction>
          try {
            r = executeTransaction(overlay, p.tx, p.sender, env, { cumulativeGasUsed: cumulative, evm, codeCache: this.codeCache })
          } catch (e) {
            if (!(e instanceof TxRejectedError)) throw e
            if (e.code === 'block-gas-limit') {
              b.full = true
              this.deferred.unshift(...batch.slice(i))
              taken.pop()
              break outer
            }
            this.reject(p, e.message)
            taken.pop()
            continue
          }
          if (this.pendingHashFlag) throw new PendingHashRead()
          cumulative += r.gasUsed
          blobGas += r.blobGasUsed
          executed.push({ p, r })
        }
        if (performance.now() - startMs >= this.miniBlockTimeMs) break
        batch = this.takeBatch()
        if (batch.length === 0) break
      }
    } catch (e) {
      if (!(e instanceof PendingHashRead)) {
        this.fail(e as Error)
        throw e
      }
      // A transaction read BLOCKHASH of the block being sealed: drop this
      // attempt (nothing was published) and retry once the hash is known.
      this.deferred.unshift(...taken, ...batch.slice(batch.indexOf(taken[taken.length - 1]!) + 1))
      this.waitingForHash = true
      void Promise.all([...this.sealingBlocks.values()]).then(() => {
        this.waitingForHash = false
        this.schedule()
      })
      return undefined
    }
    let mb: MiniBlock | undefined
    if (executed.length > 0) mb = this.closeMiniBlock(b, overlay, executed, timestampUs, cumulative, blobGas)
    if (reschedule && this.hasWork() && !b.full) this.schedule()
    return mb
  }

  private closeMiniBlock(b: BlockState, overlay: StateOverlay, executed: { p: PooledTransaction; r: ReturnType<typeof executeTransaction> }[], timestampUs: bigint, cumulative: bigint, blobGas: bigint): MiniBlock {
    const diff = overlay.diff()
    b.layer!.apply(diff)
    const number = this.lastMiniNumber + 1n
    const txs: TxRecord[] = []
    let gasUsed = 0n
    for (const { p, r } of executed) {
      const rec: TxRecord = {
        hash: p.hash,
        tx: p.tx,
        raw: p.raw,
        from: p.sender,
        blockNumber: b.number,
        blockHash: undefined,
        blockTimestamp: b.timestamp!,
        baseFee: b.baseFee,
        txIndex: b.txs.length,
        miniBlockNumber: number,
        status: r.status,
        gasUsed: r.gasUsed,
        cumulativeGasUsed: r.receipt.cumulativeGasUsed,
        effectiveGasPrice: r.effectiveGasPrice,
        contractAddress: p.tx.to === null && r.status === 1 ? (r.createdAddress ?? null) : null,
        logs: r.logs,
        firstLogIndex: b.logCount,
        blobGasUsed: r.blobGasUsed,
        receivedUs: p.receivedUs,
        // the execution already built the consensus receipt (bloom included): reuse it
        bloom: r.logs.length === 0 ? EMPTY_BLOOM : r.receipt.logsBloom,
        consensus: encodeReceipt(r.receipt),
      }
      b.txs.push(rec)
      b.logCount += r.logs.length
      gasUsed += r.gasUsed
      txs.push(rec)
    }
    b.gasUsed = cumulative
    b.blobGasUsed = blobGas
    const { header, hash } = signMiniBlock(
      {
        number,
        blockNumber: b.number,
        index: b.miniBlocks.length,
        timestampUs,
        parentHash: this.lastMiniHash,
        gasUsed,
        transactionsHash: miniBlockTransactionsHash(txs.map((t) => t.hash)),
        receiptsHash: miniBlockReceiptsHash(txs.map(consensusReceipt)),
      },
      this.sequencerKey,
    )
    const mb: MiniBlock = { number, blockNumber: b.number, blockTimestamp: b.timestamp!, index: b.miniBlocks.length, timestampUs, hash, header, gasUsed, txs, diff }
    b.miniBlocks.push(mb)
    this.lastMiniNumber = number
    this.lastMiniHash = hash
    for (const t of txs) {
      const k = bytesToHexRaw(t.hash)
      this.txIndex.set(k, t)
      const ws = this.receiptWaiters.get(k)
      if (ws !== undefined) {
        this.receiptWaiters.delete(k)
        for (const w of ws) this.settle(w, t)
      }
    }
    for (const l of this.listeners.miniBlock) {
      try {
        l(mb)
      } catch {
        // a listener's failure must not stop the sequencer
      }
    }
    if (this.nonceWaiters.size > 0) this.checkNonceWaiters()
    return mb
  }

  private reject(p: PooledTransaction, reason: string): void {
    const k = bytesToHexRaw(p.hash)
    this.rejected.set(k, reason)
    if (this.rejected.size > 10_000) this.rejected.delete(this.rejected.keys().next().value!)
    const ws = this.receiptWaiters.get(k)
    if (ws !== undefined) {
      this.receiptWaiters.delete(k)
      for (const w of ws) this.settle(w, undefined)
    }
  }

  private settle<T>(w: Waiter<T>, v: T): void {
    clearTimeout(w.timer)
    w.signal.removeEventListener('abort', w.onAbort)
    w.resolve(v)
  }

  private fail(e: Error): void {
    this.failure ??= e
  }

  // ------------------------------------------------------------- sealing

  /**
   * Seal the open block now. Synchronously only its layer is frozen and the
   * next block opens on top of it (so the mini-block loop never waits); the
   * rest runs as a background job in slices of at most `sealSliceMs` between
   * which the event loop (I/O, mini-blocks) runs: state change set and undo
   * values, QMDB apply, transactions/receipts roots, chain-store records,
   * and, once the state root is durable, the header (`newHead`) and the
   * chain-store commit. Returns a promise that resolves when the block is
   * sealed and stored.
   */
  seal(explicitTimestamp?: bigint): Promise<void> {
    if (this.deferredSeal !== undefined) return this.deferredSeal
    if (this.paused) return this.sealTail
    const b = this.open
    if (!b.historyDone && this.blockHash(b.number - 1n) === undefined && this.failure === undefined) {
      // EIP-2935 needs the parent's hash, still being computed (blocks sealed
      // back to back): seal once it is known. Later calls share this one.
      const parentVisible = this.sealingBlocks.get(b.number - 1n) ?? this.sealTail
      return (this.deferredSeal = parentVisible.then(() => {
        this.deferredSeal = undefined
        return this.blockHash(b.number - 1n) === undefined ? this.sealTail : this.seal(explicitTimestamp)
      }))
    }
    this.fixTimestamp(b, explicitTimestamp)
    this.applyBeaconCall(b)
    this.applyHistoryCall(b)
    const layer = b.layer!
    b.layer = undefined
    this.frozen.set(b.number, layer)
    this.blocks.set(b.number, b)
    this.open = this.newOpenBlock(b)
    const job = this.sealTail.then(() => this.sealJob(b, layer))
    const visible = job.then(() => undefined, () => undefined)
    this.sealingBlocks.set(b.number, visible)
    this.sealTail = job.catch((e: Error) => this.fail(e))
    if (this.hasWork()) this.schedule()
    return this.sealTail
  }

  /**
   * Profiling hook: called with every slice of the background seal job
   * (block, step, start and end in `performance.now()` ms), so event-loop
   * stalls can be attributed (`BENCH_TRACE` in bench:node). Unset by default.
   */
  sealTrace: ((block: bigint, phase: string, startMs: number, endMs: number) => void) | undefined

  /** Statistics of the last completed seal (phase durations, slices), for debugging and tests. */
  get lastSeal(): SealStats | undefined {
    return this.sealStats
  }

  /** The background part of `seal` for block `b` (jobs run one after another, in block order). */
  private async sealJob(b: BlockState, layer: DiffLayer): Promise<void> {
    // behind: a later block is already sealed and waits for this job
    const trace = this.sealTrace
    const slicer = new Slicer(this.sealSliceMs, () => this.open.number > b.number + 1n, trace === undefined ? undefined : (phase, start, end) => trace(b.number, phase, start, end))
    const due = (): boolean => slicer.due
    const t0 = performance.now()
    // 1. state: undo values and change set read the parent state (QMDB holds exactly block b-1 now)
    slicer.phase = 'diff'
    const diff = layer.toDiff()
    this.sweepClearedStorage(diff)
    slicer.phase = 'undo'
    const undo = await slicer.drive(makeUndoSteps(this.stateStore.reader, diff, due))
    slicer.phase = 'history'
    await slicer.drive(this.recordHistorySteps(b.number, undo, due)) // before the state store has the block
    slicer.phase = 'state'
    const { root: rootP } = await this.stateStore.applySliced(diff, b.number, slicer)
    this.appliedHeight = b.number
    this.unfreeze(b.number, layer)
    const t1 = performance.now()
    // 2. transactions and receipts roots, bloom
    slicer.phase = 'txroot'
    if (slicer.due) await slicer.pause()
    const transactionsRoot = b.txs.length === 0 ? EMPTY_TRIE_ROOT : await slicer.drive(orderedTrieRootSteps(b.txs.map((t) => t.raw), due))
    slicer.phase = 'receipts'
    const receipts: Uint8Array[] = new Array(b.txs.length)
    const bloom = emptyBloom()
    for (let i = 0; i < b.txs.length; i++) {
      const t = b.txs[i]!
      receipts[i] = consensusReceipt(t)
      if (t.logs.length > 0) bloomOr(bloom, recordBloom(t))
      if (slicer.due) await slicer.pause()
    }
    slicer.phase = 'receiptroot'
    const receiptsRoot = b.txs.length === 0 ? EMPTY_TRIE_ROOT : await slicer.drive(orderedTrieRootSteps(receipts, due))
    const t2 = performance.now()
    // 3. chain-store records, one mini-block at a time (the previous block's commit has been issued)
    slicer.phase = 'records'
    const writer = this.store?.beginBlock(Number(b.number))
    try {
      if (writer !== undefined) {
        for (const m of b.miniBlocks) {
          const txs: MiniBlockInput['txs'] = new Array(m.txs.length)
          for (let i = 0; i < m.txs.length; i++) {
            const t = m.txs[i]!
            txs[i] = { hash: t.hash, tx: encodeTxRecord(t), receipt: encodeReceiptRecord(t), logs: t.logs.map((l) => ({ address: l.address, topics: l.topics })) }
            if (slicer.due) await slicer.pause()
          }
          writer.appendMiniBlock({ number: Number(m.number), index: m.index, hash: m.hash, header: encodeSignedMiniBlock(m.header), txs })
          if (slicer.due) await slicer.pause()
        }
      }
      const t3 = performance.now()
      // 4. the state root (Merkle hashing in QMDB's worker, then durable)
      slicer.note()
      const root = await rootP
      slicer.restart()
      slicer.phase = 'publish'
      const t4 = performance.now()
      // 5. header, publish
      const parent = this.head
      const header = this.buildHeader(b, parent.hash!, { stateRoot: root, transactionsRoot, receiptsRoot, logsBloom: bloom, timestamp: b.timestamp!, extraData: this.lastMiniHashUpTo(b) })
      const encoded = encodeHeader(header)
      const hash = keccak256(encoded)
      b.header = header
      b.hash = hash
      b.size = blockSize(encoded, b.txs.map((t) => t.raw))
      for (const t of b.txs) t.blockHash = hash
      this.hashToNumber.set(bytesToHexRaw(hash), b.number)
      this.head = b
      this.sealingBlocks.delete(b.number)
      if (this.open.number === b.number + 1n) this.applyHistoryCall(this.open)
      const view = this.blockData(b)
      for (const l of this.listeners.newHead) {
        try {
          l(view)
        } catch {
          // listeners must not stop sealing
        }
      }
      slicer.note()
      // 6. chain-store commit (durable), then drop old blocks from memory
      if (writer !== undefined) {
        await writer.commit({ number: Number(b.number), hash, header: encoded })
        slicer.restart()
        slicer.phase = 'evict'
        this.evict()
        slicer.note()
      }
      this.releaseMiniBlocks(b)
      this.sealStats = { block: b.number, txs: b.txs.length, stateMs: t1 - t0, rootsMs: t2 - t1, recordsMs: t3 - t2, rootWaitMs: t4 - t3, totalMs: performance.now() - t0, pauses: slicer.pauses, longestSliceMs: slicer.longestMs, longestSlicePhase: slicer.longestPhase }
    } catch (e) {
      if (writer !== undefined) await writer.abort().catch(() => undefined)
      throw e
    }
  }

  /**
   * A sealed block keeps only its last mini-block (the next blocks' extraData
   * and the mini-block chain need its hash) and their count: each one held
   * its header, signature, net state changes and the RPC views built for its
   * subscribers, a few KB per transaction at one transaction per mini-block,
   * kept for every recent block and all traced by each major GC. Its
   * transactions and receipts stay in `txs`; the chain store has the rest.
   */
  private releaseMiniBlocks(b: BlockState): void {
    if (b.miniCount !== undefined || b.miniBlocks.length <= 1) return
    b.miniCount = b.miniBlocks.length
    b.miniBlocks = [b.miniBlocks[b.miniBlocks.length - 1]!]
  }

  /** Block `n` is in the state store: layers that read through its frozen layer read the store directly from now on. */
  private unfreeze(n: bigint, layer: DiffLayer): void {
    this.frozen.delete(n)
    const next = this.frozen.get(n + 1n) ?? (this.open.number === n + 1n ? this.open.layer : undefined)
    if (next !== undefined && next.parent === layer) next.parent = this.stateStore.reader
  }

  /** Hash of the newest mini-block of `b` or before it (for the sealed header's extraData). */
  private lastMiniHashUpTo(b: BlockState): Uint8Array {
    if (b.miniBlocks.length > 0) return b.miniBlocks[b.miniBlocks.length - 1]!.hash
    for (let n = b.number - 1n; n >= 0n; n--) {
      const p = this.blocks.get(n)
      if (p === undefined) break
      if (p.miniBlocks.length > 0) return p.miniBlocks[p.miniBlocks.length - 1]!.hash
      if (p.header !== undefined && p.header.extraData.length === 32) return p.header.extraData
    }
    const h = this.headerOf(b.number - 1n)
    return h !== undefined && h.extraData.length === 32 ? h.extraData : ZERO32
  }

  /** Drop whole blocks that are durable in the store and older than the recent window. */
  private evict(): void {
    const keepFrom = this.head.number - BigInt(this.recentBlocks)
    for (const [n, b] of this.blocks) {
      if (n >= keepFrom || this.store === undefined || BigInt(this.store.head) < n) continue
      this.blocks.delete(n)
      if (b.hash) this.hashToNumber.delete(bytesToHexRaw(b.hash))
      for (const t of b.txs) this.txIndex.delete(bytesToHexRaw(t.hash))
    }
  }

  // --------------------------------------------------------------- submit

  /** Validate and pool a raw transaction; the mini-block loop picks it up at once. Throws `TxPoolError`. */
  submitRaw(raw: Uint8Array): AddResult {
    this.checkOpen()
    const r = this.pool.addRaw(raw)
    if (r.status === 'pending') this.schedule()
    return r
  }

  /**
   * `submitRaw` with the sender recovery batched per event-loop turn (on the
   * pool's recovery workers when configured); same results and errors.
   */
  async submitRawAsync(raw: Uint8Array): Promise<AddResult> {
    this.checkOpen()
    const r = await this.pool.addRawAsync(raw)
    if (r.status === 'pending') this.schedule()
    return r
  }

  /**
   * `submitRawAsync` for many raw transactions with one promise (a JSON-RPC
   * batch of sends): pooled in order; each result is the `AddResult` or the
   * `TxPoolError` that transaction was refused with.
   */
  async submitRawBatch(raws: readonly Uint8Array[]): Promise<(AddResult | TxPoolError)[]> {
    this.checkOpen()
    const rs = await this.pool.addRawBatch(raws)
    for (const r of rs) {
      if (!(r instanceof TxPoolError) && r.status === 'pending') {
        this.schedule()
        break
      }
    }
    return rs
  }

  /** Pool a decoded, signed transaction. */
  submit(tx: Transaction): AddResult {
    this.checkOpen()
    const r = this.pool.add(tx)
    if (r.status === 'pending') this.schedule()
    return r
  }

  /** Queue an unsigned transaction from an impersonated sender (dev mode); nonce must be the sender's next. */
  submitUnsigned(tx: Transaction, from: Uint8Array): AddResult {
    this.checkOpen()
    if (!this.impersonated.has(addrKey(from))) throw new TxPoolError('invalid-signature', `account ${bytesToHex(from)} is not impersonated`, -32003)
    const raw = encodeTransaction(tx)
    const hash = transactionHash(tx)
    if (this.txIndex.has(bytesToHexRaw(hash))) throw new TxPoolError('already-known', 'already known')
    const nonce = this.latestState().account(from)?.nonce ?? 0n
    if (tx.nonce < nonce) throw new TxPoolError('nonce-too-low', `nonce too low: next nonce ${nonce}, tx nonce ${tx.nonce}`)
    const p: PooledTransaction = { tx, hash, sender: from.slice(), raw, seq: this.seq++, receivedUs: nowMicros() }
    this.deferred.push(p)
    for (const l of this.listeners.pendingTransaction) l(p)
    this.schedule()
    return { hash, status: 'pending' }
  }

  private checkOpen(): void {
    if (this.closed) throw new ChainClosedError()
    if (this.failure) throw new ChainClosedError(`sequencer failed: ${this.failure.message}`)
  }

  /** Resolve with the record once the transaction is in a mini-block; undefined on timeout, abort or rejection. */
  waitForReceipt(hash: Uint8Array, timeoutMs: number, signal: AbortSignal): Promise<TxRecord | undefined> {
    const k = bytesToHexRaw(hash)
    const have = this.txIndex.get(k) ?? this.storedRecord(hash)
    if (have !== undefined) return Promise.resolve(have)
    if (this.rejected.has(k) || signal.aborted) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      let set = this.receiptWaiters.get(k)
      if (set === undefined) this.receiptWaiters.set(k, (set = new Set()))
      const w: Waiter<TxRecord | undefined> = {
        resolve,
        signal,
        timer: setTimeout(() => {
          set!.delete(w)
          if (set!.size === 0) this.receiptWaiters.delete(k)
          this.settle(w, undefined)
        }, timeoutMs),
        onAbort: () => {
          set!.delete(w)
          this.settle(w, undefined)
        },
      }
      signal.addEventListener('abort', w.onAbort, { once: true })
      set.add(w)
    })
  }

  /** Resolve true once `account`'s latest nonce reaches `nonce`, false on timeout or abort. */
  waitForNonce(account: Uint8Array, nonce: bigint, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    if ((this.latestState().account(account)?.nonce ?? 0n) >= nonce) return Promise.resolve(true)
    if (signal.aborted) return Promise.resolve(false)
    const k = addrKey(account)
    return new Promise((resolve) => {
      let set = this.nonceWaiters.get(k)
      if (set === undefined) this.nonceWaiters.set(k, (set = new Set()))
      const w: Waiter<boolean> & { nonce: bigint } = {
        nonce,
        resolve,
        signal,
        timer: setTimeout(() => {
          set!.delete(w)
          this.settle(w, false)
        }, timeoutMs),
        onAbort: () => {
          set!.delete(w)
          this.settle(w, false)
        },
      }
      signal.addEventListener('abort', w.onAbort, { once: true })
      set.add(w)
    })
  }

  private checkNonceWaiters(): void {
    const state = this.latestState()
    for (const [k, set] of this.nonceWaiters) {
      const n = state.account(Uint8Array.from(Buffer.from(k, 'hex')))?.nonce ?? 0n
      for (const w of set) {
        if (n >= w.nonce) {
          set.delete(w)
          this.settle(w, true)
        }
      }
      if (set.size === 0) this.nonceWaiters.delete(k)
    }
  }

  // -------------------------------------------------------------- reading

  /** Subscribe to chain events; returns the unsubscribe function. */
  on<K extends keyof ChainEventPayloads>(event: K, listener: Listener<K>): () => void {
    const set = this.listeners[event] as Set<Listener<K>>
    set.add(listener)
    return () => set.delete(listener)
  }

  /** Number of listeners for an event (the adapter skips formatting work without them). */
  listenerCount(event: keyof ChainEventPayloads): number {
    return this.listeners[event].size
  }

  /** Newest sealed block number. */
  get headNumber(): bigint {
    return this.head.number
  }

  /** Number of the open (unsealed) block. */
  get openNumber(): bigint {
    return this.open.number
  }

  /** Base fee of the open block. */
  get openBaseFee(): bigint {
    return this.open.baseFee
  }

  /** Blob base fee of the open block. */
  get openBlobBaseFee(): bigint {
    return blobBaseFeeOf(this.open.excessBlobGas, this.fork)
  }

  /** Global number of the newest mini-block (-1 before the first). */
  get miniBlockHead(): bigint {
    return this.lastMiniNumber
  }

  /** The newest mini-block state (`latest` / `pending`). */
  latestState(): StateReader {
    return this.open.layer!
  }

  /**
   * State after sealed block `n`; undefined when `n` is not sealed. Served
   * from the state history over the committed state; throws
   * StateUnavailableError for blocks older than the history (a data
   * directory written before it existed, or a history lost to a power cut).
   */
  stateAtBlock(n: bigint): StateReader | undefined {
    if (n < 0n || n > this.head.number) return undefined
    const committed = this.appliedHeight
    // while the next block is being applied (its history is already recorded), even block `committed` reads through the history
    if (n === committed && this.history.lastBlock <= Number(committed)) return this.stateStore.reader
    const oldest = this.oldestStateBlock()
    if (n < oldest) throw new StateUnavailableError(n, oldest)
    return new HistoryReader(this.history, n, this.stateStore.reader, (x) => this.blockHashForEvm(x))
  }

  /** Oldest sealed block whose state is available. */
  oldestStateBlock(): bigint {
    const first = this.history.firstBlock
    if (first < 0) return this.stateStore.height
    return first > 0 ? BigInt(first - 1) : 0n
  }

  /**
   * A deleted account's storage must go with it, but QMDB cannot enumerate
   * an account's slots: list every slot the state history ever recorded for
   * it (every stored slot was written by some recorded block) as zero; the
   * state store drops those already absent.
   */
  private sweepClearedStorage(diff: StateDiff): void {
    for (const a of diff.clearedStorage ?? []) {
      const addr = hexToBytes(a, 20)
      let m = diff.storage.get(a)
      for (const key of this.history.keysWithPrefix(storageKey(addr, 0n).subarray(0, 21))) {
        const slot = bytesToBigInt(key.subarray(21, 53))
        if (m?.has(slot)) continue
        if (m === undefined) diff.storage.set(a, (m = new Map()))
        m.set(slot, 0n)
      }
    }
  }

  /** Record block `n`'s prior values (its undo map) in the state history, before the state store has the block. */
  private recordHistory(n: bigint, undo: UndoMap): void {
    const g = this.recordHistorySteps(n, undo, () => false)
    while (g.next().done !== true) {
      // runs to the end
    }
  }

  /** `recordHistory` as a generator yielding when `pause()` says so (the seal's slices). */
  private *recordHistorySteps(n: bigint, undo: UndoMap, pause: () => boolean): Generator<void, void, void> {
    const entries: HistoryEntry[] = []
    for (const [a, info] of undo.accounts) {
      entries.push({ key: accountKey(hexToBytes('0x' + a, 20)), prior: info === undefined ? null : encodeAccount(info) })
      if ((entries.length & 255) === 0 && pause()) yield
    }
    for (const [a, slots] of undo.storage) {
      const addr = hexToBytes('0x' + a, 20)
      for (const [slot, v] of slots) entries.push({ key: storageKey(addr, slot), prior: v === 0n ? null : bigIntToBytes(v, 32) })
      if (pause()) yield
    }
    yield* this.history.appendSteps(Number(n), entries, pause)
    if (this.store !== undefined) this.history.sync().catch((e: Error) => this.fail(e))
  }

  /** True when the state store can produce QMDB proofs (persistent chains). */
  get canProve(): boolean {
    return this.stateStore.prove !== undefined
  }

  /**
   * QMDB proofs of `address` and its `slots` against the state root of the
   * newest sealed block (or of `blockNumber`, which must be that block: only
   * the head state is kept in QMDB). Waits until every sealed block is
   * durable and published, so the answer names a block whose header carries
   * the proved root. Throws `ProofUnavailableError` for in-memory chains and
   * older blocks.
   */
  async proveState(address: Uint8Array, slots: readonly bigint[], blockNumber?: bigint): Promise<StateProof & { blockHash: Uint8Array }> {
    this.checkOpen()
    const store = this.stateStore
    if (store.prove === undefined) throw new ProofUnavailableError('state proofs need a QMDB-backed chain (start the node with a data directory)')
    for (;;) {
      await this.sealTail
      const proof = await store.prove(address, slots)
      // a block sealed meanwhile: its header may not be published yet
      if (proof.blockNumber !== this.head.number) continue
      if (store.rewoundAt === proof.blockNumber) throw new ProofUnavailableError(`block ${proof.blockNumber}'s state was restored by evm_revert; proofs resume with the next block`)
      if (blockNumber !== undefined && blockNumber !== proof.blockNumber) {
        throw new ProofUnavailableError(`proofs are served for the latest sealed block only (${proof.blockNumber}); the state of block ${blockNumber} is not retained in QMDB`)
      }
      if (!equalBytes(proof.root, this.head.header!.stateRoot)) throw new ChainCorruptionError(`QMDB root ${bytesToHex(proof.root)} differs from block ${proof.blockNumber}'s state root`)
      return { ...proof, blockHash: this.head.hash! }
    }
  }

  /** Hash of sealed block `n`. */
  blockHash(n: bigint): Uint8Array | undefined {
    if (n < 0n || n > this.head.number) return undefined
    const b = this.blocks.get(n)
    if (b !== undefined) return b.hash
    const h = this.store?.read((s) => s.getBlockHash(Number(n)))
    return h
  }

  /** Number of the sealed block with this hash. */
  blockNumberOf(hash: Uint8Array): bigint | undefined {
    const n = this.hashToNumber.get(bytesToHexRaw(hash))
    if (n !== undefined) return n
    const b = this.store?.read((s) => s.getBlockByHash(hash))
    return b === undefined ? undefined : BigInt(b.number)
  }

  private headerOf(n: bigint): BlockHeader | undefined {
    if (n < 0n || n > this.head.number) return undefined
    const b = this.blocks.get(n)
    if (b?.header !== undefined) return b.header
    const s = this.store?.read((x) => x.getBlock(Number(n)))
    return s === undefined ? undefined : decodeHeader(s.header)
  }

  private blockData(b: BlockState): ChainBlockData {
    return { number: b.number, header: b.header!, hash: b.hash!, size: b.size, txs: b.txs, miniBlockCount: BigInt(b.miniCount ?? b.miniBlocks.length), miniBlockOffset: b.miniOffset }
  }

  /** A sealed block by number. */
  getBlock(n: bigint): ChainBlockData | undefined {
    if (n < 0n || n > this.head.number) return undefined
    const b = this.blocks.get(n)
    if (b?.hash !== undefined) return this.blockData(b)
    if (this.store === undefined) return undefined
    return this.store.read((s) => {
      const sb = s.getBlock(Number(n))
      if (sb === undefined) return undefined
      const header = decodeHeader(sb.header)
      const stx = s.getBlockTransactions(Number(n))
      const src = s.getBlockReceipts(Number(n))
      const txs = stx.map((t, i) => {
        const r = src[i]!
        return decodeStoredRecord(t.tx, r.receipt, { hash: t.hash, blockNumber: n, blockHash: sb.hash, blockTimestamp: header.timestamp, baseFee: header.baseFeePerGas ?? 0n, txIndex: t.txIndex, miniBlockNumber: BigInt(t.miniBlockNumber), firstLogIndex: r.firstLogIndex })
      })
      return { number: n, header, hash: sb.hash, size: blockSize(sb.header, txs.map((t) => t.raw)), txs, miniBlockCount: BigInt(sb.miniCount), miniBlockOffset: BigInt(sb.miniCount > 0 ? sb.firstMini : Math.max(0, sb.firstMini)) }
    })
  }

  /** The open block as a pending block: a header with placeholder roots and no hash. */
  pendingBlock(): { header: BlockHeader; txs: TxRecord[]; miniBlockCount: bigint; miniBlockOffset: bigint } {
    const b = this.open
    const env = this.openBlockEnv()
    const header = this.buildHeader(b, this.head.hash!, { stateRoot: ZERO32, transactionsRoot: ZERO32, receiptsRoot: ZERO32, logsBloom: emptyBloom(), timestamp: env.timestamp, extraData: new Uint8Array(0) })
    return { header, txs: b.txs, miniBlockCount: BigInt(b.miniBlocks.length), miniBlockOffset: b.miniOffset }
  }

  /** The Ethereum header of block `b` (sealed, or pending with placeholder roots): the fields every block shares, plus those given. */
  private buildHeader(
    b: BlockState,
    parentHash: Uint8Array,
    f: Pick<BlockHeader, 'stateRoot' | 'transactionsRoot' | 'receiptsRoot' | 'logsBloom' | 'timestamp' | 'extraData'>,
  ): BlockHeader {
    return withForkFields(
      {
        parentHash,
        ommersHash: EMPTY_OMMERS_HASH,
        coinbase: this.coinbase,
        ...f,
        difficulty: 0n,
        number: b.number,
        gasLimit: b.gasLimit,
        gasUsed: b.gasUsed,
        mixHash: b.prevRandao,
        nonce: new Uint8Array(8),
        baseFeePerGas: b.baseFee,
        blobGasUsed: b.blobGasUsed,
        excessBlobGas: b.excessBlobGas,
      },
      this.fork,
    )
  }

  /** An executed transaction by hash (in a mini-block or sealed), or undefined. */
  getRecord(hash: Uint8Array): TxRecord | undefined {
    return this.txIndex.get(bytesToHexRaw(hash)) ?? this.storedRecord(hash)
  }

  private storedRecord(hash: Uint8Array): TxRecord | undefined {
    if (this.store === undefined) return undefined
    return this.store.read((s) => {
      const t = s.getTransaction(hash)
      if (t === undefined) return undefined
      const r = s.getReceipt(hash)!
      const sb = s.getBlock(t.blockNumber)!
      const header = decodeHeader(sb.header)
      return decodeStoredRecord(t.tx, r.receipt, { hash: t.hash, blockNumber: BigInt(t.blockNumber), blockHash: t.blockHash, blockTimestamp: header.timestamp, baseFee: header.baseFeePerGas ?? 0n, txIndex: t.txIndex, miniBlockNumber: BigInt(t.miniBlockNumber), firstLogIndex: r.firstLogIndex })
    })
  }

  /** Records of the open block (unsealed). */
  openRecords(): TxRecord[] {
    return this.open.txs
  }

  /** Logs matching a query; blocks past the sealed head include the open block's mini-blocks. */
  getLogs(q: ChainLogQuery): ChainLog[] {
    const out: ChainLog[] = []
    const to = q.toBlock > this.open.number ? this.open.number : q.toBlock
    // blocks held in memory form a contiguous tail [memLow, open]
    let memLow = this.open.number
    for (const n of this.blocks.keys()) if (n < memLow) memLow = n
    if (this.store === undefined) memLow = 0n
    if (this.store !== undefined && q.fromBlock < memLow) {
      const storeTo = to < memLow - 1n ? to : memLow - 1n
      const headers = new Map<number, BlockHeader>()
      const matches = this.store.read((s) =>
        s.getLogs({
          fromBlock: Number(q.fromBlock),
          toBlock: Number(storeTo),
          ...(q.addresses.length > 0 ? { address: q.addresses } : {}),
          ...(q.topics.length > 0 ? { topics: q.topics } : {}),
        }).map((m) => {
          let h = headers.get(m.blockNumber)
          if (h === undefined) headers.set(m.blockNumber, (h = decodeHeader(s.getBlock(m.blockNumber)!.header)))
          return { m, ts: h.timestamp }
        }),
      )
      for (const { m, ts } of matches) {
        const l = receiptRecordLogs(m.receipt)[m.logIndexInTx]!
        out.push({ address: l.address, topics: l.topics, data: l.data, blockNumber: BigInt(m.blockNumber), blockHash: m.blockHash, blockTimestamp: ts, transactionHash: m.txHash, transactionIndex: m.txIndex, logIndex: m.logIndex })
      }
    }
    for (let n = q.fromBlock > memLow ? q.fromBlock : memLow; n <= to; n++) {
      const b = n === this.open.number ? this.open : this.blocks.get(n)
      if (b === undefined) continue
      for (const t of b.txs) {
        t.logs.forEach((l, i) => {
          if (!matchLog(l, q.addresses, q.topics)) return
          out.push({ address: l.address, topics: l.topics, data: l.data, blockNumber: n, blockHash: t.blockHash ?? ZERO32, blockTimestamp: t.blockTimestamp, transactionHash: t.hash, transactionIndex: t.txIndex, logIndex: t.firstLogIndex + i })
        })
      }
    }
    return out
  }

  // ------------------------------------------------------------ dev mode

  /** Apply a dev-mode state edit to the newest state (anvil_set*). */
  applyDevDiff(diff: StateDiff): void {
    const layer = this.open.layer!
    layer.apply(diff)
    this.open.devEdited = true
  }

  /** Set fields of an account in the newest state. */
  setAccountFields(address: Uint8Array, f: { balance?: bigint; nonce?: bigint; code?: Uint8Array }): void {
    const cur: AccountInfo = this.latestState().account(address) ?? { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }
    const d = emptyDiff()
    const next: AccountInfo = { nonce: f.nonce ?? cur.nonce, balance: f.balance ?? cur.balance, codeHash: cur.codeHash }
    if (f.code !== undefined) {
      next.codeHash = f.code.length === 0 ? KECCAK_EMPTY : keccak256(f.code)
      if (f.code.length > 0) d.codes.set(bytesToHex(next.codeHash), f.code)
    }
    d.accounts.set(bytesToHex(address), next)
    this.applyDevDiff(d)
  }

  /** Set one storage slot in the newest state (creates the account when absent). */
  setStorageAt(address: Uint8Array, slot: bigint, value: bigint): void {
    const d = emptyDiff()
    const cur = this.latestState().account(address)
    if (cur === undefined) d.accounts.set(bytesToHex(address), { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY })
    d.storage.set(bytesToHex(address), new Map([[slot, value]]))
    this.applyDevDiff(d)
  }

  /**
   * Take a snapshot; returns its id (0, 1, … as anvil). A snapshot sits on a
   * block boundary: when the open block holds transactions or dev edits it
   * is sealed first (so `eth_blockNumber` may grow by one).
   */
  async snapshot(): Promise<bigint> {
    this.checkOpen()
    while (!this.open.full && this.hasWork() && this.runMiniBlock() !== undefined) {
      // executable transactions belong before the snapshot
    }
    if (this.open.txs.length > 0 || this.open.devEdited) await this.seal()
    await this.deferredSeal
    await this.sealTail
    const id = this.nextSnapshotId++
    this.snapshots.set(id, this.head.number)
    return id
  }

  /**
   * Revert the chain to a snapshot, as anvil does: blocks after the
   * snapshot's block are removed (also from the chain store on disk, so they
   * do not come back after a restart), the state returns to that block's
   * (one QMDB commit of the prior values from the state history, marked as a
   * rewind), the open block restarts empty, and the snapshot and later ones
   * are dropped. Pooled transactions stay pooled.
   */
  async revert(id: bigint): Promise<boolean> {
    this.checkOpen()
    const target = this.snapshots.get(id)
    if (target === undefined) return false
    this.paused = true
    try {
      await this.deferredSeal
      await this.sealTail
      if (this.failure) throw this.failure
      await this.rewindTo(target)
    } finally {
      this.paused = false
    }
    for (const s of [...this.snapshots.keys()]) if (s >= id) this.snapshots.delete(s)
    if (this.autoSeal && !this.closed) {
      if (this.timer) clearTimeout(this.timer)
      this.armTimer()
    }
    if (this.hasWork()) this.schedule()
    return true
  }

  /** Make sealed block `n` (≤ head, all seals durable) the head again, with its state. */
  private async rewindTo(n: bigint): Promise<void> {
    const state = this.stateAtBlock(n)!
    // Every key changed after n (sealed blocks, and the open block) back to its value at n.
    const d = emptyDiff()
    const setAccount = (addr: Uint8Array): void => {
      d.accounts.set(bytesToHex(addr), state.account(addr) ?? null)
    }
    const setSlot = (addr: Uint8Array, slot: bigint): void => {
      const k = bytesToHex(addr)
      let m = d.storage.get(k)
      if (m === undefined) d.storage.set(k, (m = new Map()))
      m.set(slot, state.storage(addr, slot))
    }
    for (const key of this.history.keysAfter(Number(n))) {
      if (key[0] === ACCOUNT_PREFIX) setAccount(key.subarray(1, 21))
      else if (key[0] === STORAGE_PREFIX) setSlot(key.subarray(1, 21), bytesToBigInt(key.subarray(21, 53)))
    }
    const layer = this.open.layer!
    for (const k of layer.accounts.keys()) setAccount(hexToBytes('0x' + k, 20))
    for (const [k, slots] of layer.storageMap) for (const slot of slots.keys()) setSlot(hexToBytes('0x' + k, 20), slot)
    const reverting = this.head.number > n
    if (reverting) await this.stateStore.rewind(d, n)
    this.appliedHeight = n
    this.history.truncateAfter(Number(n))
    // drop the removed blocks and the open block from memory
    for (const t of this.open.txs) this.txIndex.delete(bytesToHexRaw(t.hash))
    for (const [k, b] of this.blocks) {
      if (k <= n) continue
      this.blocks.delete(k)
      if (b.hash) this.hashToNumber.delete(bytesToHexRaw(b.hash))
      for (const t of b.txs) this.txIndex.delete(bytesToHexRaw(t.hash))
    }
    let head = this.blocks.get(n)
    if (this.store !== undefined && reverting) {
      const dir = join(this.opts.dataDir!, 'chain')
      await this.store.close()
      rewindChainStore(dir, Number(n))
      this.store = await ChainStore.open(dir)
    }
    if (this.store !== undefined) {
      const stored = this.store.read((s) => s.getBlock(Number(n)))
      if (stored === undefined) throw new ChainCorruptionError(`block ${n} missing after revert`)
      head ??= this.sealedState(decodeHeader(stored.header), stored.hash, [], [], BigInt(stored.firstMini < 0 ? 0 : stored.firstMini), blockSize(stored.header, []))
      this.lastMiniNumber = this.nextMiniFromStore(stored) - 1n
    } else {
      this.lastMiniNumber = head!.miniOffset + BigInt(head!.miniCount ?? head!.miniBlocks.length) - 1n
    }
    this.head = head!
    this.lastMiniHash = this.head.header!.extraData.length === 32 ? this.head.header!.extraData.slice() : ZERO32
    this.open = this.newOpenBlock(this.head)
    // without a rewind (no block since the snapshot) the open block's changes are simply dropped
  }

  /** Seal `count` blocks now (pending transactions first); the first at `timestamp` when given. */
  async mine(count: bigint, timestamp?: bigint): Promise<void> {
    for (let i = 0n; i < count; i++) {
      while (!this.open.full && this.hasWork() && this.runMiniBlock() !== undefined) {
        // drain executable transactions into the block being mined
      }
      await this.seal(i === 0n ? timestamp : undefined)
    }
  }

  /** Move the clock forward; returns the total offset in seconds. */
  increaseTime(seconds: bigint): bigint {
    this.timeOffset += seconds
    return this.timeOffset
  }

  /** Timestamp the next block (not yet timestamped) will get. */
  setNextBlockTimestamp(ts: bigint): void {
    this.nextTimestamp = ts
  }

  /** Start/stop impersonating an account; check it. */
  impersonate(address: Uint8Array, on: boolean): void {
    if (on) this.impersonated.add(addrKey(address))
    else this.impersonated.delete(addrKey(address))
  }
  /** True while `address` is impersonated. */
  isImpersonated(address: Uint8Array): boolean {
    return this.impersonated.has(addrKey(address))
  }

  /** Wait until every sealed block is durable. */
  async flush(): Promise<void> {
    await this.sealTail
  }

  /**
   * Stop: execute what is executable, seal the open block when it holds
   * transactions (so restart resumes with them), wait for durability, close
   * the stores.
   */
  async close(): Promise<void> {
    if (this.closed) return
    if (this.timer) clearTimeout(this.timer)
    if (this.failure === undefined) {
      while (!this.open.full && this.hasWork() && this.runMiniBlock() !== undefined) {
        // drain
      }
      if (this.open.txs.length > 0 || this.open.devEdited) this.seal()
    }
    this.closed = true
    await this.deferredSeal
    await this.sealTail
    for (const set of this.receiptWaiters.values()) for (const w of set) this.settle(w, undefined)
    for (const set of this.nonceWaiters.values()) for (const w of set) this.settle(w, false)
    this.receiptWaiters.clear()
    this.nonceWaiters.clear()
    await this.pool.close()
    await this.stateStore.close()
    await this.history.close()
    await this.store?.close()
  }
}

function matchLog(l: Log, addresses: readonly Uint8Array[], topics: readonly (Uint8Array[] | null)[]): boolean {
  if (addresses.length > 0 && !addresses.some((a) => equalBytes(a, l.address))) return false
  for (let i = 0; i < topics.length; i++) {
    const want = topics[i]
    if (want === null || want === undefined) continue
    const got = l.topics[i]
    if (got === undefined || !want.some((t) => equalBytes(t, got))) return false
  }
  return true
}

