/**
 * ChainStore: Tachyon's write-optimised store for chain history (blocks,
 * mini-blocks, transactions, receipts, logs) replacing a B-tree database.
 *
 * Writes are appended to three streams of segment files (chain headers,
 * transactions, receipts) in checksummed, zstd-compressed batches; every byte
 * is written once (write amplification ≈ 1, below 1 after compression). A
 * block is the atomic unit: mini-block records are appended as the node
 * produces them, and `BlockWriter.commit` seals the streams, fdatasyncs them
 * in parallel, then appends and fdatasyncs a 64-byte record to `commit.log`.
 * Only when that returns is the block visible and durable. On open, the
 * segments are cut back to the last valid commit record (a torn tail is
 * dropped) and the in-memory indices are rebuilt from the log.
 *
 * Indices live in memory as packed columns and fingerprint hash tables:
 * block number → block record, block hash → number, mini-block number →
 * record, tx hash → ordinal → tx and receipt records, and an inverted
 * address/topic → blocks index for `getLogs`. Readers take a `Snapshot` (the
 * bounds of one commit) and see exactly that commit, however many blocks are
 * committed after; reads are synchronous `pread`s and never wait on a writer.
 */
import * as fs from 'node:fs'
import { join } from 'node:path'
import { BytesColumn, F64Column, U32Column } from './columns.js'
import { CorruptCommitLogError, CorruptSegmentError, InvalidRecordError, LogQueryLimitError, StoreStateError } from './errors.js'
import {
  BLOCK_FIXED,
  COMMIT_RECORD_SIZE,
  MINI_FIXED,
  RECORD_PREFIX,
  SEGMENT_HEADER_SIZE,
  REC_BLOCK,
  REC_MINI,
  REC_RECEIPT,
  REC_TX,
  STREAM_CHAIN,
  STREAM_COUNT,
  STREAM_RECEIPTS,
  STREAM_TXS,
  decodeCommitRecord,
  encodeCommitRecord,
  parseSegmentFileName,
  segmentFileName,
  readU32,
  readU64,
  writeU32,
  writeU64,
  type BatchHeader,
  type CommitRecord,
} from './format.js'
import { HashMultiIndex, TAG_BLOCK, TAG_TX, fingerprint } from './hashIndex.js'
import { PostingIndex, TAG_ADDRESS, TAG_TOPIC, intersectSorted, matchesLog, normalizeFilter, type LogFilter, type LogKey } from './logIndex.js'
import { Stream, type Segment, type StreamStats } from './stream.js'
import { startWriter, type WriterHost } from './writerHost.js'
import { CHECKPOINT_FILE, encodeCheckpoint, readCheckpoint, writeCheckpoint, type Section } from './checkpoint.js'

export type { LogFilter, LogKey } from './logIndex.js'


/** Options of `ChainStore.open`. */
export interface ChainStoreOptions {
  /** Raw bytes per batch before it is sealed (default 64 KiB). */
  batchBytes?: number
  /** Segment file size at which a new segment starts (default 64 MiB). */
  segmentBytes?: number
  /** zstd level, 0 = no compression (default 1). */
  compressionLevel?: number
  /** Decoded-batch read cache per stream in bytes (default 16 MiB). */
  cacheBytes?: number
  /** Default maximum number of logs a `getLogs` call may return (default 10,000). */
  logQueryLimit?: number
  /** Run the writer (compression, writes, fsyncs) in a worker thread (default true; false runs it on the caller's thread). */
  compressInWorker?: boolean
  /** Per-stream overrides of `batchBytes` and `compressionLevel`. */
  streams?: { chain?: StreamTuning; txs?: StreamTuning; receipts?: StreamTuning }
  /**
   * How a commit reaches the disk (default 'parallel'): the segments and the
   * commit record are synced at the same time, one disk round trip, and
   * recovery drops a last commit whose data is missing (its `commit` never
   * returned). 'ordered' syncs the record only after the data (two round
   * trips), for file systems that may expose garbage in unsynced appended
   * blocks after a power loss.
   */
  commitSync?: 'parallel' | 'ordered'
  /**
   * Write an index checkpoint (`index.ckpt`) once at least this many blocks
   * (and at least as many as the checkpointed index held: checkpoints get
   * rarer as the index grows, so their total size stays about twice the
   * final index) were committed since the last one, and on close. `open`
   * loads it and replays only later batches. 0: never write one. Default 4096.
   */
  checkpointBlocks?: number
}

/** Index checkpoint activity, in `stats()`. */
export interface CheckpointStats {
  /** Commit seq of the checkpoint `open` loaded. */
  loadedSeq?: number
  /** Blocks replayed from the segments after loading it. */
  replayedBlocks?: number
  /** Why a checkpoint on disk was not used (torn, damaged, older than a prune, …). */
  ignored?: string
  /** Checkpoints written by this process, and their bytes. */
  written: number
  bytes: number
  /** The last checkpoint write that failed (the store keeps working; the next open replays more). */
  error?: string
}

/** Batch size and compression of one stream. */
export interface StreamTuning {
  /** Raw bytes per batch. */
  batchBytes?: number
  /** zstd level: 0 stores raw, negative levels are zstd's fast modes. */
  compressionLevel?: number
}

/**
 * Defaults per stream (chain, txs, receipts) when neither the stream nor the
 * global option says. Transactions are mostly signatures, hashes and
 * calldata (zstd saves ~40% at ~200 MB/s of CPU); they are stored raw in
 * small batches, so a lookup by hash reads and checks 8 KiB and decodes
 * nothing (16 KiB batches doubled the p99 of lookups under writes). Receipts (blooms, repeated topics) compress to ~27% at zstd's
 * fast level -1 (as well as level 1 does, and faster); 32 KiB batches keep a
 * receipt lookup's decompression near 20 µs (64 KiB: ~26%, ~50 µs).
 */
const STREAM_DEFAULTS: Required<StreamTuning>[] = [
  { batchBytes: 64 * 1024, compressionLevel: 1 },
  { batchBytes: 8 * 1024, compressionLevel: 0 },
  { batchBytes: 32 * 1024, compressionLevel: -1 },
]

/** One transaction with its receipt, as the node hands it to the store. */
export interface TxInput {
  /** 32-byte transaction hash. */
  hash: Uint8Array
  /** Encoded transaction (the caller's encoding, stored as is). */
  tx: Uint8Array
  /** Encoded receipt (stored as is). */
  receipt: Uint8Array
  /** Address and topics of each log of the receipt, in order (feeds the log index). */
  logs: LogKey[]
}

/** One mini-block and its transactions. */
export interface MiniBlockInput {
  /** Global mini-block number (consecutive across blocks). */
  number: number
  /** Index within its EVM block (0, 1, …). */
  index: number
  /** 32-byte mini-block hash. */
  hash: Uint8Array
  /** Encoded mini-block header. */
  header: Uint8Array
  txs: TxInput[]
}

/** The sealed EVM block closing a `BlockWriter`. */
export interface BlockInput {
  number: number
  /** 32-byte block hash. */
  hash: Uint8Array
  /** Encoded block header. */
  header: Uint8Array
}

/** A committed block as read back. */
export interface StoredBlock {
  number: number
  hash: Uint8Array
  header: Uint8Array
  /** Global ordinal of the block's first transaction. */
  firstTx: number
  txCount: number
  /** Number of its first mini-block (the next mini-block number when it has none). */
  firstMini: number
  miniCount: number
  logCount: number
}

/** A committed mini-block as read back. */
export interface StoredMiniBlock {
  number: number
  blockNumber: number
  index: number
  hash: Uint8Array
  header: Uint8Array
  firstTx: number
  txCount: number
}

/** A committed transaction with its position. */
export interface StoredTransaction {
  hash: Uint8Array
  tx: Uint8Array
  blockNumber: number
  blockHash: Uint8Array
  /** Index within the EVM block. */
  txIndex: number
  miniBlockNumber: number
  /** Global ordinal (0 for the first transaction ever stored). */
  ordinal: number
}

/** A committed receipt with its position and log keys. */
export interface StoredReceipt {
  txHash: Uint8Array
  receipt: Uint8Array
  logs: LogKey[]
  blockNumber: number
  blockHash: Uint8Array
  txIndex: number
  miniBlockNumber: number
  /** Block-wide index of the receipt's first log. */
  firstLogIndex: number
}

/** One log matched by `getLogs`; `receipt` holds its data (the store does not decode receipts). */
export interface LogMatch {
  blockNumber: number
  blockHash: Uint8Array
  txHash: Uint8Array
  txIndex: number
  /** Block-wide log index. */
  logIndex: number
  /** Index of the log inside its receipt. */
  logIndexInTx: number
  address: Uint8Array
  topics: Uint8Array[]
  /** The encoded receipt containing the log (shared, do not modify). */
  receipt: Uint8Array
}

/** Result of `prune`. */
export interface PruneResult {
  /** Oldest block still readable by new snapshots. */
  horizon: number
  /** Segment files removed (now or once older snapshots are released). */
  segmentsDropped: number
  /** Their total size in bytes. */
  bytesDropped: number
}

