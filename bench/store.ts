/**
 * bench:store — durable write throughput of the chain store against `lmdb`
 * (the B-tree peer) on the same stream of realistic blocks in the same run.
 *
 * Blocks are ~1,000 transactions in 100 mini-blocks (70% ERC20 transfers,
 * 30% Uniswap-V2 swaps with 4 logs), made by the test fixture generator. A
 * pool of distinct blocks is generated up front and replayed with patched
 * hashes and numbers, so generation cost is not measured. Each store gets
 * the same time budget and one durable commit per block, pipelined to depth
 * one for both, as the node does: block n+1 is packed while block n syncs,
 * and block n must be durable before block n+1 commits.
 *
 * - ours: `BlockWriter.commit` (segments and commit.log fdatasync'ed).
 * - lmdb: one `transaction` per block in lmdb-js's normal durable mode
 *   (sync on commit, `overlappingSync`, the Linux default), map size 8 GiB
 *   (the bench writes well under that, so the map never has to grow). Its
 *   next block's transaction starts once the previous one has committed, so
 *   building block n+1 overlaps block n's flush, like ours; block n+1 counts
 *   as durable when lmdb's `flushed` resolves. BENCH_LMDB_MODE=strict waits
 *   for `flushed` before starting the next transaction instead,
 *   BENCH_LMDB_MODE=batch uses `batch` (puts run on lmdb's write thread).
 *
 * Both index the same keys: block number and hash, mini-block number, tx
 * hash, receipt, and every log address/topic by block. A reader runs between
 * writes doing random tx-by-hash lookups of committed blocks; its latency is
 * reported ("under writes"), and again for a burst of lookups after the
 * writes ("quiet"). Bytes written to disk come from /proc/self/io
 * (write_bytes) around each phase; write amplification = disk bytes /
 * logical bytes handed to the store.
 *
 * The machines are shared and noisy, so the bench alternates the two stores
 * BENCH_RUNS times (fresh directories each time) and reports per-run figures
 * and medians; the ratio is the median of the per-run ratios.
 *
 * Env: BENCH_SECONDS (per store and run, default 8), BENCH_RUNS (default 3),
 * BENCH_TXS (per mini-block, default 10), BENCH_BATCH_KIB (our raw batch size
 * for every stream; default: the store's per-stream defaults),
 * BENCH_LMDB_MODE (overlap | strict | batch, default overlap), BENCH_OURS_OPTIONS
 * (JSON merged into our `ChainStore.open` options, e.g. '{"commitSync":"ordered"}').
 * Output: a table, then one JSON line {"bench":"store",...,"ratio":…}.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { open as openLmdb, type Database, type RootDatabase } from 'lmdb'
import { ChainStore, hasNativeZstd, type BlockInput, type ChainStoreOptions, type MiniBlockInput } from '../src/storage/index.js'
import { makeBlock, logicalBytes, recordCount, type ChainShape } from '../test/storage/fixtures.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3))
const SHAPE: ChainShape = { seed: 1, minisPerBlock: 100, txsPerMini: Number(process.env.BENCH_TXS ?? 10) }
const POOL = 24
const OURS_OPTIONS: ChainStoreOptions = {
  ...(process.env.BENCH_BATCH_KIB ? { batchBytes: Number(process.env.BENCH_BATCH_KIB) * 1024 } : {}),
  ...(process.env.BENCH_OURS_OPTIONS ? (JSON.parse(process.env.BENCH_OURS_OPTIONS) as ChainStoreOptions) : {}),
}
const LMDB_MODE = process.env.BENCH_LMDB_MODE ?? 'overlap'
const LMDB_MAP_SIZE = 8 * 2 ** 30
const QUIET_READS = 2000
const tty = process.stderr.isTTY

function progress(msg: string): void {
  if (tty) process.stderr.write(`\r\x1b[K${msg}`)
}

function diskWriteBytes(): number {
  const m = /^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))
  return m ? Number(m[1]) : NaN
}

function dirBytes(dir: string): number {
  let n = 0
  for (const f of readdirSync(dir)) n += statSync(join(dir, f)).size
  return n
}

interface Pooled {
  block: BlockInput
  minis: MiniBlockInput[]
  logical: number
  records: number
}

function patchHash(h: Uint8Array, n: number): Uint8Array {
  const c = h.slice()
  c[28] = n >>> 24
  c[29] = (n >>> 16) & 0xff
  c[30] = (n >>> 8) & 0xff
  c[31] = n & 0xff
  return c
}

/** Block `n` of the replayed stream: pool entry n % POOL with hashes and numbers made unique. */
function blockAt(pool: Pooled[], n: number): { block: BlockInput; minis: MiniBlockInput[] } {
  const p = pool[n % POOL]!
  return {
    block: { number: n, hash: patchHash(p.block.hash, n), header: p.block.header },
    minis: p.minis.map((m, i) => ({
      number: n * SHAPE.minisPerBlock + i,
      index: i,
      hash: patchHash(m.hash, n),
      header: m.header,
      txs: m.txs.map((t) => ({ ...t, hash: patchHash(t.hash, n) })),
    })),
  }
}

