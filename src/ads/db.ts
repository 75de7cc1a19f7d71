/**
 * The QMDB store: sharded entry logs, indexes and Merkle trees behind one
 * API. `commit()` applies a block's changes synchronously on the calling
 * thread (index, log appends, ActiveBits, compaction), hands each shard's
 * hashing to a worker (or does it inline with `workers: 0`), fdatasyncs the
 * logs, and resolves with the global root once the meta record is durable.
 * The next block may be applied while the previous root is being computed.
 *
 * Layout of a store directory: `meta.0`, `meta.1` (see meta.ts) and
 * `shard{N}/NNNNNNNN.seg` (entry log segments).
 *
 * Determinism: a block's changes are sorted by key hash (so by shard), each
 * applied in that order (create = new entry then rewritten predecessor; update
 * = new entry; delete = rewritten predecessor), then compaction moves
 * `COMPACT_PER_UPDATE` per update and `COMPACT_PER_CREATE` per create of the
 * oldest live entries while the compaction condition holds. Nothing depends on
 * timing, thread count or segment size.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Worker } from 'node:worker_threads'
import { DEFAULT_SEGMENT_BYTES, SHARD_BITS, IN_BLOCK_IDX_BITS, LEAVES_PER_TWIG, MAX_CHANGES_PER_BLOCK, MAX_KEY_BYTES, MAX_VALUE_BYTES, SHARD_COUNT, TWIG_SHIFT, ACTIVE_BITS_BYTES, FIRST_UPPER_LEVEL } from './constants.js'
import { compareHash, eDsn, eKeyLen, ENTRY_FIXED_BYTES, ePayloadLen, eSn, eValueLen, peekEntryLength } from './entry.js'
import { QmdbCorruptionError, QmdbInputError, QmdbStateError } from './errors.js'
import { hashKeysInto, hashPairsInto, hashSpansInto, NULL_LEFT_TREE, sha256 } from './hash.js'
import { HYBRID_MERGE_RATIO, HYBRID_MIN_BUFFER } from './hybrid-index.js'
import type { IndexKind } from './index.js'
import { fsyncDirAsync, readMeta, writeMeta, writeMetaAsync, META_FORMAT, type MetaRecord } from './meta.js'
import { shardOf, type QmdbProof } from './proof.js'
import { ReadPool } from './reader.js'
import { DEFAULT_TAIL_CACHE_BYTES, fsyncDir } from './segfile.js'
import { Shard, shardBounds, type ShardBlockStats, type ShardMeta } from './shard.js'
import { ShardTree, type MerkleJob, type TreeDelta } from './tree.js'

/** Options of `Qmdb.open`. None of them affects the root. */
export interface QmdbOptions {
  /** Worker threads for Merkleization (0 = hash on the calling thread). Default 1. */
  workers?: number
  /** Entry-log segment size in bytes. Default 256 MiB. */
  segmentBytes?: number
  /**
   * Index implementation: 'memory' (default; packed records, ~12-19 B/key) or 'hybrid'
   * (sorted run files in the shard directories, in memory a page summary and a buffer
   * of recent changes: <= 3 B/key between blocks; rebuilt from the log at every open).
   */
  index?: IndexKind
  /** Hybrid index: merge the change buffer into a new run when it exceeds this fraction of the keys (1.5 × that within a block). Default 0.05. */
  hybridMergeRatio?: number
  /** Hybrid index: ... and at least this many records per shard. Default 2048. */
  hybridMinBuffer?: number
  /**
   * Reader threads that fetch, in parallel with the calling thread, the on-disk entries a
   * block's changes read (in-memory index only). 0 = every read is a `pread` on the
   * calling thread. Default 1.
   */
  readers?: number
  /**
   * Bytes per shard of the entry log's tail cache (the most recently written log bytes
   * kept in memory, so reads of recent entries need no `pread`; a multiple of 8, 0 = off).
   * Default 16 MiB (64 MiB per store).
   */
  tailCacheBytes?: number
  /**
   * With workers: entry bytes after which a shard sends the part of the block applied so far
   * to its Merkle worker, so hashing overlaps the apply (0 = each shard's block in one job).
   * Default 0: on a loaded 2-core machine the overlap only moved time from the wait to the
   * apply (the worker took the core the apply needed); try `MERKLE_PART_BYTES` (1 MiB) with idle cores.
   */
  merklePartBytes?: number
}