/** Counters for monitoring and the benchmark. */
export interface ChainStoreStats {
  head: number
  horizon: number
  blocks: number
  transactions: number
  miniBlocks: number
  logKeys: number
  streams: StreamStats[]
  /** Bytes written to commit.log by this process. */
  commitBytes: number
  /** Bytes of the in-memory indices (approximate). */
  indexBytes: number
  /** Set when `open` dropped a torn last commit (one whose `commit` call never returned): what was found. */
  droppedTornCommit?: string
  /** Index checkpoints loaded and written. */
  checkpoint: CheckpointStats
}

/** Bounds of one commit: what a snapshot can see. */
interface View {
  seq: number
  head: number
  horizon: number
  txEnd: number
  miniEnd: number
}

/** A consistent read view: everything committed up to one commit, nothing after. Release it when done. */
export class Snapshot {
  private released = false
  /** @internal */
  constructor(
    private readonly store: ChainStore,
    /** The commit bounds this snapshot sees. */
    readonly view: Readonly<View>,
  ) {}

  /** Sequence number of the commit this snapshot sees. */
  get seq(): number {
    return this.view.seq
  }
  /** Newest visible block number, -1 when the store is empty. */
  get head(): number {
    return this.view.head
  }
  /** Oldest visible block number. */
  get horizon(): number {
    return this.view.horizon
  }

  private v(): View {
    if (this.released) throw new StoreStateError('snapshot used after release()')
    return this.view
  }

  /** Block by number. */
  getBlock(n: number): StoredBlock | undefined {
    return this.store.readBlock(this.v(), n)
  }
  /** Block by hash. */
  getBlockByHash(hash: Uint8Array): StoredBlock | undefined {
    const n = this.store.findBlockNumber(this.v(), hash)
    return n < 0 ? undefined : this.store.readBlock(this.view, n)
  }
  /** Hash of block `n` without reading its record. */
  getBlockHash(n: number): Uint8Array | undefined {
    return this.store.blockHash(this.v(), n)
  }
  /** Mini-block by global number. */
  getMiniBlock(n: number): StoredMiniBlock | undefined {
    return this.store.readMiniBlock(this.v(), n)
  }
  /** Mini-blocks of block `n`, in order. */
  getBlockMiniBlocks(n: number): StoredMiniBlock[] {
    const b = this.getBlock(n)
    if (!b) return []
    const out: StoredMiniBlock[] = []
    for (let i = 0; i < b.miniCount; i++) out.push(this.store.readMiniBlock(this.view, b.firstMini + i)!)
    return out
  }
  /** Transaction by hash. */
  getTransaction(hash: Uint8Array): StoredTransaction | undefined {
    const ord = this.store.findTx(this.v(), hash)
    return ord < 0 ? undefined : this.store.readTx(this.view, ord)
  }
  /** Transaction by block number and index. */
  getTransactionByIndex(blockNumber: number, index: number): StoredTransaction | undefined {
    const b = this.getBlock(blockNumber)
    if (!b || index < 0 || index >= b.txCount) return undefined
    return this.store.readTx(this.view, b.firstTx + index)
  }
  /** Transactions of block `n`, in order. */
  getBlockTransactions(n: number): StoredTransaction[] {
    const b = this.getBlock(n)
    if (!b) return []
    const out: StoredTransaction[] = []
    for (let i = 0; i < b.txCount; i++) out.push(this.store.readTx(this.view, b.firstTx + i))
    return out
  }
  /** Receipt by transaction hash. */
  getReceipt(txHash: Uint8Array): StoredReceipt | undefined {
    const ord = this.store.findTx(this.v(), txHash)
    return ord < 0 ? undefined : this.store.readReceipt(this.view, ord)
  }
  /** Receipts of block `n`, in order. */
  getBlockReceipts(n: number): StoredReceipt[] {
    const b = this.getBlock(n)
    if (!b) return []
    const out: StoredReceipt[] = []
    for (let i = 0; i < b.txCount; i++) out.push(this.store.readReceipt(this.view, b.firstTx + i))
    return out
  }
  /** Logs matching `filter` in visible blocks, ordered by block then log index. */
  getLogs(filter: LogFilter): LogMatch[] {
    return this.store.queryLogs(this.v(), filter)
  }
  /** End the snapshot (lets pruning close the files it pinned). Idempotent. */
  release(): void {
    if (this.released) return
    this.released = true
    this.store.releaseSnapshot(this)
  }
}

/** Staged (not yet committed) index entries of one block, in typed columns. */
class Staged {
  miniPos = new F64Column(128)
  miniOff = new U32Column(128)
  miniFirstTx = new F64Column(128)
  txPos = new F64Column(2048)
  txOff = new U32Column(2048)
  rcPos = new F64Column(2048)
  rcOff = new U32Column(2048)
  logStart = new U32Column(2048)
  /** Number of log addresses and topics (the writer fingerprints them). */
  logKeys = 0

  /** Empty it for reuse by another block (the store keeps a couple, so blocks allocate no staging memory). */
  reset(): void {
    this.miniPos.length = this.miniOff.length = this.miniFirstTx.length = 0
    this.txPos.length = this.txOff.length = this.rcPos.length = this.rcOff.length = this.logStart.length = 0
    this.logKeys = 0
  }
}

/**
 * Writes one EVM block. Append mini-blocks as they are produced (their bytes
 * go to the segment files right away, unsynced), then `commit` once: durable
 * and visible when it resolves, all or nothing.
 */
export class BlockWriter {
  private done = false
  private nextMini: number
  private nextTx: number
  private miniCount = 0
  private logCount = 0
  private readonly firstTx: number
  /** Number of the block's first mini-block; -1 while unknown (a store that has never seen one). */
  private firstMini: number

  /** @internal */
  constructor(
    private readonly store: ChainStore,
    private readonly streams: Stream[],
    /** Number of the block being written. */
    readonly number: number,
    firstTx: number,
    firstMini: number,
    private readonly staged: Staged,
  ) {
    this.firstTx = this.nextTx = firstTx
    this.firstMini = this.nextMini = firstMini
  }

  /** Number of mini-blocks appended so far. */
  get miniBlockCount(): number {
    return this.miniCount
  }
  /** Number of transactions appended so far. */
  get transactionCount(): number {
    return this.nextTx - this.firstTx
  }

  /** Append one mini-block and its transactions/receipts (written now, durable at `commit`). */
  appendMiniBlock(mb: MiniBlockInput): void {
    this.check()
    need32(mb.hash, 'mini-block hash')
    if (this.nextMini >= 0 && mb.number !== this.nextMini) throw new InvalidRecordError(`mini-block number ${mb.number}, expected ${this.nextMini}`)
    if (mb.index !== this.miniCount) throw new InvalidRecordError(`mini-block index ${mb.index}, expected ${this.miniCount}`)
    for (const t of mb.txs) {
      need32(t.hash, 'transaction hash')
      for (const l of t.logs) {
        if (l.address.length !== 20) throw new InvalidRecordError(`log address of ${l.address.length} bytes`)
        if (l.topics.length > 4) throw new InvalidRecordError(`log with ${l.topics.length} topics`)
        for (const tp of l.topics) if (tp.length !== 32) throw new InvalidRecordError(`log topic of ${tp.length} bytes`)
      }
    }
    const [chain, txs, rcs] = this.streams as [Stream, Stream, Stream]
    const st = this.staged
    const n = this.number
    if (this.miniCount === 0) this.firstMini = mb.number
    const firstTx = this.nextTx
    for (const t of mb.txs) {
      const ord = this.nextTx++
      let off = txs.reserve(REC_TX, 32 + t.tx.length, ord, n)
      let b = txs.buffer
      b.set(t.hash, off)
      b.set(t.tx, off + 32)
      st.txPos.push(txs.lastBatch)
      st.txOff.push(txs.lastOff)

      let logBytes = 2
      for (const l of t.logs) logBytes += 21 + 32 * l.topics.length
      off = rcs.reserve(REC_RECEIPT, 32 + logBytes + t.receipt.length, ord, n)
      b = rcs.buffer
      b.set(t.hash, off)
      off += 32
      b[off] = t.logs.length & 0xff
      b[off + 1] = t.logs.length >>> 8
      off += 2
      for (const l of t.logs) {
        b.set(l.address, off)
        b[off + 20] = l.topics.length
        off += 21
        for (const tp of l.topics) {
          b.set(tp, off)
          off += 32
        }
        st.logKeys += 1 + l.topics.length
      }
      b.set(t.receipt, off)
      st.rcPos.push(rcs.lastBatch)
      st.rcOff.push(rcs.lastOff)
      st.logStart.push(this.logCount)
      this.logCount += t.logs.length
    }
    const off = chain.reserve(REC_MINI, MINI_FIXED + mb.header.length, 0, n)
    const b = chain.buffer
    writeU64(b, off, mb.number)
    writeU64(b, off + 8, n)
    writeU32(b, off + 16, mb.index)
    writeU64(b, off + 20, firstTx)
    writeU32(b, off + 28, mb.txs.length)
    b.set(mb.hash, off + 32)
    b.set(mb.header, off + MINI_FIXED)
    st.miniPos.push(chain.lastBatch)
    st.miniOff.push(chain.lastOff)
    st.miniFirstTx.push(firstTx)
    this.nextMini = mb.number + 1
    this.miniCount++
  }

