/**
 * QMDB benchmark: the paper's workload (52-byte keys, 32-byte values; per
 * transaction 9 updates, 1 delete, 1 create, 15 reads; 100k write ops per
 * block; fsync per block) on Tachyon's QMDB, and the same operations in the
 * same run on `@ethereumjs/mpt` (root per block) and `lmdb` (plain durable
 * puts, no Merkle). Usage: `npm run bench:qmdb -- --keys N [--blocks B]
 * [--peer-keys M] [--mpt-keys K] [--workers W] [--readers R] [--tail-cache-mib M] [--merkle-part-kib K] [--depth D] [--index memory|hybrid|both] [--no-peers]`.
 * `--index both` (default) runs the QMDB workload with the in-memory index and again with
 * the hybrid (on-disk) index, reporting index bytes per key (the largest seen after any
 * commit of the TPS phase) for each, and the hybrid index's in-block peak (its change buffer
 * holding a whole block's changes just before the merge at the block's end). `ratio` = our updates/s over
 * lmdb's at `--peer-keys` (default min(N, 1M)); `ratio_vs_mpt` compares at `--mpt-keys` (MPT
 * with its in-memory DB does not reach 1M keys in reasonable time here); `cpu_ratio` and
 * `cpu_ratio_vs_mpt` are the same comparisons by process CPU time per write op (theirs over
 * ours), which a shared machine's changing load distorts much less. The data fits the page cache on
 * this machine, so this is a CPU-path benchmark, not the paper's SSD regime.
 * Prints a table and a last line of JSON.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Qmdb, type Change } from '../src/ads/db.js'
import { hashKernel, hashSpansInto } from '../src/ads/hash.js'

const args = process.argv.slice(2)
function arg(name: string, def: number): number {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : def
}
const KEYS = arg('keys', 1_000_000)
const BLOCKS = arg('blocks', 5)
const OPS = arg('ops', 100_000)
const PEER_KEYS = arg('peer-keys', Math.min(KEYS, 1_000_000))
const MPT_KEYS = arg('mpt-keys', PEER_KEYS)
const WORKERS = arg('workers', 1)
const READERS = arg('readers', 1)
/** Tail cache per shard in MiB (`Qmdb.open`'s tailCacheBytes; default: the store's default). */
const TAIL_MIB = arg('tail-cache-mib', -1)
/** Merkle parts in KiB (`Qmdb.open`'s merklePartBytes; 0 = off, the default). */
const PART_KIB = arg('merkle-part-kib', 0)
/**
 * Blocks in flight in the TPS phase: 1 (default) awaits each block's durable commit before
 * the next block's reads; 2 issues block N+1 before awaiting N, as the node does (N's root
 * is hashed and fsynced while N+1 executes), but then N's hashing overlaps N+1's reads, so
 * updates/s and reads/s are no longer separable. Populating always keeps 2 in flight (no
 * reads there). Every store gets the same depth (lmdb's async transactions pipeline too).
 */
const DEPTH = Math.max(1, arg('depth', 1))
/** Blocks in flight while populating. */
const POPULATE_DEPTH = 2
const PEERS = !args.includes('--no-peers')
const INDEX = ((): 'memory' | 'hybrid' | 'both' => {
  const i = args.indexOf('--index')
  const v = i >= 0 ? args[i + 1] : 'both'
  if (v !== 'memory' && v !== 'hybrid' && v !== 'both') throw new Error(`--index memory|hybrid|both, not ${v}`)
  return v
})()
const tty = process.stderr.isTTY
const progress = (s: string): void => { if (tty) process.stderr.write(`\r${s}\x1b[K`) }

/** The paper's 52-byte keys for counters `ns` (counter at 12..20, its sha256 at 20..52, xor fold at 0..12), hashed in one batch. */
function keysOf(ns: readonly number[]): Uint8Array[] {
  const n = ns.length
  const ctr = new Uint8Array(8 * n)
  const dv = new DataView(ctr.buffer)
  const offs = new Int32Array(n), lens = new Int32Array(n).fill(8)
  ns.forEach((x, i) => { dv.setUint32(8 * i, Math.floor(x / 0x100000000)); dv.setUint32(8 * i + 4, x >>> 0); offs[i] = 8 * i })
  const h = new Uint8Array(32 * n)
  hashSpansInto(ctr, offs, lens, n, h, 0)
  const out: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    const k = new Uint8Array(52)
    k.set(ctr.subarray(8 * i, 8 * i + 8), 12)
    k.set(h.subarray(32 * i, 32 * i + 32), 20)
    for (let j = 0; j < 12; j++) k[j] = k[20 + j]! ^ k[32 + j]!
    out.push(k)
  }
  return out
}
function range(a: number, b: number): number[] {
  const r: number[] = []
  for (let i = a; i < b; i++) r.push(i)
  return r
}
function valueOf(n: number, round: number): Uint8Array {
  const v = new Uint8Array(32)
  new DataView(v.buffer).setUint32(0, round)
  new DataView(v.buffer).setUint32(4, n >>> 0)
  v.fill(round & 0xff, 8)
  return v
}