interface PhaseResult {
  name: string
  blocks: number
  records: number
  logicalBytes: number
  seconds: number
  diskBytes: number
  fileBytes: number
  readP50us: number
  readP99us: number
  reads: number
  quietP50us: number
  quietP99us: number
}

function pct(a: number[], p: number): number {
  if (a.length === 0) return NaN
  const s = [...a].sort((x, y) => x - y)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

function median(a: number[]): number {
  return pct(a, 50)
}

/** Random hash of a committed tx (blocks 0..head). */
function randomTxHash(pool: Pooled[], head: number, rnd: () => number): Uint8Array | undefined {
  const n = Math.floor(rnd() * (head + 1))
  const p = pool[n % POOL]!
  const m = p.minis[Math.floor(rnd() * p.minis.length)]!
  if (m.txs.length === 0) return undefined
  return patchHash(m.txs[Math.floor(rnd() * m.txs.length)]!.hash, n)
}

function lcg(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 4294967296
  }
}

function timeLookup(lookup: (hash: Uint8Array) => boolean, h: Uint8Array, lat: number[]): void {
  const t0 = process.hrtime.bigint()
  const ok = lookup(h)
  lat.push(Number(process.hrtime.bigint() - t0) / 1000)
  if (!ok) throw new Error('bench reader: committed tx not found')
}

/** Random committed-tx lookups between writes; returns the latencies (µs) when stopped. */
function startReader(pool: Pooled[], committed: () => number, lookup: (hash: Uint8Array) => boolean): { stop: () => Promise<number[]> } {
  const lat: number[] = []
  let running = true
  const rnd = lcg(12345)
  const done = (async () => {
    while (running) {
      const head = committed()
      const h = head >= 0 ? randomTxHash(pool, head, rnd) : undefined
      if (h) timeLookup(lookup, h, lat)
      await new Promise((r) => setTimeout(r, 1))
    }
  })()
  return {
    stop: async () => {
      running = false
      await done
      return lat
    },
  }
}

/** A burst of lookups with no writes going on. */
function quietReads(pool: Pooled[], head: number, lookup: (hash: Uint8Array) => boolean): number[] {
  const lat: number[] = []
  const rnd = lcg(777)
  while (lat.length < QUIET_READS) {
    const h = randomTxHash(pool, head, rnd)
    if (h) timeLookup(lookup, h, lat)
  }
  return lat
}