/** Most reader threads a store starts. */
const MAX_READERS = 8

/** Hybrid index merge ratio while recovery rebuilds the index (transient memory, fewer merges). */
const RECOVERY_MERGE_RATIO = 0.25

/** Messages hashed per batch during recovery. */
const RECOVERY_BATCH = 4096
/** Staged message bytes after which recovery hashes a batch. */
const RECOVERY_STAGE_BYTES = 1 << 20

/** Staging area of recovery's batched hashing: message bytes, spans, and per-message extras. */
class RecoveryStage {
  n = 0
  private used = 0
  bytes = new Uint8Array(RECOVERY_STAGE_BYTES + 4096)
  readonly offs = new Int32Array(RECOVERY_BATCH)
  readonly lens = new Int32Array(RECOVERY_BATCH)
  readonly hashes = new Uint8Array(32 * RECOVERY_BATCH)
  /** Pass 1: serial numbers deactivated by staged entries; clearEnd[i] = end of entry i's in `clears`. */
  clears = new Float64Array(2 * RECOVERY_BATCH)
  private nClears = 0
  readonly clearEnd = new Int32Array(RECOVERY_BATCH)
  /** Pass 2: log offset of each staged key's entry, and whether it is a sentry. */
  readonly entryOff = new Float64Array(RECOVERY_BATCH)
  readonly sentry = new Uint8Array(RECOVERY_BATCH)

  /** Adds a deactivated serial number of the entry about to be staged. */
  addClear(d: number): void {
    if (this.nClears === this.clears.length) { const g = new Float64Array(2 * this.nClears); g.set(this.clears); this.clears = g }
    this.clears[this.nClears++] = d
  }

  /** Stages `src[pos..pos+len)`; returns true when the stage is full (flush it). */
  stage(src: Uint8Array, pos: number, len: number): boolean {
    if (this.used + len > this.bytes.length) {
      const g = new Uint8Array(Math.max(2 * this.bytes.length, this.used + len))
      g.set(this.bytes.subarray(0, this.used))
      this.bytes = g
    }
    this.bytes.set(src.subarray(pos, pos + len), this.used)
    this.offs[this.n] = this.used
    this.lens[this.n] = len
    this.clearEnd[this.n] = this.nClears
    this.used += len
    return ++this.n === RECOVERY_BATCH || this.used >= RECOVERY_STAGE_BYTES
  }

  /** Empties the stage. */
  reset(): void {
    this.n = 0
    this.used = 0
    this.nClears = 0
  }
}

/** One change of a block: `value` null deletes the key; values are never empty. */
export interface Change {
  key: Uint8Array
  value: Uint8Array | null
}

/** Totals of a block's work across shards. */
export type BlockStats = ShardBlockStats

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')
}

interface Pending {
  resolve: (d: TreeDelta) => void
  reject: (e: Error) => void
}

/** A QMDB store over one directory. */
export class Qmdb {
  private readonly shards: Shard[] = []
  private readonly trees: ShardTree[] = []
  private readonly workers: Worker[] = []
  private readonly waiting = new Map<string, Pending>()
  private seq = 0
  private appliedHeight = 0
  private committedHeight = 0
  private committedRoot: Uint8Array = new Uint8Array(32)
  private inFlight = 0
  /** A `commitSteps` generator is between shards. */
  private applying = false
  private tail: Promise<unknown> = Promise.resolve()
  private closed = false
  private failure: Error | undefined
  private pool: ReadPool | undefined
  private twigCache: { shard: number; twig: number; snEnd: number; tree: Uint8Array } | undefined
  /** Stats of the last applied block. */
  lastStats: BlockStats = { creates: 0, updates: 0, deletes: 0, compacted: 0 }

