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
 * and block n must be durable before block n+1 commits (ours: `commit` =
 * fdatasync of the streams then of commit.log; lmdb: `transaction` then
 * `flushed`). Both index the same keys: block
 * number and hash, mini-block number, tx hash, receipt, and every log
 * address/topic by block. A reader runs between writes doing random
 * tx-by-hash lookups of committed blocks; its latency is reported.
 * Bytes written to disk come from /proc/self/io (write_bytes) around each
 * phase; write amplification = disk bytes / logical bytes handed to the store.
 *
 * Env: BENCH_SECONDS (per store, default 8), BENCH_TXS (per mini-block, default 10),
 * BENCH_BATCH_KIB (our raw batch size, default 64: bigger writes faster, reads slower).
 * Output: a table, then one JSON line {"bench":"store",...,"ratio":…}.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { open as openLmdb, type Database, type RootDatabase } from 'lmdb'
import { ChainStore, hasNativeZstd, type BlockInput, type MiniBlockInput } from '../src/storage/index.js'
import { makeBlock, logicalBytes, recordCount, type ChainShape } from '../test/storage/fixtures.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const SHAPE: ChainShape = { seed: 1, minisPerBlock: 100, txsPerMini: Number(process.env.BENCH_TXS ?? 10) }
const POOL = 24
const BATCH_BYTES = Number(process.env.BENCH_BATCH_KIB ?? 64) * 1024
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