  /** Seal the block: durable and visible to new snapshots when the promise resolves. */
  async commit(block: BlockInput): Promise<void> {
    this.check()
    if (block.number !== this.number) throw new InvalidRecordError(`block number ${block.number}, writer opened for ${this.number}`)
    need32(block.hash, 'block hash')
    this.done = true
    const chain = this.streams[STREAM_CHAIN]!
    const off = chain.reserve(REC_BLOCK, BLOCK_FIXED + block.header.length, 0, this.number)
    const b = chain.buffer
    writeU64(b, off, block.number)
    writeU64(b, off + 8, this.firstTx)
    writeU32(b, off + 16, this.nextTx - this.firstTx)
    writeU64(b, off + 20, this.firstMini + 1)
    writeU32(b, off + 28, this.miniCount)
    writeU32(b, off + 32, this.logCount)
    b.set(block.hash, off + 36)
    b.set(block.header, off + BLOCK_FIXED)
    const blockPos = chain.lastBatch
    const blockOff = chain.lastOff
    await this.store.commitBlock(this, {
      number: this.number,
      hash: block.hash,
      blockPos,
      blockOff,
      firstTx: this.firstTx,
      txCount: this.nextTx - this.firstTx,
      firstMini: this.firstMini,
      nextMini: this.nextMini,
      miniCount: this.miniCount,
      logCount: this.logCount,
      staged: this.staged,
    })
  }

  /** Discard everything appended since the last commit. */
  async abort(): Promise<void> {
    if (this.done) return
    this.done = true
    await this.store.abortBlock(this)
  }

  private check(): void {
    if (this.done) throw new StoreStateError(`block writer for ${this.number} already committed or aborted`)
    this.store.checkUsable()
  }
}

function need32(b: Uint8Array, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== 32) throw new InvalidRecordError(`${what} must be 32 bytes, got ${b?.length}`)
}

/** What a writer hands to the store at commit. */
interface BlockCommit {
  number: number
  hash: Uint8Array
  blockPos: number
  blockOff: number
  firstTx: number
  txCount: number
  firstMini: number
  nextMini: number
  miniCount: number
  logCount: number
  staged: Staged
}

/** In-memory indices, all addressed densely from a base. */
class Indices {
  blockBase = -1
  blkPos = new F64Column()
  blkOff = new U32Column()
  blkHash = new BytesColumn(32)
  blkFirstTx = new F64Column()
  blkTxCount = new U32Column()
  blkLogCount = new U32Column()
  blkFirstMini = new F64Column()
  blkMiniCount = new U32Column()
  blockHashIdx = new HashMultiIndex(1024)

  miniBase = -1
  mnPos = new F64Column()
  mnOff = new U32Column()
  mnFirstTx = new F64Column()

  txBase = 0
  txPos = new F64Column(4096)
  txOff = new U32Column(4096)
  rcPos = new F64Column(4096)
  rcOff = new U32Column(4096)
  txLogStart = new U32Column(4096)
  txHashIdx = new HashMultiIndex(4096)

  postings: PostingIndex | undefined
  logKeys = 0

  byteSize(): number {
    const f = (c: { data: { byteLength: number } }) => c.data.byteLength
    return (
      f(this.blkPos) + f(this.blkOff) + f(this.blkHash) + f(this.blkFirstTx) + f(this.blkTxCount) + f(this.blkLogCount) +
      this.blockHashIdx.byteSize + f(this.mnPos) + f(this.mnOff) + f(this.txPos) + f(this.txOff) + f(this.rcPos) +
      f(this.rcOff) + f(this.txLogStart) + this.txHashIdx.byteSize + this.logKeys * 8
    )
  }
}

/** A pruned segment kept open until every snapshot older than the prune is released. */
interface Zombie {
  stream: number
  segment: Segment
  pruneSeq: number
}

/** The chain store. Create with `ChainStore.open(dir)`. Single writer process per directory. */
export class ChainStore {
  private readonly streams: Stream[]
  private idx = new Indices()
  private committed: CommitRecord | undefined
  private view: View
  private commitCount: number
  private commitBytes = 0
  private writer: BlockWriter | undefined
  /** Block number the next writer must use (-1: any, store empty). */
  private nextBlock = -1
  private nextTx = 0
  private nextMini = -1
  private commitChain: Promise<void> = Promise.resolve()
  private failed: Error | undefined
  private closed = false
  private readonly snapshots = new Set<Snapshot>()
  private zombies: Zombie[] = []
  private readonly logQueryLimit: number
  private host!: WriterHost
  /** Set when opening dropped a torn last commit (why). */
  private recovered: string | undefined
  /** Staging areas of finished blocks, reused by the next writers. */
  private readonly stagedPool: Staged[] = []
  /** Valid records of commit.log as read on open (to match an index checkpoint against). */
  private commitLogBytes: Uint8Array = new Uint8Array(0)
  /** What happened to index checkpoints (loaded, ignored, written). */
  private readonly checkpointInfo: CheckpointStats = { written: 0, bytes: 0 }
  /** Blocks in the index when the last checkpoint was taken (or loaded / rebuilt). */
  private lastCheckpointBlocks = 0
  /** The checkpoint being written, if any. */
  private checkpointing: Promise<void> | undefined
  /** Commit seq of the checkpoint on disk (loaded or written), -1 when none is known. */
  private checkpointSeq = -1
  private readonly checkpointBlocks: number

  private constructor(
    /** Directory holding the segment files and commit.log. */
    readonly dir: string,
    opts: ChainStoreOptions,
  ) {
    this.logQueryLimit = opts.logQueryLimit ?? 10_000
    this.checkpointBlocks = opts.checkpointBlocks ?? 4096
    this.streams = []
    const names = ['chain', 'txs', 'receipts'] as const
    for (let s = 0; s < STREAM_COUNT; s++) {
      const tuning = opts.streams?.[names[s]!]
      this.streams.push(
        new Stream(dir, s, {
          batchBytes: tuning?.batchBytes ?? opts.batchBytes ?? STREAM_DEFAULTS[s]!.batchBytes,
          segmentBytes: opts.segmentBytes ?? 64 * 1024 * 1024,
          compressionLevel: tuning?.compressionLevel ?? opts.compressionLevel ?? STREAM_DEFAULTS[s]!.compressionLevel,
          cacheBytes: opts.cacheBytes ?? 16 * 1024 * 1024,
        }),
      )
    }
    this.commitCount = 0
    this.view = { seq: 0, head: -1, horizon: 0, txEnd: 0, miniEnd: 0 }
  }

  /** Open (creating if needed) the store in `dir`, recovering from any crash: torn tails are cut back to the last commit. */
  static async open(dir: string, options: ChainStoreOptions = {}): Promise<ChainStore> {
    fs.mkdirSync(dir, { recursive: true })
    const attempt = (allowTorn: boolean): ChainStore => {
      let st = new ChainStore(dir, options)
      try {
        st.recover(allowTorn, true)
        return st
      } catch (e) {
        for (const s of st.streams) s.close()
        if (e instanceof TornCommit || st.checkpointInfo.loadedSeq === undefined) throw e
        // Replaying after the index checkpoint failed: rebuild from the log alone (a real corruption fails again).
        const why = e instanceof Error ? e.message : String(e)
        st = new ChainStore(dir, options)
        try {
          st.recover(allowTorn, false)
        } catch (e2) {
          for (const s of st.streams) s.close()
          throw e2
        }
        st.checkpointInfo.ignored = `replay after it failed: ${why}`
        return st
      }
    }
    let store: ChainStore
    try {
      store = attempt(true)
    } catch (e) {
      if (!(e instanceof TornCommit)) throw e
      // Drop the torn last commit record, then recover from the one before (only the last can be torn).
      dropLastCommitRecord(join(dir, 'commit.log'))
      store = attempt(false)
      store.recovered = e.message
    }
    try {
      store.host = await startWriter(
        {
          dir,
          streams: store.streams.map((st) => ({
            segments: st.segments.map((g) => ({ id: g.id, logicalStart: g.logicalStart, size: g.size })),
            compressionLevel: st.opts.compressionLevel,
            segmentBytes: st.opts.segmentBytes,
          })),
          commitCount: store.commitCount,
          last: store.committed,
          commitSync: options.commitSync ?? 'parallel',
        },
        options.compressInWorker ?? true,
      )
    } catch (e) {
      for (const s of store.streams) s.close()
      throw e
    }
    for (const s of store.streams) s.attach(store.host)
    return store
  }

  // ---- recovery ---------------------------------------------------------------