  private constructor(readonly dir: string, private readonly opts: Required<QmdbOptions>) {}

  /**
   * Opens (or creates) the store in `dir`. An existing store is truncated to its
   * last committed block and its trees rebuilt by replay; the open fails with
   * QmdbCorruptionError if the rebuilt root differs from the committed one.
   */
  static async open(dir: string, options: QmdbOptions = {}): Promise<Qmdb> {
    const opts: Required<QmdbOptions> = {
      workers: options.workers ?? 1, segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, index: options.index ?? 'memory',
      hybridMergeRatio: options.hybridMergeRatio ?? HYBRID_MERGE_RATIO, hybridMinBuffer: options.hybridMinBuffer ?? HYBRID_MIN_BUFFER,
      readers: options.readers ?? 1, tailCacheBytes: options.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES,
      merklePartBytes: options.merklePartBytes ?? 0,
    }
    if (opts.index !== 'memory' && opts.index !== 'hybrid') throw new QmdbInputError(`unknown index kind ${String(opts.index)}`)
    fs.mkdirSync(dir, { recursive: true })
    const db = new Qmdb(dir, opts)
    const { meta, anyFile } = readMeta(dir)
    if (!meta && anyFile && fs.existsSync(path.join(dir, 'meta.1'))) throw new QmdbCorruptionError(`${dir}: no valid meta record`)
    if (meta) opts.segmentBytes = meta.segmentBytes
    for (let s = 0; s < SHARD_COUNT; s++) {
      const sdir = path.join(dir, `shard${s}`)
      if (!meta) fs.rmSync(sdir, { recursive: true, force: true })
      db.shards.push(new Shard(s, sdir, opts.segmentBytes, opts.index, { ratio: opts.hybridMergeRatio, minBuffer: opts.hybridMinBuffer }, opts.tailCacheBytes))
      db.trees.push(new ShardTree())
    }
    fsyncDir(dir)
    if (!meta) db.genesis()
    else db.recover(meta)
    if (opts.index === 'memory' && opts.readers > 0) {
      db.pool = new ReadPool(db.shards.map((sh) => sh.log.dir), opts.segmentBytes, Math.max(0, Math.min(opts.readers, MAX_READERS)))
      for (const sh of db.shards) sh.pool = db.pool
    }
    for (let w = 0; w < Math.min(opts.workers, SHARD_COUNT); w++) {
      const worker = new Worker(new URL('./merkle-worker.js', import.meta.url))
      worker.on('message', (m: { seq: number; shard: number; delta?: TreeDelta; entries?: Uint8Array; error?: string }) => {
        const key = `${m.shard}:${m.seq}`
        if (m.entries && !db.closed) db.shards[m.shard]!.log.recycle(m.entries)
        const p = db.waiting.get(key)
        db.waiting.delete(key)
        if (!p) return
        if (m.delta) p.resolve(m.delta)
        else p.reject(new QmdbStateError(`merkle worker failed: ${m.error}`))
      })
      worker.on('error', (err) => { db.failure = err; for (const p of db.waiting.values()) p.reject(err); db.waiting.clear() })
      db.workers.push(worker)
    }
    for (let s = 0; s < SHARD_COUNT && db.workers.length > 0; s++) {
      const w = db.workers[s % db.workers.length]!
      w.postMessage({ type: 'init', shard: s, snapshot: db.trees[s]!.snapshot() })
      if (opts.merklePartBytes > 0) {
        const sh = db.shards[s]!
        sh.partBytes = opts.merklePartBytes
        // parts go before the block's last job on the same worker, so they are applied in order
        sh.partSink = (job) => w.postMessage({ type: 'part', shard: s, job }, [job.entries.buffer as ArrayBuffer])
      }
    }
    return db
  }

