/**
 * The SIGKILL crash loop shared by the fast suite (a handful of kills) and
 * the long suite (≥ 100): a child process appends blocks durably; it is
 * killed at a random moment; the store is reopened and must hold exactly a
 * committed prefix: every block it reports is complete and identical to
 * what was written, every block whose commit returned is there, and nothing
 * of the block in flight is visible.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { keccak256Parts } from '../../src/crypto/keccak.js'
import { ChainStore, type ChainStoreOptions, type Snapshot } from '../../src/storage/index.js'
import { makeBlock, rng, type ChainShape } from './fixtures.js'

/** Chain shape written by the crash child. */
export const CRASH_SHAPE: ChainShape = { seed: 4242, minisPerBlock: 6, txsPerMini: 4 }
/**
 * Store options of the crash child: small batches and segments, so kills
 * land mid-batch and mid-roll, and frequent index checkpoints, so kills land
 * mid-checkpoint too and reopens load checkpoints (every reopen is verified
 * block by block).
 */
export const CRASH_OPTIONS: ChainStoreOptions = { batchBytes: 4096, segmentBytes: 64 * 1024, checkpointBlocks: 4 }

const expected = new Map<number, Uint8Array>()

function expectedDigest(n: number): Uint8Array {
  let d = expected.get(n)
  if (!d) {
    const { block, minis } = makeBlock(CRASH_SHAPE, n)
    const parts: Uint8Array[] = [block.hash, block.header]
    for (const m of minis) {
      parts.push(m.hash, m.header)
      for (const t of m.txs) parts.push(t.hash, t.tx, t.receipt)
    }
    d = keccak256Parts(...parts)
    expected.set(n, d)
  }
  return d
}

function storedDigest(s: Snapshot, n: number): Uint8Array {
  const b = s.getBlock(n)
  assert.ok(b, `block ${n} missing after reopen`)
  const parts: Uint8Array[] = [b.hash, b.header]
  const txs = s.getBlockTransactions(n)
  const rcs = s.getBlockReceipts(n)
  let t = 0
  for (const m of s.getBlockMiniBlocks(n)) {
    parts.push(m.hash, m.header)
    for (let k = 0; k < m.txCount; k++, t++) parts.push(txs[t]!.hash, txs[t]!.tx, rcs[t]!.receipt)
  }
  assert.equal(t, b.txCount)
  return keccak256Parts(...parts)
}

/** Run `iterations` kill/reopen/verify rounds on `dir`; returns the number of blocks committed in total. */
export async function crashLoop(dir: string, iterations: number, seed = 1): Promise<{ head: number; kills: number; checkpointLoads: number }> {
  const child = fileURLToPath(new URL('./crashChild.js', import.meta.url))
  const r = rng(seed)
  let promised = -1
  let head = -1
  let checkpointLoads = 0
  for (let i = 0; i < iterations; i++) {
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    let ready!: () => void
    const readyP = new Promise<void>((res) => (ready = res))
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('READY')) ready()
      for (const m of out.matchAll(/^C (\d+)$/gm)) promised = Math.max(promised, Number(m[1]))
    })
    const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)))
    await Promise.race([readyP, exited])
    await new Promise((res) => setTimeout(res, 10 + Math.floor(r() * 150)))
    proc.kill('SIGKILL')
    const code = await exited
    assert.equal(code, null, `child exited on its own (${code}) instead of being killed`)

    const store = await ChainStore.open(dir, CRASH_OPTIONS)
    try {
      if (store.stats().checkpoint.loadedSeq !== undefined) checkpointLoads++
      const s = store.snapshot()
      assert.ok(s.head >= promised, `commit of block ${promised} returned but the reopened head is ${s.head}`)
      assert.ok(s.head >= head, 'head never goes back')
      for (let n = s.horizon; n <= s.head; n++) assert.deepEqual(storedDigest(s, n), expectedDigest(n), `block ${n} differs`)
      // The block in flight is invisible: not by number, not its transactions, not its mini-blocks.
      const next = makeBlock(CRASH_SHAPE, s.head + 1)
      assert.equal(s.getBlock(s.head + 1), undefined)
      assert.equal(s.getBlockByHash(next.block.hash), undefined)
      for (const m of next.minis) {
        assert.equal(s.getMiniBlock(m.number), undefined, `uncommitted mini-block ${m.number} visible`)
        for (const t of m.txs) assert.equal(s.getTransaction(t.hash), undefined, 'uncommitted transaction visible')
      }
      assert.equal(s.getLogs({ fromBlock: s.head + 1 }).length, 0)
      head = s.head
      s.release()
    } finally {
      await store.close()
    }
  }
  return { head, kills: iterations, checkpointLoads }
}