/** A block of the TPS phase: keys alive are [lo, hi); returns ops and the new bounds. */
interface TpsBlock { updates: number[]; deletes: number[]; creates: number[]; reads: number[] }
function tpsBlock(lo: number, hi: number, ops: number, rnd: () => number): TpsBlock {
  const txs = Math.floor(ops / 11)
  const b: TpsBlock = { updates: [], deletes: [], creates: [], reads: [] }
  const used = new Set<number>()
  for (let t = 0; t < txs; t++) { b.deletes.push(lo + t); used.add(lo + t); b.creates.push(hi + t) }
  const live = hi - lo
  while (b.updates.length < txs * 9) {
    const n = lo + Math.floor(rnd() * live)
    if (used.has(n)) continue
    used.add(n); b.updates.push(n)
  }
  for (let i = 0; i < txs * 15; i++) b.reads.push(lo + txs + Math.floor(rnd() * (live - txs)))
  return b
}
let seed = 12345
/** xorshift32 (an LCG in doubles loses precision and cycles). */
const rnd = (): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 0x100000000 }

interface Result { name: string; keys: number; creates: number; updates: number; reads: number; cpuUsPerWrite: number; applyMs?: number; waitMs?: number; indexBytesPerKey?: number; peakIndexBytesPerKey?: number; diskBytesPerKey?: number; seconds?: number }

/** Interface the three stores share in this benchmark. */
interface Store {
  block(puts: [Uint8Array, Uint8Array][], dels: Uint8Array[]): Promise<void>
  get(k: Uint8Array): Promise<Uint8Array | undefined> | Uint8Array | undefined
  close(): Promise<void>
}

async function run(name: string, store: Store, keys: number, blocks: number, ops: number, extra?: () => Partial<Result>, afterBlock?: () => void): Promise<Result> {
  const start = performance.now()
  // commits in flight (DEPTH - 1 left pending while the next block is applied)
  const inflight: Promise<void>[] = []
  const pipeline = async (p: Promise<void>, depth = DEPTH): Promise<void> => {
    inflight.push(p)
    while (inflight.length >= depth) await inflight.shift()
  }
  const drain = async (): Promise<void> => { while (inflight.length > 0) await inflight.shift() }
  // populate
  let t0 = performance.now()
  for (let n = 0; n < keys; n += ops) {
    const end = Math.min(keys, n + ops)
    const ks = keysOf(range(n, end))
    const puts: [Uint8Array, Uint8Array][] = ks.map((k, i) => [k, valueOf(n + i, 0)])
    await pipeline(store.block(puts, []), POPULATE_DEPTH)
    progress(`${name}: populate ${Math.min(keys, n + ops)}/${keys}`)
  }
  await drain()
  const creates = keys / ((performance.now() - t0) / 1000)
  // TPS phase
  let lo = 0, hi = keys, writes = 0, writeMs = 0, reads = 0, readMs = 0, writeCpuUs = 0
  for (let b = 1; b <= blocks; b++) {
    const blk = tpsBlock(lo, hi, ops, rnd)
    const readKeys = keysOf(blk.reads)
    t0 = performance.now()
    for (const k of readKeys) { const v = await store.get(k); if (!v) throw new Error(`${name}: missing key`) }
    readMs += performance.now() - t0
    reads += readKeys.length
    const puts: [Uint8Array, Uint8Array][] = []
    keysOf(blk.updates).forEach((k, i) => puts.push([k, valueOf(blk.updates[i]!, b)]))
    keysOf(blk.creates).forEach((k, i) => puts.push([k, valueOf(blk.creates[i]!, b)]))
    const dels = keysOf(blk.deletes)
    t0 = performance.now()
    const c0 = process.cpuUsage()
    await pipeline(store.block(puts, dels))
    if (b === blocks) await drain()
    writeMs += performance.now() - t0
    const c = process.cpuUsage(c0)
    writeCpuUs += c.user + c.system
    afterBlock?.()
    writes += puts.length + dels.length
    lo += blk.deletes.length; hi += blk.creates.length
    progress(`${name}: block ${b}/${blocks}`)
  }
  const r: Result = { name, keys, creates, updates: writes / (writeMs / 1000), reads: reads / (readMs / 1000), cpuUsPerWrite: writeCpuUs / writes, ...extra?.(), seconds: (performance.now() - start) / 1000 }
  await store.close()
  return r
}