  private genesis(): void {
    for (const sh of this.shards) {
      sh.log.truncate(0)
      const { lo, hi } = shardBounds(sh.id)
      sh.append(lo, new Uint8Array(0), hi, 0, [])
      sh.index.insert(lo, 0, sh.fullHashAt)
      const job = sh.finishBlock()
      this.trees[sh.id]!.applyJob(job)
      this.trees[sh.id]!.commit(false)
      sh.log.syncNow()
      sh.log.takeDirDirty()
      fsyncDir(sh.log.dir)
    }
    fsyncDir(this.dir)
    this.committedRoot = this.globalRoot()
    writeMeta(this.dir, this.metaRecord(0, this.committedRoot, this.shards.map((s) => s.meta()), this.trees.map((t) => t.root)))
  }

  private metaRecord(height: number, root: Uint8Array, metas: ReturnType<Shard['meta']>[], roots: Uint8Array[]): MetaRecord {
    return { format: META_FORMAT, height, segmentBytes: this.opts.segmentBytes, root: hex(root), shards: metas.map((m, i) => ({ ...m, root: hex(roots[i]!) })) }
  }

  private globalRoot(): Uint8Array {
    const all = new Uint8Array(32 * SHARD_COUNT)
    this.trees.forEach((t, i) => all.set(t.root, 32 * i))
    return sha256(all)
  }

  private recover(meta: MetaRecord): void {
    if (meta.shards.length !== SHARD_COUNT) throw new QmdbCorruptionError(`meta has ${meta.shards.length} shards, format needs ${SHARD_COUNT}`)
    for (const sh of this.shards) {
      const m = meta.shards[sh.id]!
      sh.log.truncate(m.size)
      const tree = this.trees[sh.id]!
      let expectSn = 0
      // pass 1: bits and tree. Leaf hashes are computed in batches (payloads staged in
      // `st`), so the tree's appends and clears are deferred to each flush, in log order.
      const st = new RecoveryStage()
      const flushLeaves = (): void => {
        const n = st.n
        if (n === 0) return
        hashSpansInto(st.bytes, st.offs, st.lens, n, st.hashes, 0)
        let c = 0
        for (let i = 0; i < n; i++) {
          tree.appendLeaf(st.hashes, 32 * i)
          for (const end = st.clearEnd[i]!; c < end; c++) tree.clearBit(st.clears[c]!)
        }
        st.reset()
      }
      sh.log.scan(sh.log.startOffset, m.size, (buf, pos, len, off) => {
        if (len < ENTRY_FIXED_BYTES) throw new QmdbCorruptionError(`shard ${sh.id}: truncated entry at ${off}`)
        const sn = eSn(buf, pos)
        if (sn !== expectSn) throw new QmdbCorruptionError(`shard ${sh.id}: entry at ${off} has sn ${sn}, expected ${expectSn}`)
        sh.noteSn(sn, off)
        sh.setBit(sn, true)
        const nd = buf[pos + 4]!
        for (let i = 0; i < nd; i++) {
          const d = eDsn(buf, pos, i)
          if (d >= sn || !sh.isActive(d)) throw new QmdbCorruptionError(`shard ${sh.id}: entry ${sn} deactivates inactive sn ${d}`)
          sh.setBit(d, false)
          st.addClear(d)
        }
        if (st.stage(buf, pos, ePayloadLen(buf, pos))) flushLeaves()
        expectSn++
      })
      flushLeaves()
      if (expectSn !== m.snEnd) throw new QmdbCorruptionError(`shard ${sh.id}: log holds ${expectSn} entries, meta says ${m.snEnd}`)
      sh.snEnd = m.snEnd
      sh.snStart = m.snStart
      sh.compactPos = m.compactPos
      // pass 2: index of live entries (hybrid: maybeMerge switches to the recovery threshold until endBlock);
      // key hashes in batches: keys staged with their offsets, inserted at each flush
      sh.index.maybeMerge(RECOVERY_MERGE_RATIO)
      let active = 0
      const flushKeys = (): void => {
        const n = st.n
        if (n === 0) return
        hashSpansInto(st.bytes, st.offs, st.lens, n, st.hashes, 0)
        for (let i = 0; i < n; i++) {
          // a sentry's key is its key hash
          if (st.sentry[i]) st.hashes.set(st.bytes.subarray(st.offs[i]!, st.offs[i]! + 32), 32 * i)
          sh.index.insert(st.hashes, st.entryOff[i]!, sh.fullHashAt, 32 * i)
          // hybrid: bounded buffer while rebuilding (a larger ratio than between blocks: fewer merges)
          if ((++active & 4095) === 0) sh.index.maybeMerge(RECOVERY_MERGE_RATIO)
        }
        st.reset()
      }
      sh.log.scan(sh.log.startOffset, m.size, (buf, pos, _len, off) => {
        if (!sh.isActive(eSn(buf, pos))) return
        const k = eKeyLen(buf, pos), sentry = eValueLen(buf, pos) === 0
        if (sentry && k !== 32) throw new QmdbCorruptionError(`shard ${sh.id}: sentry key at ${off} is not 32 bytes`)
        st.entryOff[st.n] = off
        st.sentry[st.n] = sentry ? 1 : 0
        if (st.stage(buf, pos + 5, k)) flushKeys()
      })
      flushKeys()
      sh.index.endBlock()
      sh.active = active
      if (active !== m.active) throw new QmdbCorruptionError(`shard ${sh.id}: ${active} live entries, meta says ${m.active}`)
      sh.resetBlock()
      tree.commit(false)
      if (hex(tree.root) !== m.root) throw new QmdbCorruptionError(`shard ${sh.id}: root after recovery ${hex(tree.root)} != committed ${m.root}`)
      sh.log.syncNow()
    }
    const root = this.globalRoot()
    if (hex(root) !== meta.root) throw new QmdbCorruptionError(`root after recovery ${hex(root)} != committed ${meta.root}`)
    this.appliedHeight = this.committedHeight = meta.height
    this.committedRoot = root
  }