  /** Recover from the files on disk; `allowTorn`: the last commit may be torn (see `tornOrCorrupt`); `useCheckpoint`: try `index.ckpt`. */
  private recover(allowTorn: boolean, useCheckpoint: boolean): void {
    const path = join(this.dir, 'commit.log')
    const commitFd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644)
    try {
      this.recoverWith(path, commitFd, allowTorn, useCheckpoint)
    } finally {
      fs.closeSync(commitFd)
    }
  }

  private recoverWith(path: string, commitFd: number, allowTorn: boolean, useCheckpoint: boolean): void {
    const data = fs.readFileSync(path)
    let valid = 0
    let last: CommitRecord | undefined
    let before: CommitRecord | undefined
    const n = Math.floor(data.length / COMMIT_RECORD_SIZE)
    for (let i = 0; i < n; i++) {
      const rec = decodeCommitRecord(data.subarray(i * COMMIT_RECORD_SIZE, (i + 1) * COMMIT_RECORD_SIZE))
      if (rec === undefined || (last !== undefined && rec.seq !== last.seq + 1)) {
        // A bad record is a torn tail only if nothing valid follows it.
        for (let j = i + 1; j < n; j++) {
          if (decodeCommitRecord(data.subarray(j * COMMIT_RECORD_SIZE, (j + 1) * COMMIT_RECORD_SIZE)) !== undefined) {
            throw new CorruptCommitLogError(path, i * COMMIT_RECORD_SIZE, 'invalid commit record followed by valid ones')
          }
        }
        break
      }
      before = last
      last = rec
      valid = i + 1
    }
    if (valid * COMMIT_RECORD_SIZE !== data.length) {
      fs.ftruncateSync(commitFd, valid * COMMIT_RECORD_SIZE)
      fs.fdatasyncSync(commitFd)
    }
    this.commitCount = valid
    this.committed = last
    this.commitLogBytes = data.subarray(0, valid * COMMIT_RECORD_SIZE)
    try {
      this.cutStreams(last)
    } catch (e) {
      throw allowTorn ? this.tornOrCorrupt(e, last, before, false) : e
    }
    try {
      this.rebuild(useCheckpoint)
    } catch (e) {
      throw allowTorn ? this.tornOrCorrupt(e, last, before, true) : e
    }
  }

  /**
   * Classify a recovery failure. With 'parallel' commit syncs the last
   * commit record can be durable while some of its batches are not (the
   * crash came before `commit` returned): its segments are then missing,
   * short, or (on file systems that expose unwritten blocks) zero-filled,
   * and only inside the bytes that commit added. That is a torn commit, to be
   * dropped (`TornCommit`). Anything else, and any damage with real bytes,
   * stays a corruption error.
   */
  private tornOrCorrupt(e: unknown, last: CommitRecord | undefined, before: CommitRecord | undefined, needZeros: boolean): unknown {
    if (!(e instanceof CorruptSegmentError) || e instanceof CorruptCommitLogError || last === undefined || last.flags !== 0) return e
    const name = parseSegmentFileName(e.file.slice(e.file.lastIndexOf('/') + 1))
    if (name === undefined) return e
    const fromSeg = before ? before.segments[name.stream]! : 0
    const fromEnd = before ? before.ends[name.stream]! : SEGMENT_HEADER_SIZE
    const inLast = (name.id === fromSeg && e.offset >= fromEnd) || (name.id > fromSeg && name.id <= last.segments[name.stream]!)
    if (!inLast) return e
    if (needZeros && !zerosFrom(e.file, e.offset)) return e
    return new TornCommit(`commit ${last.seq} (block ${last.head}) did not fully reach the disk: ${e.message}`)
  }

  /** Cut every stream back to the state of commit record `last` and open its segments. */
  private cutStreams(last: CommitRecord | undefined): void {
    let changed = false
    const found: number[][] = [[], [], []]
    for (const name of fs.readdirSync(this.dir)) {
      const p = parseSegmentFileName(name)
      if (p) found[p.stream]!.push(p.id)
    }
    for (let s = 0; s < STREAM_COUNT; s++) {
      const keep: number[] = []
      for (const id of found[s]!) {
        const file = join(this.dir, segmentFileName(s, id))
        if (last === undefined || id > last.segments[s]!) {
          fs.unlinkSync(file)
          changed = true
        } else keep.push(id)
      }
      if (last !== undefined) {
        const activeId = last.segments[s]!
        const file = join(this.dir, segmentFileName(s, activeId))
        if (!keep.includes(activeId)) throw new CorruptSegmentError(file, 0, 'segment named by the last commit record is missing')
        const size = fs.statSync(file).size
        if (size < last.ends[s]!) throw new CorruptSegmentError(file, size, `segment is shorter than its committed size ${last.ends[s]}`)
        if (size > last.ends[s]!) {
          fs.truncateSync(file, last.ends[s]!)
          changed = true
        }
      }
      this.streams[s]!.loadSegments(keep)
    }
    if (changed) this.fsyncDir()
  }

  /**
   * Rebuild the in-memory indices: from the index checkpoint when one
   * matches the commit log (then only the batches written after it are
   * read), else from every retained segment.
   */
  private rebuild(useCheckpoint: boolean): void {
    const last = this.committed
    if (last === undefined) return
    let start: { segments: number[]; ends: number[] } | undefined
    if (useCheckpoint) {
      const ck = readCheckpoint(this.dir)
      if (typeof ck === 'string') this.checkpointInfo.ignored = ck
      else if (ck !== undefined) {
        const why = this.checkpointMismatch(ck.record, last)
        if (why !== undefined) this.checkpointInfo.ignored = why
        else {
          try {
            const rec = decodeCommitRecord(ck.record)!
            start = this.restoreCheckpoint(ck.sections, rec)
            this.checkpointInfo.loadedSeq = rec.seq
          } catch (e) {
            this.checkpointInfo.ignored = `does not restore: ${(e as Error).message}`
            this.resetIndices()
            start = undefined
          }
        }
      }
    }
    const blocksBefore = this.idx.blkPos.length
    this.replay(last, start)
    if (start !== undefined) {
      this.checkpointInfo.replayedBlocks = this.idx.blkPos.length - blocksBefore
      this.checkpointSeq = this.checkpointInfo.loadedSeq!
    }
    this.lastCheckpointBlocks = this.idx.blkPos.length
  }

  /** Why checkpoint `record` cannot be used with commit log head `last` (undefined: it can). */
  private checkpointMismatch(record: Uint8Array, last: CommitRecord): string | undefined {
    const ck = decodeCommitRecord(record)
    if (ck === undefined) return 'its commit record is invalid'
    if (ck.seq > last.seq) return `it is of commit ${ck.seq}, the log ends at ${last.seq}`
    const logged = this.commitRecordBytes(ck.seq)
    if (logged === undefined || !bytesEqual(logged, record)) return `commit ${ck.seq} in the log differs from the checkpoint's`
    if (ck.horizon !== last.horizon) return 'the store was pruned after it'
    for (let s = 0; s < STREAM_COUNT; s++) {
      const seg = this.streams[s]!.segments.find((g) => g.id === ck.segments[s])
      if (seg === undefined || seg.size < ck.ends[s]!) return `stream ${s} no longer holds its position`
    }
    return undefined
  }

  /** The 64 bytes of the commit record with sequence number `seq`, as read from commit.log on open. */
  private commitRecordBytes(seq: number): Uint8Array | undefined {
    const b = this.commitLogBytes
    if (b.length < COMMIT_RECORD_SIZE) return undefined
    const first = decodeCommitRecord(b.subarray(0, COMMIT_RECORD_SIZE))
    if (first === undefined) return undefined
    const i = seq - first.seq
    if (i < 0 || (i + 1) * COMMIT_RECORD_SIZE > b.length) return undefined
    return b.subarray(i * COMMIT_RECORD_SIZE, (i + 1) * COMMIT_RECORD_SIZE)
  }

  /**
   * Start writing a checkpoint of the current index if enough blocks were
   * committed since the last one (see `checkpointBlocks`). Not while one is
   * being written, and not while the index still holds pruned blocks (it
   * would carry them across restarts; the next open rebuilds without them).
   */
  private maybeCheckpoint(force = false): Promise<void> | undefined {
    if (this.checkpointBlocks <= 0 || this.checkpointing !== undefined || this.committed === undefined) return undefined
    const idx = this.idx
    const blocks = idx.blkPos.length
    if (blocks === 0 || idx.blockBase < this.view.horizon) return undefined
    const due = force ? this.checkpointSeq !== this.committed.seq : blocks - this.lastCheckpointBlocks >= Math.max(this.checkpointBlocks, this.lastCheckpointBlocks)
    if (!due) return undefined
    const seq = this.committed.seq
    const buffers = encodeCheckpoint(encodeCommitRecord(this.committed), this.checkpointSections())
    this.lastCheckpointBlocks = blocks
    const run = writeCheckpoint(this.dir, buffers).then(
      (bytes) => {
        this.checkpointInfo.written++
        this.checkpointInfo.bytes += bytes
        this.checkpointSeq = seq
      },
      (e: unknown) => {
        this.checkpointInfo.error = e instanceof Error ? e.message : String(e)
      },
    )
    this.checkpointing = run.finally(() => {
      this.checkpointing = undefined
    })
    return this.checkpointing
  }

  private resetIndices(): void {
    this.idx = new Indices()
    for (const st of this.streams) st.batchPos = new F64Column(256)
  }

  /** Read every batch after `start` (or all) and append it to the indices; then set the view and next numbers. */
  private replay(last: CommitRecord, start: { segments: number[]; ends: number[] } | undefined): void {
    const idx = this.idx
    const horizon = last.horizon
    const head = last.head
    const chain = this.streams[STREAM_CHAIN]!
    let miniEnd = start ? this.nextMini : -1
    let txEnd = start ? this.nextTx : 0
    const scan = (stream: number, visit: (h: BatchHeader, raw: Uint8Array, pos: number, fileOff: number, seg: Segment) => void) => {
      const st = this.streams[stream]!
      for (const seg of [...st.segments]) {
        if (start && seg.id < start.segments[stream]!) continue
        st.scanSegment(seg, (h, raw, pos, fileOff) => visit(h, raw, pos, fileOff, seg), start && seg.id === start.segments[stream] ? start.ends[stream]! : SEGMENT_HEADER_SIZE)
      }
    }
    const miniCols = { number: [] as number[], pos: [] as number[], off: [] as number[], firstTx: [] as number[] }
    scan(STREAM_CHAIN, (h, raw, pos, fileOff, seg) => {
      let off = 0
      for (let r = 0; r < h.recordCount; r++) {
        const type = raw[off]!
        const len = readU32(raw, off + 1)
        const body = off + RECORD_PREFIX
        if (body + len > raw.length) throw new CorruptSegmentError(seg.path, fileOff, `record ${r} overruns its batch`)
        if (type === REC_MINI) {
          const blockNumber = readU64(raw, body + 8)
          if (blockNumber >= horizon) {
            miniCols.number.push(readU64(raw, body))
            miniCols.pos.push(pos)
            miniCols.off.push(off)
            miniCols.firstTx.push(readU64(raw, body + 20))
          }
        } else if (type === REC_BLOCK) {
          const number = readU64(raw, body)
          if (number >= horizon && number <= head) {
            if (idx.blockBase < 0) {
              idx.blockBase = number
              idx.txBase = readU64(raw, body + 8)
              idx.postings = new PostingIndex(number)
            }
            const blocks = idx.blkPos.length
            if (number !== idx.blockBase + blocks) throw new CorruptSegmentError(seg.path, fileOff, `block ${number} out of sequence`)
            const hash = raw.subarray(body + 36, body + 68)
            idx.blkPos.push(pos)
            idx.blkOff.push(off)
            idx.blkHash.push(hash)
            idx.blkFirstTx.push(readU64(raw, body + 8))
            idx.blkTxCount.push(readU32(raw, body + 16))
            idx.blkLogCount.push(readU32(raw, body + 32))
            idx.blkFirstMini.push(readU64(raw, body + 20) - 1)
            idx.blkMiniCount.push(readU32(raw, body + 28))
            fingerprint(hash, TAG_BLOCK, fpTmp)
            idx.blockHashIdx.insert(fpTmp[0]!, fpTmp[1]!, blocks)
            txEnd = readU64(raw, body + 8) + readU32(raw, body + 16)
            const firstMini = readU64(raw, body + 20) - 1
            if (firstMini >= 0) miniEnd = firstMini + readU32(raw, body + 28)
          }
        } else {
          throw new CorruptSegmentError(seg.path, fileOff, `unknown record type ${type} in the chain stream`)
        }
        off = body + len
      }
    })
    const blocks = idx.blkPos.length
    if (idx.blockBase < 0 || idx.blockBase + blocks - 1 !== head) {
      throw new CorruptSegmentError(chain.segments[chain.segments.length - 1]?.path ?? this.dir, 0, `chain stream holds blocks up to ${idx.blockBase + blocks - 1}, commit log says ${head}`)
    }
    for (let i = 0; i < miniCols.number.length; i++) {
      const num = miniCols.number[i]!
      if (num >= miniEnd) continue
      if (idx.miniBase < 0) idx.miniBase = num
      if (num !== idx.miniBase + idx.mnPos.length) throw new CorruptSegmentError(chain.segments[0]!.path, 0, `mini-block ${num} out of sequence`)
      idx.mnPos.push(miniCols.pos[i]!)
      idx.mnOff.push(miniCols.off[i]!)
      idx.mnFirstTx.push(miniCols.firstTx[i]!)
    }

    const scanOrdinals = (stream: number, visit: (ord: number, raw: Uint8Array, body: number, len: number, pos: number, off: number, block: number) => void) => {
      scan(stream, (h, raw, pos, fileOff, seg) => {
        let off = 0
        for (let r = 0; r < h.recordCount; r++) {
          const len = readU32(raw, off + 1)
          const body = off + RECORD_PREFIX
          if (body + len > raw.length) throw new CorruptSegmentError(seg.path, fileOff, `record ${r} overruns its batch`)
          const ord = h.firstOrdinal + r
          if (ord >= idx.txBase && ord < txEnd) visit(ord, raw, body, len, pos, off, h.blockNumber)
          off = body + len
        }
      })
    }
    scanOrdinals(STREAM_TXS, (ord, raw, body, _len, pos, off) => {
      if (ord !== idx.txBase + idx.txPos.length) throw new CorruptSegmentError(this.streams[STREAM_TXS]!.locate(pos).file, this.streams[STREAM_TXS]!.locate(pos).offset, `transaction ordinal ${ord} out of sequence`)
      idx.txPos.push(pos)
      idx.txOff.push(off)
      fingerprint(raw.subarray(body, body + 32), TAG_TX, fpTmp)
      idx.txHashIdx.insert(fpTmp[0]!, fpTmp[1]!, ord - idx.txBase)
    })
    let curBlock = -1
    let logCounter = 0
    const postings = idx.postings!
    scanOrdinals(STREAM_RECEIPTS, (ord, raw, body, _len, pos, off, block) => {
      if (ord !== idx.txBase + idx.rcPos.length) throw new CorruptSegmentError(this.streams[STREAM_RECEIPTS]!.locate(pos).file, this.streams[STREAM_RECEIPTS]!.locate(pos).offset, `receipt ordinal ${ord} out of sequence`)
      idx.rcPos.push(pos)
      idx.rcOff.push(off)
      if (block !== curBlock) {
        curBlock = block
        logCounter = 0
      }
      idx.txLogStart.push(logCounter)
      const nLogs = raw[body + 32]! | (raw[body + 33]! << 8)
      logCounter += nLogs
      let o = body + 34
      for (let l = 0; l < nLogs; l++) {
        postings.add(raw.subarray(o, o + 20), TAG_ADDRESS, block)
        const nt = raw[o + 20]!
        o += 21
        for (let t = 0; t < nt; t++, o += 32) postings.add(raw.subarray(o, o + 32), TAG_TOPIC, block)
        idx.logKeys += 1 + nt
      }
    })
    if (idx.txPos.length !== txEnd - idx.txBase || idx.rcPos.length !== txEnd - idx.txBase) {
      throw new CorruptSegmentError(this.dir, 0, `found ${idx.txPos.length} transactions and ${idx.rcPos.length} receipts, blocks reference ${txEnd - idx.txBase}`)
    }
    this.nextBlock = head + 1
    this.nextTx = txEnd
    this.nextMini = miniEnd
    this.view = { seq: last.seq, head, horizon, txEnd, miniEnd: Math.max(miniEnd, 0) }
    // Finish a prune that crashed before unlinking its segments.
    for (const st of this.streams) {
      for (const seg of st.segments.slice(0, -1)) if (seg.maxBlock < horizon) st.dropSegment(seg)
    }
  }

  // ---- index checkpoint -------------------------------------------------------------

  /**
   * The index as checkpoint sections, in a fixed order (see `restoreCheckpoint`).
   * Append-only columns are taken as views of their committed prefix (their
   * memory is never rewritten, only replaced when it grows); the hash tables
   * and posting lists, which change in place, are copied.
   */
  private checkpointSections(): Section[] {
    const idx = this.idx
    const bh = idx.blockHashIdx.exportTable()
    const th = idx.txHashIdx.exportTable()
    const post = idx.postings!.exportState()
    const sections: Section[] = [
      Float64Array.of(idx.blockBase, idx.txBase, idx.miniBase, idx.logKeys, this.nextTx, this.nextMini, idx.postings!.base, bh.size, th.size, post.keys.size),
      idx.blkPos.values(), idx.blkOff.values(), idx.blkHash.values(), idx.blkFirstTx.values(), idx.blkTxCount.values(), idx.blkLogCount.values(), idx.blkFirstMini.values(), idx.blkMiniCount.values(),
      idx.mnPos.values(), idx.mnOff.values(), idx.mnFirstTx.values(),
      idx.txPos.values(), idx.txOff.values(), idx.rcPos.values(), idx.rcOff.values(), idx.txLogStart.values(),
      bh.hi, bh.lo, bh.val, th.hi, th.lo, th.val,
      post.keys.hi, post.keys.lo, post.keys.val, post.lengths, post.flat,
    ]
    for (const st of this.streams) {
      sections.push(st.batchPos.values())
      sections.push(Float64Array.from(st.segments.flatMap((g) => [g.id, g.maxBlock])))
    }
    return sections
  }

  /** Load checkpoint sections into the (empty) indices; returns the stream positions replay starts from. Throws when they do not fit. */
  private restoreCheckpoint(sec: Section[], ck: CommitRecord): { segments: number[]; ends: number[] } {
    let i = 0
    const f64 = (): Float64Array => {
      const s = sec[i++]
      if (!(s instanceof Float64Array)) throw new Error(`section ${i - 1} is not f64`)
      return s
    }
    const u32 = (): Uint32Array => {
      const s = sec[i++]
      if (!(s instanceof Uint32Array)) throw new Error(`section ${i - 1} is not u32`)
      return s
    }
    const bytes = (): Uint8Array => {
      const s = sec[i++]
      if (!(s instanceof Uint8Array)) throw new Error(`section ${i - 1} is not bytes`)
      return s
    }
    if (sec.length !== 28 + 2 * STREAM_COUNT) throw new Error(`${sec.length} sections`)
    const sc = f64()
    if (sc.length !== 10) throw new Error('bad scalars')
    const idx = new Indices()
    idx.blockBase = sc[0]!
    idx.txBase = sc[1]!
    idx.miniBase = sc[2]!
    idx.logKeys = sc[3]!
    const nextTx = sc[4]!
    const nextMini = sc[5]!
    idx.blkPos = F64Column.of(f64())
    idx.blkOff = U32Column.of(u32())
    idx.blkHash = BytesColumn.of(32, bytes())
    idx.blkFirstTx = F64Column.of(f64())
    idx.blkTxCount = U32Column.of(u32())
    idx.blkLogCount = U32Column.of(u32())
    idx.blkFirstMini = F64Column.of(f64())
    idx.blkMiniCount = U32Column.of(u32())
    idx.mnPos = F64Column.of(f64())
    idx.mnOff = U32Column.of(u32())
    idx.mnFirstTx = F64Column.of(f64())
    idx.txPos = F64Column.of(f64())
    idx.txOff = U32Column.of(u32())
    idx.rcPos = F64Column.of(f64())
    idx.rcOff = U32Column.of(u32())
    idx.txLogStart = U32Column.of(u32())
    idx.blockHashIdx = HashMultiIndex.importTable(u32(), u32(), u32(), sc[7]!)
    idx.txHashIdx = HashMultiIndex.importTable(u32(), u32(), u32(), sc[8]!)
    const keys = HashMultiIndex.importTable(u32(), u32(), u32(), sc[9]!)
    idx.postings = PostingIndex.importState(sc[6]!, keys, u32(), u32())
    const nBlocks = idx.blkPos.length
    const nTx = idx.txPos.length
    if (nBlocks === 0 || idx.blockBase < 0) throw new Error('no blocks')
    if ([idx.blkOff, idx.blkFirstTx, idx.blkTxCount, idx.blkLogCount, idx.blkFirstMini, idx.blkMiniCount, idx.blkHash].some((c) => c.length !== nBlocks)) throw new Error('block columns differ in length')
    if ([idx.txOff, idx.rcPos, idx.rcOff, idx.txLogStart].some((c) => c.length !== nTx) || idx.txBase + nTx !== nextTx) throw new Error('transaction columns do not match')
    if (idx.mnOff.length !== idx.mnPos.length || idx.mnFirstTx.length !== idx.mnPos.length) throw new Error('mini-block columns differ in length')
    if (idx.blockHashIdx.size !== nBlocks || idx.txHashIdx.size !== nTx) throw new Error('hash tables do not match the columns')
    const batchPos: F64Column[] = []
    const maxBlocks: Float64Array[] = []
    for (let s = 0; s < STREAM_COUNT; s++) {
      batchPos.push(F64Column.of(f64()))
      maxBlocks.push(f64())
    }
    // Replay starts where each stream stood at the checkpoint's commit.
    this.idx = idx
    this.nextTx = nextTx
    this.nextMini = nextMini
    for (let s = 0; s < STREAM_COUNT; s++) {
      const st = this.streams[s]!
      st.batchPos = batchPos[s]!
      const mb = maxBlocks[s]!
      for (let k = 0; k + 1 < mb.length; k += 2) {
        const seg = st.segments.find((g) => g.id === mb[k])
        if (seg !== undefined) seg.maxBlock = mb[k + 1]!
      }
    }
    return { segments: ck.segments, ends: ck.ends }
  }

  private fsyncDir(): void {
    const fd = fs.openSync(this.dir, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  }

  // ---- writing ----------------------------------------------------------------

  /** @internal Throws when the store is closed or failed. */
  checkUsable(): void {
    if (this.closed) throw new StoreStateError('store is closed')
    if (this.failed) throw new StoreStateError(`store failed and must be reopened: ${this.failed.message}`)
  }

  /**
   * Start writing block `number` (must be the head + 1; any number on an
   * empty store). One writer at a time; the next may begin as soon as the
   * previous one's `commit` was called (its fsync overlaps the new block).
   */
  beginBlock(number: number): BlockWriter {
    this.checkUsable()
    if (this.writer !== undefined) throw new StoreStateError(`block writer for ${this.writer.number} still open`)
    if (!Number.isSafeInteger(number) || number < 0) throw new InvalidRecordError(`bad block number ${number}`)
    if (this.nextBlock >= 0 && number !== this.nextBlock) throw new InvalidRecordError(`block ${number} does not follow ${this.nextBlock - 1}`)
    const w = new BlockWriter(this, this.streams, number, this.nextTx, this.nextMini, this.stagedPool.pop() ?? new Staged())
    this.writer = w
    return w
  }

  /** Append a whole block (all its mini-blocks) and commit it durably. */
  async appendBlock(block: BlockInput, miniBlocks: MiniBlockInput[]): Promise<void> {
    const w = this.beginBlock(block.number)
    try {
      for (const mb of miniBlocks) w.appendMiniBlock(mb)
    } catch (e) {
      await w.abort()
      throw e
    }
    await w.commit(block)
  }

  /** @internal Durable commit of a writer's block (see BlockWriter.commit). */
  async commitBlock(w: BlockWriter, c: BlockCommit): Promise<void> {
    if (this.writer === w) this.writer = undefined
    this.nextBlock = c.number + 1
    this.nextTx = c.firstTx + c.txCount
    this.nextMini = c.nextMini
    // Seal and request the commit now (synchronously), so it covers exactly this block's batches.
    for (const s of this.streams) s.seal(c.number)
    const reply = this.host.commit(c.number)
    reply.catch(() => undefined)
    const prev = this.commitChain
    const run = (async () => {
      await prev
      this.checkUsable()
      const r = await reply
      for (let s = 0; s < STREAM_COUNT; s++) {
        this.streams[s]!.applyCommit(r.streams[s]!, c.number)
        this.streams[s]!.reclaim(r.released[s]!)
      }
      this.commitCount++
      this.commitBytes += COMMIT_RECORD_SIZE
      this.committed = r.record
      this.publish(c, r.record, r.streams[STREAM_TXS]!.fps, r.streams[STREAM_RECEIPTS]!.fps)
      c.staged.reset()
      if (this.stagedPool.length < 2) this.stagedPool.push(c.staged)
      void this.maybeCheckpoint()
    })()
    this.commitChain = run.catch(() => undefined)
    try {
      await run
    } catch (e) {
      if (!this.failed) this.failed = e as Error
      throw e
    }
  }

  /** Make a durable block visible: append its index entries (`txFp`: one fingerprint pair per tx; `logFp`: its distinct log keys). */
  private publish(c: BlockCommit, rec: CommitRecord, txFp: Uint32Array, logFp: Uint32Array): void {
    if (txFp.length !== 2 * c.txCount) throw new StoreStateError(`writer fingerprinted ${txFp.length / 2} transactions of block ${c.number}, it has ${c.txCount}`)
    const idx = this.idx
    if (idx.blockBase < 0) {
      idx.blockBase = c.number
      idx.txBase = c.firstTx
      idx.postings = new PostingIndex(c.number)
    }
    if (idx.miniBase < 0 && c.miniCount > 0) idx.miniBase = c.firstMini
    const st = c.staged
    const i = idx.blkPos.length
    idx.blkPos.push(c.blockPos)
    idx.blkOff.push(c.blockOff)
    idx.blkHash.push(c.hash)
    idx.blkFirstTx.push(c.firstTx)
    idx.blkTxCount.push(c.txCount)
    idx.blkLogCount.push(c.logCount)
    idx.blkFirstMini.push(c.miniCount > 0 ? c.firstMini : -1)
    idx.blkMiniCount.push(c.miniCount)
    fingerprint(c.hash, TAG_BLOCK, fpTmp)
    idx.blockHashIdx.insert(fpTmp[0]!, fpTmp[1]!, i)
    idx.mnPos.append(st.miniPos)
    idx.mnOff.append(st.miniOff)
    idx.mnFirstTx.append(st.miniFirstTx)
    const rel0 = idx.txPos.length
    idx.txPos.append(st.txPos)
    idx.txOff.append(st.txOff)
    idx.rcPos.append(st.rcPos)
    idx.rcOff.append(st.rcOff)
    idx.txLogStart.append(st.logStart)
    const txIdx = idx.txHashIdx
    for (let k = 0, n = c.txCount; k < n; k++) txIdx.insert(txFp[2 * k]!, txFp[2 * k + 1]!, rel0 + k)
    const postings = idx.postings!
    for (let k = 0, n = logFp.length; k < n; k += 2) postings.addFingerprint(logFp[k]!, logFp[k + 1]!, c.number)
    idx.logKeys += st.logKeys
    const miniEnd = idx.miniBase < 0 ? 0 : idx.miniBase + idx.mnPos.length
    this.view = { seq: rec.seq, head: c.number, horizon: rec.horizon, txEnd: c.firstTx + c.txCount, miniEnd }
  }

  /** @internal Roll back an uncommitted block. The writer stays open (no new one can begin) until the files are cut back. */
  async abortBlock(w: BlockWriter): Promise<void> {
    const prev = this.commitChain
    const run = (async () => {
      await prev
      const r = await this.host.rollback()
      for (let s = 0; s < STREAM_COUNT; s++) {
        this.streams[s]!.rollback()
        this.streams[s]!.reclaim(r.released[s]!)
      }
    })()
    this.commitChain = run.catch(() => undefined)
    try {
      await run
    } catch (e) {
      if (!this.failed) this.failed = e as Error
      throw e
    } finally {
      if (this.writer === w) this.writer = undefined
    }
  }

  // ---- snapshots and reads ------------------------------------------------------

  /** A read view of everything committed so far. Call `release()` when done. */
  snapshot(): Snapshot {
    this.checkUsable()
    const s = new Snapshot(this, { ...this.view })
    this.snapshots.add(s)
    return s
  }

  /** Run `fn` on a fresh snapshot and release it. */
  read<T>(fn: (s: Snapshot) => T): T {
    const s = this.snapshot()
    try {
      return fn(s)
    } finally {
      s.release()
    }
  }

  /** Newest committed block number (-1 when empty). */
  get head(): number {
    return this.view.head
  }

  /** Oldest block still visible. */
  get horizon(): number {
    return this.view.horizon
  }

  /** @internal */
  releaseSnapshot(s: Snapshot): void {
    this.snapshots.delete(s)
    this.reapZombies()
  }

  /** @internal Block number whose hash is `hash`, or -1. */
  findBlockNumber(v: View, hash: Uint8Array): number {
    const idx = this.idx
    if (hash.length !== 32 || idx.blockBase < 0) return -1
    fingerprint(hash, TAG_BLOCK, fpTmp)
    const i = idx.blockHashIdx.find(fpTmp[0]!, fpTmp[1]!, (i) => {
      const n = i + idx.blockBase
      return n >= v.horizon && n <= v.head && idx.blkHash.equals(i, hash)
    })
    return i < 0 ? -1 : i + idx.blockBase
  }

  /** @internal */
  blockHash(v: View, n: number): Uint8Array | undefined {
    const idx = this.idx
    if (n < v.horizon || n > v.head || idx.blockBase < 0 || n < idx.blockBase) return undefined
    return idx.blkHash.get(n - idx.blockBase)
  }

  private record(stream: number, pos: number, off: number, type: number): { raw: Uint8Array; body: number; len: number } {
    const st = this.streams[stream]!
    const raw = st.readBatch(pos)
    const len = off + RECORD_PREFIX <= raw.length ? readU32(raw, off + 1) : -1
    if (raw[off] !== type || len < 0 || off + RECORD_PREFIX + len > raw.length) {
      const at = st.locate(pos)
      throw new CorruptSegmentError(at.file, at.offset, `record at batch offset ${off} is not of type ${type}`)
    }
    return { raw, body: off + RECORD_PREFIX, len }
  }

  /** @internal */
  readBlock(v: View, n: number): StoredBlock | undefined {
    const idx = this.idx
    if (!Number.isSafeInteger(n) || n < v.horizon || n > v.head || idx.blockBase < 0 || n < idx.blockBase) return undefined
    const i = n - idx.blockBase
    const { raw, body, len } = this.record(STREAM_CHAIN, idx.blkPos.get(i), idx.blkOff.get(i), REC_BLOCK)
    return {
      number: readU64(raw, body),
      firstTx: readU64(raw, body + 8),
      txCount: readU32(raw, body + 16),
      firstMini: readU64(raw, body + 20) - 1,
      miniCount: readU32(raw, body + 28),
      logCount: readU32(raw, body + 32),
      hash: raw.slice(body + 36, body + 68),
      header: raw.slice(body + BLOCK_FIXED, body + len),
    }
  }

  /** @internal */
  readMiniBlock(v: View, n: number): StoredMiniBlock | undefined {
    const idx = this.idx
    if (!Number.isSafeInteger(n) || idx.miniBase < 0 || n < idx.miniBase || n >= v.miniEnd) return undefined
    const i = n - idx.miniBase
    const { raw, body, len } = this.record(STREAM_CHAIN, idx.mnPos.get(i), idx.mnOff.get(i), REC_MINI)
    const blockNumber = readU64(raw, body + 8)
    if (blockNumber < v.horizon) return undefined
    return {
      number: readU64(raw, body),
      blockNumber,
      index: readU32(raw, body + 16),
      firstTx: readU64(raw, body + 20),
      txCount: readU32(raw, body + 28),
      hash: raw.slice(body + 32, body + 64),
      header: raw.slice(body + MINI_FIXED, body + len),
    }
  }

  private visibleTxStart(v: View): number {
    const idx = this.idx
    if (idx.blockBase < 0) return Infinity
    return v.horizon <= idx.blockBase ? idx.txBase : idx.blkFirstTx.get(v.horizon - idx.blockBase)
  }

  /** @internal Ordinal of the transaction with this hash, or -1. */
  findTx(v: View, hash: Uint8Array): number {
    const idx = this.idx
    if (hash.length !== 32 || idx.blockBase < 0) return -1
    const lowest = this.visibleTxStart(v)
    fingerprint(hash, TAG_TX, fpTmp)
    const rel = idx.txHashIdx.find(fpTmp[0]!, fpTmp[1]!, (rel) => {
      const ord = rel + idx.txBase
      if (ord < lowest || ord >= v.txEnd) return false
      const { raw, body } = this.record(STREAM_TXS, idx.txPos.get(rel), idx.txOff.get(rel), REC_TX)
      for (let k = 0; k < 32; k++) if (raw[body + k] !== hash[k]) return false
      return true
    })
    return rel < 0 ? -1 : rel + idx.txBase
  }

  /** Index (relative to blockBase) of the block holding tx ordinal `ord`, within view `v`. */
  private blockOfTx(v: View, ord: number): number {
    const idx = this.idx
    const col = idx.blkFirstTx.data
    let lo = Math.max(0, v.horizon - idx.blockBase)
    let hi = v.head - idx.blockBase
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (col[mid]! <= ord) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  private position(v: View, ord: number): { blockNumber: number; blockHash: Uint8Array; txIndex: number; miniBlockNumber: number } {
    const idx = this.idx
    const bi = this.blockOfTx(v, ord)
    const blockNumber = bi + idx.blockBase
    const firstTx = idx.blkFirstTx.get(bi)
    // Mini-block holding the tx: binary search (in memory) over the block's mini-blocks by firstTx.
    const firstMini = idx.blkFirstMini.get(bi)
    const col = idx.mnFirstTx.data
    let lo = firstMini - idx.miniBase
    let hi = lo + idx.blkMiniCount.get(bi) - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (col[mid]! <= ord) lo = mid
      else hi = mid - 1
    }
    return { blockNumber, blockHash: idx.blkHash.get(bi), txIndex: ord - firstTx, miniBlockNumber: lo + idx.miniBase }
  }

  /** @internal */
  readTx(v: View, ord: number): StoredTransaction {
    const idx = this.idx
    const rel = ord - idx.txBase
    const { raw, body, len } = this.record(STREAM_TXS, idx.txPos.get(rel), idx.txOff.get(rel), REC_TX)
    return { hash: raw.slice(body, body + 32), tx: raw.slice(body + 32, body + len), ordinal: ord, ...this.position(v, ord) }
  }

  /** @internal */
  readReceipt(v: View, ord: number): StoredReceipt {
    const idx = this.idx
    const rel = ord - idx.txBase
    const { raw, body, len } = this.record(STREAM_RECEIPTS, idx.rcPos.get(rel), idx.rcOff.get(rel), REC_RECEIPT)
    const { logs, end } = parseLogKeys(raw, body + 32)
    const p = this.position(v, ord)
    return {
      txHash: raw.slice(body, body + 32),
      receipt: raw.slice(end, body + len),
      logs,
      blockNumber: p.blockNumber,
      blockHash: p.blockHash,
      txIndex: p.txIndex,
      miniBlockNumber: p.miniBlockNumber,
      firstLogIndex: idx.txLogStart.get(rel),
    }
  }

  /** @internal */
  queryLogs(v: View, filter: LogFilter): LogMatch[] {
    const idx = this.idx
    const out: LogMatch[] = []
    if (idx.blockBase < 0 || v.head < 0) return out
    const limit = filter.limit ?? this.logQueryLimit
    const from = Math.max(filter.fromBlock ?? v.horizon, v.horizon, idx.blockBase)
    const to = Math.min(filter.toBlock ?? v.head, v.head)
    if (from > to) return out
    const f = normalizeFilter(filter)
    let candidates: number[] | undefined
    const postings = idx.postings!
    if (f.addresses.length > 0) candidates = postings.union(f.addresses, TAG_ADDRESS, from, to)
    for (const alts of f.topics) {
      if (alts.length === 0) continue
      const c = postings.union(alts, TAG_TOPIC, from, to)
      candidates = candidates === undefined ? c : intersectSorted(candidates, c)
    }
    if (candidates === undefined) {
      candidates = []
      for (let n = from; n <= to; n++) if (idx.blkLogCount.get(n - idx.blockBase) > 0) candidates.push(n)
    }
    for (const n of candidates) {
      const bi = n - idx.blockBase
      const firstTx = idx.blkFirstTx.get(bi)
      const txCount = idx.blkTxCount.get(bi)
      const blockHash = idx.blkHash.get(bi)
      for (let t = 0; t < txCount; t++) {
        const rel = firstTx + t - idx.txBase
        const { raw, body, len } = this.record(STREAM_RECEIPTS, idx.rcPos.get(rel), idx.rcOff.get(rel), REC_RECEIPT)
        const { logs, end } = parseLogKeys(raw, body + 32)
        let receipt: Uint8Array | undefined
        for (let l = 0; l < logs.length; l++) {
          if (!matchesLog(f, logs[l]!)) continue
          if (out.length >= limit) throw new LogQueryLimitError(`more than ${limit} logs match; narrow the block range or filter`)
          receipt ??= raw.slice(end, body + len)
          out.push({
            blockNumber: n,
            blockHash,
            txHash: raw.slice(body, body + 32),
            txIndex: t,
            logIndex: idx.txLogStart.get(rel) + l,
            logIndexInTx: l,
            address: logs[l]!.address,
            topics: logs[l]!.topics,
            receipt,
          })
        }
      }
    }
    return out
  }

  // ---- pruning ------------------------------------------------------------------

  /**
   * Make blocks older than `horizon` unreadable to new snapshots and drop
   * every segment file that holds only such blocks (whole files; the active
   * segment of each stream is kept). The new horizon is made durable first.
   */
  async prune(horizon: number): Promise<PruneResult> {
    this.checkUsable()
    // The writer orders the prune record after the commits requested before it.
    const reply = this.host.prune(horizon)
    reply.catch(() => undefined)
    const prev = this.commitChain
    let result: PruneResult = { horizon: this.view.horizon, segmentsDropped: 0, bytesDropped: 0 }
    const run = (async () => {
      await prev
      this.checkUsable()
      const r = await reply
      for (let s = 0; s < STREAM_COUNT; s++) this.streams[s]!.reclaim(r.released[s]!)
      const rec = r.record
      if (rec === undefined) return
      const h = rec.horizon
      this.commitCount++
      this.commitBytes += COMMIT_RECORD_SIZE
      this.committed = rec
      this.view = { ...this.view, seq: rec.seq, horizon: h }
      // A checkpoint from before the prune no longer matches (open would ignore it); drop it now.
      await this.checkpointing
      this.checkpointSeq = -1
      try {
        fs.unlinkSync(join(this.dir, CHECKPOINT_FILE))
      } catch {
        // none
      }
      let dropped = 0
      let bytes = 0
      for (let s = 0; s < STREAM_COUNT; s++) {
        const st = this.streams[s]!
        for (const seg of st.segments.slice(0, -1)) {
          if (seg.maxBlock >= h || this.zombies.some((z) => z.segment === seg)) continue
          this.zombies.push({ stream: s, segment: seg, pruneSeq: rec.seq })
          dropped++
          bytes += seg.size
        }
      }
      this.reapZombies()
      result = { horizon: h, segmentsDropped: dropped, bytesDropped: bytes }
    })()
    this.commitChain = run.catch(() => undefined)
    try {
      await run
    } catch (e) {
      if (!this.failed) this.failed = e as Error
      throw e
    }
    return result
  }

  private reapZombies(): void {
    if (this.zombies.length === 0) return
    let oldest = Infinity
    for (const s of this.snapshots) oldest = Math.min(oldest, s.seq)
    const keep: Zombie[] = []
    for (const z of this.zombies) {
      if (oldest >= z.pruneSeq) this.streams[z.stream]!.dropSegment(z.segment)
      else keep.push(z)
    }
    this.zombies = keep
  }

  // ---- misc -----------------------------------------------------------------------

  /** Counters: sizes written per stream, index memory, counts. */
  stats(): ChainStoreStats {
    const idx = this.idx
    return {
      head: this.view.head,
      horizon: this.view.horizon,
      blocks: this.view.head < 0 ? 0 : this.view.head - this.view.horizon + 1,
      transactions: this.view.head < 0 ? 0 : this.view.txEnd - this.visibleTxStart(this.view),
      miniBlocks: idx.mnPos.length,
      logKeys: idx.logKeys,
      streams: this.streams.map((s) => ({ ...s.stats })),
      commitBytes: this.commitBytes,
      indexBytes: idx.byteSize(),
      ...(this.recovered !== undefined ? { droppedTornCommit: this.recovered } : {}),
      checkpoint: { ...this.checkpointInfo },
    }
  }

  /** Wait for in-flight commits, abort an open writer, close every file. */
  async close(): Promise<void> {
    if (this.closed) return
    if (this.writer) await this.writer.abort().catch(() => undefined)
    await this.commitChain
    await this.checkpointing
    if (!this.failed) await this.maybeCheckpoint(true)
    this.closed = true
    for (const z of this.zombies) this.streams[z.stream]!.dropSegment(z.segment)
    this.zombies = []
    for (const s of this.streams) s.close()
    await this.host.close().catch(() => undefined)
    this.snapshots.clear()
  }
}