/** Per committed block: ms in `commit()` on the calling thread (apply), and ms after it until durable (waits for hashing, fsync, meta). */
interface CommitTimes { apply: number[]; wait: number[] }

async function qmdbStore(dir: string, index: 'memory' | 'hybrid', times: CommitTimes): Promise<{ store: Store; db: Qmdb }> {
  const db = await Qmdb.open(dir, { workers: WORKERS, index, readers: READERS, ...(TAIL_MIB >= 0 ? { tailCacheBytes: TAIL_MIB * 2 ** 20 } : {}), merklePartBytes: PART_KIB * 1024 })
  const store: Store = {
    async block(puts, dels) {
      const ch: Change[] = puts.map(([key, value]) => ({ key, value }))
      for (const key of dels) ch.push({ key, value: null })
      const t0 = performance.now()
      const p = db.commit(ch)
      const t1 = performance.now()
      await p
      times.apply.push(t1 - t0)
      times.wait.push(performance.now() - t1)
    },
    get: (k) => db.get(k),
    close: () => db.close(),
  }
  return { store, db }
}

async function qmdbRun(keys: number, index: 'memory' | 'hybrid' = INDEX === 'hybrid' ? 'hybrid' : 'memory'): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-qmdb-'))
  try {
    const times: CommitTimes = { apply: [], wait: [] }
    const { store, db } = await qmdbStore(dir, index, times)
    let worst = 0
    // index memory after each TPS commit (the hybrid buffer is largest just before a merge)
    const sample = (): void => { const ix = db.indexStats(); worst = Math.max(worst, ix.bytes / ix.keys) }
    return await run(index === 'hybrid' ? 'qmdb (hybrid)' : 'qmdb', store, keys, BLOCKS, OPS, () => {
      sample()
      const ix = db.indexStats()
      const med = (a: number[]): number => { const b = a.slice(-BLOCKS).sort((x, y) => x - y); return b[b.length >> 1]! }
      return { indexBytesPerKey: worst, peakIndexBytesPerKey: ix.peakBytes / ix.keys, diskBytesPerKey: db.diskBytes() / ix.keys, applyMs: med(times.apply), waitMs: med(times.wait) }
    }, sample)
  } finally { fs.rmSync(dir, { recursive: true, force: true }) }
}

async function mptRun(keys: number): Promise<Result> {
  const { createMPT } = await import('@ethereumjs/mpt')
  const trie = await createMPT({ useKeyHashing: true })
  const store: Store = {
    async block(puts, dels) {
      for (const [k, v] of puts) await trie.put(k, v)
      for (const k of dels) await trie.del(k)
      trie.root()
    },
    get: async (k) => (await trie.get(k)) ?? undefined,
    close: async () => undefined,
  }
  return run('@ethereumjs/mpt', store, keys, Math.max(1, Math.min(BLOCKS, 2)), Math.min(OPS, 20_000))
}

async function lmdbRun(keys: number): Promise<Result> {
  const { open } = await import('lmdb')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lmdb-'))
  const db = open({ path: dir, keyEncoding: 'binary', encoding: 'binary' })
  const store: Store = {
    async block(puts, dels) {
      await db.transaction(() => {
        for (const [k, v] of puts) db.put(k, v)
        for (const k of dels) db.remove(k)
      })
    },
    get: (k) => db.get(k) as Uint8Array | undefined,
    close: async () => { await db.close(); fs.rmSync(dir, { recursive: true, force: true }) },
  }
  return run('lmdb', store, keys, BLOCKS, OPS)
}