  /** Height of the last durable block. */
  get height(): number {
    return this.committedHeight
  }

  /** Global root of the last durable block. */
  get root(): Uint8Array {
    return this.committedRoot.slice()
  }

  /** The current value of `key` (reflecting every applied block), or undefined. */
  get(key: Uint8Array): Uint8Array | undefined {
    this.checkOpen()
    const kh = this.getKh
    this.getKeys[0] = key
    hashKeysInto(this.getKeys, kh, 0)
    return this.shards[shardOf(kh)]!.readValue(key, kh, 0)
  }

  private readonly getKh = new Uint8Array(32)
  private readonly getKeys: Uint8Array[] = [new Uint8Array(0)]

  /** Values of several keys at once (key hashes computed in one batch); undefined where absent. */
  getMany(keys: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    this.checkOpen()
    const khs = new Uint8Array(32 * keys.length)
    hashKeysInto(keys, khs, 0)
    return keys.map((k, i) => this.shards[khs[32 * i]! >> (8 - SHARD_BITS)]!.readValue(k, khs, 32 * i))
  }

  private checkOpen(): void {
    if (this.closed) throw new QmdbStateError('store is closed')
    if (this.failure) throw new QmdbStateError(`store failed: ${this.failure.message}`)
  }

  /**
   * Commits the block `height` (default: the next one). Applies the changes
   * now (reads see them on return) and resolves with the global root once the
   * block is durable. Changes may be in any order; a key may appear once.
   */
  commit(changes: Iterable<Change>, height = this.appliedHeight + 1): Promise<Uint8Array> {
    const steps = this.commitSteps(changes, height, () => false)
    let r = steps.next()
    while (r.done !== true) r = steps.next()
    return r.value.root
  }