/** Block `n` of the replayed stream: pool entry n % POOL with hashes and numbers made unique. */
function blockAt(pool: Pooled[], n: number): { block: BlockInput; minis: MiniBlockInput[] } {
  const p = pool[n % POOL]!
  const patch = (h: Uint8Array) => {
    const c = h.slice()
    c[28] = n >>> 24
    c[29] = (n >>> 16) & 0xff
    c[30] = (n >>> 8) & 0xff
    c[31] = n & 0xff
    return c
  }
  return {
    block: { number: n, hash: patch(p.block.hash), header: p.block.header },
    minis: p.minis.map((m, i) => ({
      number: n * SHAPE.minisPerBlock + i,
      index: i,
      hash: patch(m.hash),
      header: m.header,
      txs: m.txs.map((t) => ({ ...t, hash: patch(t.hash) })),
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
}

function pct(a: number[], p: number): number {
  if (a.length === 0) return NaN
  const s = [...a].sort((x, y) => x - y)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

/** Random committed-tx lookups between writes; returns the latencies (µs) when stopped. */
function startReader(pool: Pooled[], committed: () => number, lookup: (hash: Uint8Array) => boolean): { stop: () => Promise<number[]> } {
  const lat: number[] = []
  let running = true
  let seed = 12345
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 4294967296
  }
  const done = (async () => {
    while (running) {
      const head = committed()
      if (head >= 0) {
        const n = Math.floor(rnd() * (head + 1))
        const p = pool[n % POOL]!
        const mi = Math.floor(rnd() * p.minis.length)
        const m = p.minis[mi]!
        if (m.txs.length > 0) {
          const t = m.txs[Math.floor(rnd() * m.txs.length)]!
          const h = t.hash.slice()
          h[28] = n >>> 24
          h[29] = (n >>> 16) & 0xff
          h[30] = (n >>> 8) & 0xff
          h[31] = n & 0xff
          const t0 = process.hrtime.bigint()
          const ok = lookup(h)
          lat.push(Number(process.hrtime.bigint() - t0) / 1000)
          if (!ok) throw new Error(`bench reader: committed tx of block ${n} not found`)
        }
      }
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

async function benchOurs(pool: Pooled[], dir: string): Promise<PhaseResult> {
  const store = await ChainStore.open(dir, { batchBytes: BATCH_BYTES })
  const disk0 = diskWriteBytes()
  const reader = startReader(pool, () => store.head, (h) => store.read((s) => s.getTransaction(h) !== undefined))
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
    inFlight = w.commit(block) // durable: streams fdatasync'ed, then commit.log
    logical += pool[n % POOL]!.logical
    records += pool[n % POOL]!.records
    n++
    if (n % 10 === 0) progress(`tachyon: ${n} blocks, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  }
  await inFlight
  const seconds = (performance.now() - t0) / 1000
  const lat = await reader.stop()
  await store.close()
  const diskBytes = diskWriteBytes() - disk0
  return { name: 'tachyon', blocks: n, records, logicalBytes: logical, seconds, diskBytes, fileBytes: dirBytes(dir), readP50us: pct(lat, 50), readP99us: pct(lat, 99), reads: lat.length }
}

function u32be(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
}

async function benchLmdb(pool: Pooled[], dir: string): Promise<PhaseResult> {
  const root: RootDatabase = openLmdb({ path: dir, compression: false })
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
  const reader = startReader(pool, () => head, (h) => txs.getBinary(Buffer.from(h)) !== undefined)
  const t0 = performance.now()
  let n = 0
  let logical = 0
  let records = 0
  let inFlight: Promise<unknown> = Promise.resolve()
  while (performance.now() - t0 < SECONDS * 1000) {
    const { block, minis } = blockAt(pool, n)
    await inFlight // block n-1 durable before block n is committed
    const committed = root.transaction(() => {
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
    })
    const bn = n
    inFlight = committed.then(() => root.flushed).then(() => (head = bn)) // durable, like our commit

    logical += pool[n % POOL]!.logical
    records += pool[n % POOL]!.records
    n++
    if (n % 5 === 0) progress(`lmdb: ${n} blocks, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  }
  await inFlight
  const seconds = (performance.now() - t0) / 1000
  const lat = await reader.stop()
  await root.close()
  const diskBytes = diskWriteBytes() - disk0
  return { name: 'lmdb', blocks: n, records, logicalBytes: logical, seconds, diskBytes, fileBytes: dirBytes(dir), readP50us: pct(lat, 50), readP99us: pct(lat, 99), reads: lat.length }
}

async function main(): Promise<void> {
  progress('generating blocks…')
  const pool: Pooled[] = []
  for (let i = 0; i < POOL; i++) {
    const b = makeBlock(SHAPE, i)
    pool.push({ ...b, logical: logicalBytes(b), records: recordCount(b) })
  }
  const root = mkdtempSync(join(tmpdir(), 'tachyon-bench-store-'))
  try {
    const ours = await benchOurs(pool, join(root, 'tachyon'))
    const peer = await benchLmdb(pool, join(root, 'lmdb'))
    progress('')
    const rows = [ours, peer].map((r) => ({
      store: r.name,
      blocks: r.blocks,
      'records/s': Math.round(r.records / r.seconds),
      'txs/s': Math.round(((r.records - r.blocks * (1 + SHAPE.minisPerBlock)) / 2) / r.seconds),
      'MB/s (logical)': +(r.logicalBytes / r.seconds / 1e6).toFixed(1),
      'write amp (disk/logical)': +(r.diskBytes / r.logicalBytes).toFixed(3),
      'file bytes/logical': +(r.fileBytes / r.logicalBytes).toFixed(3),
      'read p50 µs': +r.readP50us.toFixed(1),
      'read p99 µs': +r.readP99us.toFixed(1),
      reads: r.reads,
    }))
    console.table(rows)
    const txsPerBlock = pool.reduce((a, p) => a + (p.records - 1 - SHAPE.minisPerBlock) / 2, 0) / POOL
    const kbPerBlock = pool.reduce((a, p) => a + p.logical, 0) / POOL / 1024
    console.log(`blocks: ${txsPerBlock.toFixed(0)} txs, ${SHAPE.minisPerBlock} mini-blocks, ${kbPerBlock.toFixed(0)} KiB logical each; one durable commit per block; ${SECONDS} s per store; zstd native: ${hasNativeZstd}`)
    const ratio = ours.records / ours.seconds / (peer.records / peer.seconds)
    console.log(
      JSON.stringify({
        bench: 'store',
        seconds: SECONDS,
        txsPerBlock: Math.round(txsPerBlock),
        oursRecordsPerSec: rows[0]!['records/s'],
        oursMBps: rows[0]!['MB/s (logical)'],
        oursWriteAmp: rows[0]!['write amp (disk/logical)'],
        oursReadP50us: rows[0]!['read p50 µs'],
        oursReadP99us: rows[0]!['read p99 µs'],
        lmdbRecordsPerSec: rows[1]!['records/s'],
        lmdbMBps: rows[1]!['MB/s (logical)'],
        lmdbWriteAmp: rows[1]!['write amp (disk/logical)'],
        lmdbReadP50us: rows[1]!['read p50 µs'],
        lmdbReadP99us: rows[1]!['read p99 µs'],
        ratio: +ratio.toFixed(2),
      }),
    )
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

await main()