const results: Result[] = []
results.push(await qmdbRun(KEYS))
const hybrid = INDEX === 'both' ? await qmdbRun(KEYS, 'hybrid') : INDEX === 'hybrid' ? results[0]! : undefined
if (hybrid && hybrid !== results[0]) results.push(hybrid)
let ratioMpt: number | undefined, ratioLmdb: number | undefined
/** The same ratios by process CPU time per write op (theirs / ours): much less sensitive to a shared machine's load than wall rates of stores measured one after the other. */
let cpuRatioMpt: number | undefined, cpuRatioLmdb: number | undefined
if (PEERS) {
  const q = PEER_KEYS === KEYS ? results[0]! : await qmdbRun(PEER_KEYS)
  if (q !== results[0]) results.push(q)
  const m = await mptRun(MPT_KEYS)
  const qm = MPT_KEYS === PEER_KEYS ? q : await qmdbRun(MPT_KEYS)
  if (qm !== q) results.push(qm)
  const l = await lmdbRun(PEER_KEYS)
  results.push(m, l)
  ratioMpt = qm.updates / m.updates
  ratioLmdb = q.updates / l.updates
  cpuRatioMpt = m.cpuUsPerWrite / qm.cpuUsPerWrite
  cpuRatioLmdb = l.cpuUsPerWrite / q.cpuUsPerWrite
}
if (tty) process.stderr.write('\n')
const f = (x: number | undefined, d = 0): string => (x === undefined ? '-' : x.toFixed(d)).padStart(12)
console.log(`${'store'.padEnd(18)}${'keys'.padStart(12)}${'creates/s'.padStart(12)}${'updates/s'.padStart(12)}${'reads/s'.padStart(12)}${'cpu us/upd'.padStart(12)}${'apply ms'.padStart(10)}${'wait ms'.padStart(9)}${'idx B/key'.padStart(12)}${'peak B/key'.padStart(12)}${'disk B/key'.padStart(12)}${'seconds'.padStart(10)}`)
for (const r of results) console.log(`${r.name.padEnd(18)}${f(r.keys)}${f(r.creates)}${f(r.updates)}${f(r.reads)}${f(r.cpuUsPerWrite, 1)}${(r.applyMs === undefined ? '-' : r.applyMs.toFixed(0)).padStart(10)}${(r.waitMs === undefined ? '-' : r.waitMs.toFixed(0)).padStart(9)}${f(r.indexBytesPerKey, 2)}${f(r.peakIndexBytesPerKey, 2)}${f(r.diskBytesPerKey, 1)}${(r.seconds === undefined ? '-' : r.seconds.toFixed(0)).padStart(10)}`)
console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores (cpu us/upd: process CPU time, all threads, per write op of the TPS phase; apply / wait ms: median TPS block's time in commit() on the calling thread / after it until durable)`)
const main = results[0]!
console.log(JSON.stringify({
  bench: 'qmdb', keys: KEYS, blocks: BLOCKS, opsPerBlock: OPS, workers: WORKERS, readers: READERS, depth: DEPTH, sha256: hashKernel(),
  creates_per_s: Math.round(main.creates), updates_per_s: Math.round(main.updates), reads_per_s: Math.round(main.reads),
  index: INDEX,
  index_bytes_per_key: Number(main.indexBytesPerKey?.toFixed(2)), disk_bytes_per_key: Number(main.diskBytesPerKey?.toFixed(1)),
  hybrid_index_bytes_per_key: hybrid ? Number(hybrid.indexBytesPerKey?.toFixed(2)) : null,
  hybrid_peak_index_bytes_per_key: hybrid ? Number(hybrid.peakIndexBytesPerKey?.toFixed(2)) : null,
  hybrid_creates_per_s: hybrid ? Math.round(hybrid.creates) : null, hybrid_updates_per_s: hybrid ? Math.round(hybrid.updates) : null,
  hybrid_reads_per_s: hybrid ? Math.round(hybrid.reads) : null,
  peer_keys: PEERS ? PEER_KEYS : null, mpt_keys: PEERS ? MPT_KEYS : null,
  mpt_updates_per_s: PEERS ? Math.round(results.find((r) => r.name === '@ethereumjs/mpt')!.updates) : null,
  lmdb_updates_per_s: PEERS ? Math.round(results.find((r) => r.name === 'lmdb')!.updates) : null,
  ratio_vs_mpt: ratioMpt === undefined ? null : Number(ratioMpt.toFixed(2)),
  ratio: ratioLmdb === undefined ? null : Number(ratioLmdb.toFixed(2)),
  cpu_ratio_vs_mpt: cpuRatioMpt === undefined ? null : Number(cpuRatioMpt.toFixed(2)),
  cpu_ratio: cpuRatioLmdb === undefined ? null : Number(cpuRatioLmdb.toFixed(2)),
  cpu_us_per_update: Number(main.cpuUsPerWrite.toFixed(2)), apply_ms: Math.round(main.applyMs ?? 0), wait_ms: Math.round(main.waitMs ?? 0),
  lmdb_cpu_us_per_update: PEERS ? Number(results.find((r) => r.name === 'lmdb')!.cpuUsPerWrite.toFixed(2)) : null,
}))