  /**
   * `commit` as a generator that yields between shards when `pause()` answers
   * true, so a caller on the event loop (the sequencer's seal) never holds it
   * for a whole block's apply. Same entries, same root: the shards are
   * applied in the same order either way. Between yields every applied shard
   * is complete (reads see it); `prove` and another commit are refused until
   * the generator has returned. Returns the root's promise wrapped (an async
   * driver must not await it).
   */
  *commitSteps(changes: Iterable<Change>, height: number, pause: () => boolean): Generator<void, { root: Promise<Uint8Array> }, void> {
    this.checkOpen()
    if (this.applying) throw new QmdbStateError('a block is being applied: finish its commitSteps first')
    if (height !== this.appliedHeight + 1) throw new QmdbInputError(`block ${height} does not follow ${this.appliedHeight}`)
    const keys: Uint8Array[] = []
    const values: (Uint8Array | null)[] = []
    for (const c of changes) {
      if (!(c.key instanceof Uint8Array) || c.key.length === 0 || c.key.length > MAX_KEY_BYTES) throw new QmdbInputError('key must be 1..255 bytes')
      if (c.value !== null && (c.value.length === 0 || c.value.length > MAX_VALUE_BYTES)) throw new QmdbInputError('value must be 1..16777215 bytes (null deletes)')
      keys.push(c.key)
      values.push(c.value)
    }
    const n = keys.length
    if (n > MAX_CHANGES_PER_BLOCK) throw new QmdbInputError('too many changes in one block')
    const khs = new Uint8Array(32 * n)
    hashKeysInto(keys, khs, 0)
    const order = sortByKeyHash(khs, n)
    const stats: BlockStats = { creates: 0, updates: 0, deletes: 0, compacted: 0 }
    // Each shard's Merkle job goes to its worker and its log's fdatasync to the libuv pool
    // as soon as the shard is applied, so they overlap the next shards' apply (a shard's
    // state is only changed by its own apply, so its meta is final at that point too).
    const jobs: MerkleJob[] = []
    const metas: ShardMeta[] = []
    const dirs: string[] = []
    const syncs: Promise<void>[] = []
    const shardRoots: Promise<Uint8Array>[] = []
    let i = 0
    this.applying = true
    try {
      for (const sh of this.shards) {
        let j = i
        while (j < n && khs[32 * order[j]!]! >> (8 - SHARD_BITS) === sh.id) j++
        const st = sh.applyBlock(keys, values, khs, order, i, j, height * 2 ** IN_BLOCK_IDX_BITS)
        i = j
        stats.creates += st.creates; stats.updates += st.updates; stats.deletes += st.deletes; stats.compacted += st.compacted
        const job = sh.finishBlock()
        metas.push(sh.meta())
        if (sh.log.takeDirDirty()) dirs.push(sh.log.dir)
        syncs.push(sh.log.sync())
        if (this.workers.length > 0) {
          const s = sh.id
          shardRoots.push(this.runJob(s, job).then((d) => { this.trees[s]!.applyDelta(d); return d.root }))
        } else jobs.push(job)
        if (metas.length < this.shards.length && pause()) yield
      }
    } catch (err) {
      this.failure = err as Error
      // a shard's job or sync already issued must not reject unobserved
      for (const p of [...shardRoots, ...syncs]) p.catch(() => undefined)
      throw err
    } finally {
      this.applying = false
    }
    this.lastStats = stats
    this.appliedHeight = height
    const roots: Promise<Uint8Array[]> = this.workers.length > 0 ? Promise.all(shardRoots) : Promise.resolve(jobs.map((job, s) => {
      const t = this.trees[s]!
      t.applyJob(job); t.commit(false)
      this.shards[s]!.log.recycle(job.entries)
      return t.root
    }))
    const allSynced = Promise.all(syncs)
    this.inFlight++
    const done = Promise.all([roots, allSynced, this.tail]).then(async ([rs]) => {
      // off the calling thread (libuv pool), in order: new segment names durable, then the
      // meta record written, fsynced and its directory fsynced; only then is the block committed
      await Promise.all(dirs.map((d) => fsyncDirAsync(d)))
      const all = new Uint8Array(32 * SHARD_COUNT)
      rs.forEach((r, s) => all.set(r, 32 * s))
      const root = sha256(all)
      await writeMetaAsync(this.dir, this.metaRecord(height, root, metas, rs))
      this.committedHeight = height
      this.committedRoot = root
      this.inFlight--
      return root
    })
    done.catch((err: Error) => { this.failure = err })
    this.tail = done.catch(() => undefined)
    return { root: done }
  }