async function benchOurs(pool: Pooled[], dir: string): Promise<PhaseResult> {
  const store = await ChainStore.open(dir, OURS_OPTIONS)
  const disk0 = diskWriteBytes()
  const lookup = (h: Uint8Array) => store.read((s) => s.getTransaction(h) !== undefined)
  const reader = startReader(pool, () => store.head, lookup)
  const t0 = performance.now()
  let n = 0
  let logical = 0
  let records = 0
  let inFlight: Promise<void> = Promise.resolve()
  while (performance.now() - t0 < SECONDS * 1000) {
    const { block, minis } = blockAt(pool, n)
    const w = store.beginBlock(n)
    for (const m of minis) w.appendMiniBlock(m)
    await inFlight // block n-1 durable before block n is sealed
    inFlight = w.commit(block) // durable: streams and commit.log fdatasync'ed
    logical += pool[n % POOL]!.logical
    records += pool[n % POOL]!.records
    n++
    if (n % 10 === 0) progress(`tachyon: ${n} blocks, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  }
  await inFlight
  const seconds = (performance.now() - t0) / 1000
  const lat = await reader.stop()
  const diskBytes = diskWriteBytes() - disk0
  const quiet = quietReads(pool, store.head, lookup)
  await store.close()
  return { name: 'tachyon', blocks: n, records, logicalBytes: logical, seconds, diskBytes, fileBytes: dirBytes(dir), readP50us: pct(lat, 50), readP99us: pct(lat, 99), reads: lat.length, quietP50us: pct(quiet, 50), quietP99us: pct(quiet, 99) }
}

function u32be(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
}

async function benchLmdb(pool: Pooled[], dir: string): Promise<PhaseResult> {
  const root: RootDatabase = openLmdb({ path: dir, compression: false, mapSize: LMDB_MAP_SIZE })
  const opt = { keyEncoding: 'binary' as const, encoding: 'binary' as const }
  const blocks: Database<Buffer, Buffer> = root.openDB({ name: 'blocks', ...opt })
  const blockHash: Database<Buffer, Buffer> = root.openDB({ name: 'blockHash', ...opt })
  const minisDb: Database<Buffer, Buffer> = root.openDB({ name: 'minis', ...opt })
  const txs: Database<Buffer, Buffer> = root.openDB({ name: 'txs', ...opt })
  const receipts: Database<Buffer, Buffer> = root.openDB({ name: 'receipts', ...opt })
  const logIdx: Database<Buffer, Buffer> = root.openDB({ name: 'logIdx', ...opt })
  const empty = Buffer.alloc(0)
  const disk0 = diskWriteBytes()
  let head = -1
  const lookup = (h: Uint8Array) => txs.getBinary(Buffer.from(h)) !== undefined
  const reader = startReader(pool, () => head, lookup)
  const writeBlock = (n: number, block: BlockInput, minis: MiniBlockInput[]) => {
    const num = Buffer.from(u32be(n))
    blocks.put(num, Buffer.from(block.header))
    blockHash.put(Buffer.from(block.hash), num)
    let txIndex = 0
    for (const m of minis) {
      minisDb.put(Buffer.from(u32be(m.number)), Buffer.from(m.header))
      for (const t of m.txs) {
        const h = Buffer.from(t.hash)
        txs.put(h, Buffer.concat([num, u32be(txIndex++), t.tx]))
        receipts.put(h, Buffer.from(t.receipt))
        // Log index: address/topic ‖ block number → (dup-free) marker, like our posting lists.
        for (const l of t.logs) {
          logIdx.put(Buffer.concat([l.address, num]), empty)
          for (const tp of l.topics) logIdx.put(Buffer.concat([tp, num]), empty)
        }
      }
    }
  }
  const t0 = performance.now()
  let n = 0
  let logical = 0
  let records = 0
  let committed: Promise<unknown> = Promise.resolve()
  let durable: Promise<unknown> = Promise.resolve()
  while (performance.now() - t0 < SECONDS * 1000) {
    const { block, minis } = blockAt(pool, n)
    const bn = n
    if (LMDB_MODE === 'strict') {
      await durable // block n-1 flushed before block n's transaction starts
      const c = root.transaction(() => writeBlock(bn, block, minis))
      durable = c.then(() => root.flushed).then(() => (head = bn))
    } else {
      // Block n's transaction runs while block n-1 flushes; at most one flush outstanding.
      await committed
      const prevDurable = durable
      const c = LMDB_MODE === 'batch' ? root.batch(() => writeBlock(bn, block, minis)) : root.transaction(() => writeBlock(bn, block, minis))
      committed = Promise.all([c, prevDurable])
      durable = c.then(() => root.flushed).then(() => (head = bn))
    }
    logical += pool[n % POOL]!.logical
    records += pool[n % POOL]!.records
    n++
    if (n % 5 === 0) progress(`lmdb: ${n} blocks, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  }
  await durable
  const seconds = (performance.now() - t0) / 1000
  const lat = await reader.stop()
  const diskBytes = diskWriteBytes() - disk0
  const quiet = quietReads(pool, head, lookup)
  await root.close()
  return { name: 'lmdb', blocks: n, records, logicalBytes: logical, seconds, diskBytes, fileBytes: dirBytes(dir), readP50us: pct(lat, 50), readP99us: pct(lat, 99), reads: lat.length, quietP50us: pct(quiet, 50), quietP99us: pct(quiet, 99) }
}

function row(r: PhaseResult, run: number | string): Record<string, string | number> {
  return {
    run,
    store: r.name,
    blocks: r.blocks,
    'records/s': Math.round(r.records / r.seconds),
    'txs/s': Math.round((r.records - r.blocks * (1 + SHAPE.minisPerBlock)) / 2 / r.seconds),
    'MB/s (logical)': +(r.logicalBytes / r.seconds / 1e6).toFixed(1),
    'write amp': +(r.diskBytes / r.logicalBytes).toFixed(3),
    'file/logical': +(r.fileBytes / r.logicalBytes).toFixed(3),
    'read p50 µs': +r.readP50us.toFixed(1),
    'read p99 µs': +r.readP99us.toFixed(1),
    'quiet p50 µs': +r.quietP50us.toFixed(1),
    'quiet p99 µs': +r.quietP99us.toFixed(1),
  }
}

function medianRow(rs: PhaseResult[]): Record<string, string | number> {
  const rows = rs.map((r) => row(r, 0))
  const out: Record<string, string | number> = { run: 'median', store: rs[0]!.name }
  for (const k of Object.keys(rows[0]!)) if (k !== 'run' && k !== 'store') out[k] = median(rows.map((r) => r[k] as number))
  return out
}

async function main(): Promise<void> {
  progress('generating blocks…')
  const pool: Pooled[] = []
  for (let i = 0; i < POOL; i++) {
    const b = makeBlock(SHAPE, i)
    pool.push({ ...b, logical: logicalBytes(b), records: recordCount(b) })
  }
  const root = mkdtempSync(join(tmpdir(), 'tachyon-bench-store-'))
  const ours: PhaseResult[] = []
  const peer: PhaseResult[] = []
  const ratios: number[] = []
  try {
    for (let r = 0; r < RUNS; r++) {
      const o = await benchOurs(pool, join(root, `tachyon-${r}`))
      rmSync(join(root, `tachyon-${r}`), { recursive: true, force: true })
      const l = await benchLmdb(pool, join(root, `lmdb-${r}`))
      rmSync(join(root, `lmdb-${r}`), { recursive: true, force: true })
      ours.push(o)
      peer.push(l)
      ratios.push(o.records / o.seconds / (l.records / l.seconds))
    }
    progress('')
    const rows = ours.flatMap((o, r) => [row(o, r + 1), row(peer[r]!, r + 1)])
    rows.push(medianRow(ours), medianRow(peer))
    console.table(rows)
    const txsPerBlock = pool.reduce((a, p) => a + (p.records - 1 - SHAPE.minisPerBlock) / 2, 0) / POOL
    const kbPerBlock = pool.reduce((a, p) => a + p.logical, 0) / POOL / 1024
    console.log(
      `blocks: ${txsPerBlock.toFixed(0)} txs, ${SHAPE.minisPerBlock} mini-blocks, ${kbPerBlock.toFixed(0)} KiB logical each; one durable commit per block; ` +
        `${SECONDS} s per store × ${RUNS} runs; zstd native: ${hasNativeZstd}; lmdb: ${LMDB_MODE === 'batch' ? 'batch' : 'transaction'} per block, ` +
        `${LMDB_MODE === 'strict' ? 'next block after flushed' : 'next block after commit, one flush outstanding'}, mapSize ${LMDB_MAP_SIZE / 2 ** 30} GiB, default sync (overlappingSync)`,
    )
    console.log(`throughput ratio per run: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}`)
    const mo = medianRow(ours)
    const ml = medianRow(peer)
    console.log(
      JSON.stringify({
        bench: 'store',
        seconds: SECONDS,
        runs: RUNS,
        txsPerBlock: Math.round(txsPerBlock),
        lmdbMode: LMDB_MODE,
        oursRecordsPerSec: mo['records/s'],
        oursMBps: mo['MB/s (logical)'],
        oursWriteAmp: mo['write amp'],
        oursReadP50us: mo['read p50 µs'],
        oursReadP99us: mo['read p99 µs'],
        oursQuietP50us: mo['quiet p50 µs'],
        lmdbRecordsPerSec: ml['records/s'],
        lmdbMBps: ml['MB/s (logical)'],
        lmdbWriteAmp: ml['write amp'],
        lmdbReadP50us: ml['read p50 µs'],
        lmdbReadP99us: ml['read p99 µs'],
        lmdbQuietP50us: ml['quiet p50 µs'],
        ratios: ratios.map((x) => +x.toFixed(2)),
        ratio: +median(ratios).toFixed(2),
      }),
    )
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

await main()