const fpTmp = new Uint32Array(2)

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Recovery found the last commit torn (internal: `open` drops it and recovers the one before). */
class TornCommit extends Error {}

/** True when every byte of `file` from `offset` to its end is zero (unwritten blocks). */
function zerosFrom(file: string, offset: number): boolean {
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.alloc(1 << 16)
    for (let pos = offset; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos)
      if (n === 0) return true
      for (let i = 0; i < n; i++) if (buf[i] !== 0) return false
      pos += n
    }
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Rewind a closed store to block `head` (dev-mode evm_revert): appends a
 * commit record (next seq, flags 0) naming the stream positions of the last
 * commit of block `head`, fsyncs it and removes the index checkpoint. The
 * next `ChainStore.open` recovers to that record like to any other: it cuts
 * the segments back to those sizes and deletes later segments, so the
 * blocks after `head` are gone for good. `head` must be a committed block at
 * or above the prune horizon. Call only while no process has the store open.
 */
export function rewindChainStore(dir: string, head: number): void {
  const path = join(dir, 'commit.log')
  const data = fs.readFileSync(path)
  const records: CommitRecord[] = []
  for (let i = 0; (i + 1) * COMMIT_RECORD_SIZE <= data.length; i++) {
    const rec = decodeCommitRecord(data.subarray(i * COMMIT_RECORD_SIZE, (i + 1) * COMMIT_RECORD_SIZE))
    if (rec === undefined || (records.length > 0 && rec.seq !== records[records.length - 1]!.seq + 1)) break
    records.push(rec)
  }
  const last = records[records.length - 1]
  if (last === undefined) throw new StoreStateError(`cannot rewind ${dir}: no commit`)
  if (head === last.head) return
  if (head > last.head || head < last.horizon) throw new StoreStateError(`cannot rewind ${dir} to block ${head}: blocks ${last.horizon}..${last.head} are stored`)
  let target: CommitRecord | undefined
  for (const r of records) if (r.head === head) target = r
  if (target === undefined) throw new StoreStateError(`cannot rewind ${dir} to block ${head}: no commit of that block`)
  const rec = encodeCommitRecord({ seq: last.seq + 1, head, horizon: last.horizon, segments: target.segments, ends: target.ends, flags: 0 })
  const fd = fs.openSync(path, 'r+')
  try {
    fs.writeSync(fd, rec, 0, rec.length, records.length * COMMIT_RECORD_SIZE)
    fs.ftruncateSync(fd, (records.length + 1) * COMMIT_RECORD_SIZE)
    fs.fdatasyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.rmSync(join(dir, CHECKPOINT_FILE), { force: true })
}

/** Cut the last valid record (and anything after it) off commit.log. */
function dropLastCommitRecord(path: string): void {
  const data = fs.readFileSync(path)
  let valid = 0
  while ((valid + 1) * COMMIT_RECORD_SIZE <= data.length && decodeCommitRecord(data.subarray(valid * COMMIT_RECORD_SIZE, (valid + 1) * COMMIT_RECORD_SIZE)) !== undefined) valid++
  const fd = fs.openSync(path, 'r+')
  try {
    fs.ftruncateSync(fd, Math.max(0, valid - 1) * COMMIT_RECORD_SIZE)
    fs.fdatasyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Parse the log keys of a receipt record starting at `off` (u16 count, then entries). */
function parseLogKeys(raw: Uint8Array, off: number): { logs: LogKey[]; end: number } {
  const n = raw[off]! | (raw[off + 1]! << 8)
  let o = off + 2
  const logs: LogKey[] = []
  for (let i = 0; i < n; i++) {
    const address = raw.slice(o, o + 20)
    const nt = raw[o + 20]!
    o += 21
    const topics: Uint8Array[] = []
    for (let t = 0; t < nt; t++, o += 32) topics.push(raw.slice(o, o + 32))
    logs.push({ address, topics })
  }
  return { logs, end: o }
}