  private runJob(shard: number, job: MerkleJob): Promise<TreeDelta> {
    const seq = ++this.seq
    return new Promise<TreeDelta>((resolve, reject) => {
      this.waiting.set(`${shard}:${seq}`, { resolve, reject })
      this.workers[shard % this.workers.length]!.postMessage({ type: 'job', shard, seq, job }, [job.entries.buffer as ArrayBuffer])
    })
  }

  /** Resolves when every commit issued so far is durable. */
  async flush(): Promise<void> {
    await this.tail
    if (this.failure) throw new QmdbStateError(`store failed: ${this.failure.message}`)
  }

  /**
   * A proof for `key` against the last committed root: membership when the key
   * exists, otherwise non-membership via its predecessor. Synchronous; requires
   * no commit in flight (await `flush()` first).
   */
  prove(key: Uint8Array): QmdbProof {
    this.checkOpen()
    if (this.inFlight > 0 || this.applying) throw new QmdbStateError('a commit is in flight: await flush() before prove()')
    const kh = sha256(key)
    const s = shardOf(kh)
    const sh = this.shards[s]!
    const e = sh.lookup(key, kh) ?? sh.predecessor(kh)
    const { buf, pos } = sh.log.read(e.offset)
    const entry = buf.slice(pos, pos + e.payloadLen)
    const twig = Math.floor(e.sn / LEAVES_PER_TWIG)
    const left = this.twigLeftTree(s, twig)
    const leftPath = new Uint8Array(32 * TWIG_SHIFT)
    let n = LEAVES_PER_TWIG + (e.sn % LEAVES_PER_TWIG)
    for (let i = 0; i < TWIG_SHIFT; i++, n >>= 1) leftPath.set(left.subarray((n ^ 1) * 32, (n ^ 1) * 32 + 32), 32 * i)
    const bits = sh.bits.subarray(twig * ACTIVE_BITS_BYTES, (twig + 1) * ACTIVE_BITS_BYTES)
    const j = (e.sn % LEAVES_PER_TWIG) >> 8
    const l1 = new Uint8Array(128), l2 = new Uint8Array(64)
    hashPairsInto(8, bits, 0, l1, 0, 4)
    hashPairsInto(9, l1, 0, l2, 0, 2)
    const rightPath = new Uint8Array(96)
    rightPath.set(bits.subarray((j ^ 1) * 32, (j ^ 1) * 32 + 32), 0)
    rightPath.set(l1.subarray(((j >> 1) ^ 1) * 32, ((j >> 1) ^ 1) * 32 + 32), 32)
    rightPath.set(l2.subarray(((j >> 2) ^ 1) * 32, ((j >> 2) ^ 1) * 32 + 32), 64)
    const tree = this.trees[s]!
    const levels = tree.maxLevel - FIRST_UPPER_LEVEL
    const upperPath = new Uint8Array(32 * levels)
    for (let i = 0; i < levels; i++) {
      const [a, ao] = tree.nodeAt(FIRST_UPPER_LEVEL + i, Math.floor(twig / 2 ** i) ^ 1)
      upperPath.set(a.subarray(ao, ao + 32), 32 * i)
    }
    const shardRoots = new Uint8Array(32 * SHARD_COUNT)
    this.trees.forEach((t, i) => shardRoots.set(t.root, 32 * i))
    return { key: new Uint8Array(key), entry, leftPath, page: bits.slice(j * 32, j * 32 + 32), rightPath, upperPath, shardRoots }
  }

  /** Left tree (heap order) of twig `twig` of shard `s`, rebuilt from the log (cached for the last twig asked). */
  private twigLeftTree(s: number, twig: number): Uint8Array {
    const sh = this.shards[s]!
    const c = this.twigCache
    if (c && c.shard === s && c.twig === twig && c.snEnd === sh.snEnd) return c.tree
    const t = NULL_LEFT_TREE.slice()
    const from = sh.twigStart[twig]!
    const lastSn = Math.min(sh.snEnd, (twig + 1) * LEAVES_PER_TWIG)
    const to = lastSn === sh.snEnd ? sh.log.size : sh.twigStart[twig + 1]!
    // the twig's payloads staged, then hashed in one batch straight into the leaf level
    const st = new RecoveryStage()
    const want = lastSn - twig * LEAVES_PER_TWIG
    sh.log.scan(from, to, (buf, pos) => {
      st.stage(buf, pos, ePayloadLen(buf, pos))
      return st.n < want
    })
    hashSpansInto(st.bytes, st.offs, st.lens, st.n, t, LEAVES_PER_TWIG * 32)
    for (let lvl = 0, width = LEAVES_PER_TWIG >> 1; lvl < TWIG_SHIFT; lvl++, width >>= 1) hashPairsInto(lvl, t, 2 * width * 32, t, width * 32, width)
    this.twigCache = { shard: s, twig, snEnd: sh.snEnd, tree: t }
    return t
  }

  /**
   * Memory of the indexes in bytes, and the number of live keys (sentries excluded).
   * `peakBytes`: the largest memory seen at a block's end before the hybrid index merged
   * its buffer (that block's changes included), summed over shards; = `bytes` in memory mode.
   */
  indexStats(): { bytes: number; keys: number; peakBytes: number } {
    let bytes = 0, keys = 0, peakBytes = 0
    for (const sh of this.shards) {
      const b = sh.index.byteSize()
      bytes += b; keys += sh.index.count - 1; peakBytes += Math.max(b, sh.index.peakBytes)
    }
    return { bytes, keys, peakBytes }
  }

  /** The index implementation in use. */
  get indexKind(): IndexKind {
    return this.opts.index
  }

  /** Bytes of entry-log segments on disk. */
  diskBytes(): number {
    return this.shards.reduce((n, s) => n + s.log.diskBytes(), 0)
  }

  /** Waits for in-flight commits, stops workers and closes files. */
  async close(): Promise<void> {
    if (this.closed) return
    try { await this.tail } finally {
      this.closed = true
      await Promise.all(this.workers.map((w) => w.terminate()))
      await this.pool?.close()
      for (const sh of this.shards) { sh.log.close(); sh.index.close() }
    }
  }
}

/**
 * Indices 0..n-1 ordered by key hash (`khs`, 32 bytes each); throws QmdbInputError on a
 * duplicate. Sorts numbers (a 28-bit prefix and the index packed in a double), then orders
 * runs of equal prefixes by full hash.
 */
export function sortByKeyHash(khs: Uint8Array, n: number): Int32Array {
  const IDX = 2 ** IN_BLOCK_IDX_BITS
  const v = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const o = 32 * i
    const pre = (khs[o]! << 20) | (khs[o + 1]! << 12) | (khs[o + 2]! << 4) | (khs[o + 3]! >> 4)
    v[i] = pre * IDX + i
  }
  v.sort()
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = v[i]! % IDX
  for (let i = 1; i < n; i++) {
    if (Math.floor(v[i]! / IDX) !== Math.floor(v[i - 1]! / IDX)) continue
    // equal prefixes: insertion sort of this element into its run by full hash
    for (let j = i; j > 0 && Math.floor(v[j]! / IDX) === Math.floor(v[j - 1]! / IDX); j--) {
      const c = compareHash(khs, 32 * order[j - 1]!, khs, 32 * order[j]!)
      if (c === 0) throw new QmdbInputError('duplicate key in one block')
      if (c < 0) break
      const t = order[j]!; order[j] = order[j - 1]!; order[j - 1] = t
    }
  }
  return order
}

export { peekEntryLength }
