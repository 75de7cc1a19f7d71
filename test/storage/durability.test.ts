/**
 * Recovery and integrity on real files: a flipped byte in a segment is
 * reported as a CorruptSegmentError naming the file (on open and on a later
 * read), a torn tail (half-written batch, half-written commit record,
 * uncommitted mini-blocks) is cut back to the last commit, pruning drops
 * whole segments while snapshots taken before keep reading.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, closeSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { ChainStore, CorruptCommitLogError, CorruptSegmentError } from '../../src/storage/index.js'
import { makeBlock } from './fixtures.js'
import { SMALL, checkBlock, tempDir, writeBlocks } from './helpers.js'

function flipByte(file: string, offset: number): void {
  const fd = openSync(file, 'r+')
  const b = Buffer.alloc(1)
  readSync(fd, b, 0, 1, offset)
  b[0]! ^= 0x40
  writeSync(fd, b, 0, 1, offset)
  closeSync(fd)
}

function segments(dir: string, stream: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(stream + '-'))
    .sort()
    .map((f) => join(dir, f))
}

test('a corrupted byte in a segment is detected on open, naming the segment and offset', async (t) => {
  const dir = tempDir(t)
  // No index checkpoint: open reads (and checks) the whole log. With one, see checkpoint.test.ts.
  const store = await ChainStore.open(dir, { batchBytes: 4096, checkpointBlocks: 0 })
  await writeBlocks(store, SMALL, 0, 19)
  await store.close()
  const file = segments(dir, 'txs')[0]!
  flipByte(file, Math.floor(statSync(file).size / 2))
  await assert.rejects(ChainStore.open(dir), (e: unknown) => {
    assert.ok(e instanceof CorruptSegmentError, String(e))
    assert.equal(e.file, file)
    assert.match(e.message, /txs-00000000\.seg at offset \d+/)
    assert.ok(e.offset > 0 && e.offset < statSync(file).size)
    return true
  })
})

test('a byte corrupted after open is reported on read, never returned', async (t) => {
  const dir = tempDir(t)
  const store = await ChainStore.open(dir, { batchBytes: 4096, compressionLevel: 0 })
  await writeBlocks(store, SMALL, 0, 9)
  await store.close()
  const reopened = await ChainStore.open(dir, { batchBytes: 4096 })
  const file = segments(dir, 'receipts')[0]!
  // Damage the last receipt batch behind the store's back (reads go to disk: the batch is not cached yet).
  flipByte(file, statSync(file).size - 10)
  const { minis } = makeBlock(SMALL, 9)
  const lastTx = minis.flatMap((m) => m.txs).at(-1)!
  const snap = reopened.snapshot()
  assert.ok(snap.getTransaction(lastTx.hash), 'the txs stream is intact')
  assert.throws(() => snap.getReceipt(lastTx.hash), (e: unknown) => e instanceof CorruptSegmentError && e.file === file && /checksum/.test(e.message))
  assert.throws(() => snap.getLogs({ fromBlock: 9, toBlock: 9 }), CorruptSegmentError)
  snap.release()
  await reopened.close()
})

test('torn tails are cut back to the last commit', async (t) => {
  const dir = tempDir(t)
  const first = await ChainStore.open(dir, { batchBytes: 2048 })
  await writeBlocks(first, SMALL, 0, 9)
  // Block 10: mini-blocks appended and written, never committed (the process "dies" here).
  const w = first.beginBlock(10)
  for (const m of makeBlock(SMALL, 10).minis) w.appendMiniBlock(m)
  await new Promise((r) => setTimeout(r, 20))
  const sizesBefore = segments(dir, 'txs').map((f) => statSync(f).size)
  // Garbage after the last batch and half a commit record.
  appendFileSync(segments(dir, 'receipts').at(-1)!, Buffer.from('half a batch header'))
  appendFileSync(join(dir, 'commit.log'), Buffer.alloc(30, 0x54))

  const second = await ChainStore.open(dir, { batchBytes: 2048 })
  assert.equal(second.head, 9)
  assert.equal(statSync(join(dir, 'commit.log')).size % 64, 0)
  assert.ok(segments(dir, 'txs').map((f) => statSync(f).size).reduce((a, b) => a + b) < sizesBefore.reduce((a, b) => a + b))
  const tx10 = makeBlock(SMALL, 10).minis.flatMap((m) => m.txs)[0]!
  second.read((s) => {
    for (let n = 0; n <= 9; n++) checkBlock(s, SMALL, n)
    assert.equal(s.getBlock(10), undefined)
    assert.equal(s.getTransaction(tx10.hash), undefined)
    assert.equal(s.getMiniBlock(10 * SMALL.minisPerBlock), undefined)
  })
  await writeBlocks(second, SMALL, 10, 12)
  second.read((s) => checkBlock(s, SMALL, 12))
  await second.close()
  await first.close().catch(() => undefined)
})

test('a damaged commit record followed by valid ones is corruption, not a torn tail', async (t) => {
  const dir = tempDir(t)
  const store = await ChainStore.open(dir)
  await writeBlocks(store, SMALL, 0, 4)
  await store.close()
  flipByte(join(dir, 'commit.log'), 64 + 20)
  await assert.rejects(ChainStore.open(dir), (e: unknown) => e instanceof CorruptCommitLogError && e.offset === 64 && e.file.endsWith('commit.log'))
})

test('snapshot isolation while a writer keeps committing', async (t) => {
  const dir = tempDir(t)
  const store = await ChainStore.open(dir, { batchBytes: 4096 })
  await writeBlocks(store, SMALL, 0, 4)
  const held = store.snapshot()
  const heldLogs = held.getLogs({}).length
  let stop = false
  let checks = 0
  // Reader: runs between the writer's awaits, takes snapshots and checks they are exact prefixes.
  const reader = (async () => {
    while (!stop) {
      const s = store.snapshot()
      const h = s.head
      assert.ok(s.getBlock(h), `head ${h} readable`)
      assert.equal(s.getBlock(h + 1), undefined, 'nothing past the snapshot')
      const next = makeBlock(SMALL, h + 1).minis.flatMap((m) => m.txs)[0]
      if (next) assert.equal(s.getTransaction(next.hash), undefined)
      checkBlock(s, SMALL, h)
      await new Promise((r) => setImmediate(r))
      // Still the same view after more commits happened.
      assert.equal(s.getBlock(h + 1), undefined)
      assert.equal(s.getLogs({ fromBlock: h + 1 }).length, 0)
      s.release()
      checks++
    }
  })()
  // Writer: pipelined blocks, mini-blocks appended with yields between them.
  for (let n = 5; n < 45; n++) {
    const { block, minis } = makeBlock(SMALL, n)
    const w = store.beginBlock(n)
    for (const m of minis) {
      w.appendMiniBlock(m)
      await new Promise((r) => setImmediate(r))
      // Appended but uncommitted data is invisible.
      if (m.txs[0]) assert.equal(store.read((s) => s.getTransaction(m.txs[0]!.hash)), undefined)
    }
    await w.commit(block)
  }
  stop = true
  await reader
  assert.ok(checks > 10, `reader ran ${checks} times`)
  assert.equal(held.head, 4)
  assert.equal(held.getBlock(5), undefined)
  assert.equal(held.getLogs({}).length, heldLogs)
  checkBlock(held, SMALL, 4)
  held.release()
  assert.equal(store.head, 44)
  await store.close()
})

test('prune drops whole segments; older snapshots keep reading until released', async (t) => {
  const dir = tempDir(t)
  const opts = { batchBytes: 2048, segmentBytes: 16 * 1024 }
  const store = await ChainStore.open(dir, opts)
  await writeBlocks(store, SMALL, 0, 59)
  const before = segments(dir, 'receipts').length
  assert.ok(before > 5, `${before} receipt segments`)
  const old = store.snapshot()
  const r = await store.prune(30)
  assert.equal(r.horizon, 30)
  assert.ok(r.segmentsDropped > 0)
  // Files stay while `old` may read them.
  assert.equal(segments(dir, 'receipts').length, before)
  checkBlock(old, SMALL, 3)
  store.read((s) => {
    assert.equal(s.getBlock(29), undefined)
    assert.equal(s.getBlockByHash(makeBlock(SMALL, 10).block.hash), undefined)
    assert.equal(s.getTransaction(makeBlock(SMALL, 2).minis.flatMap((m) => m.txs)[0]!.hash), undefined)
    assert.ok(s.getLogs({ fromBlock: 0, toBlock: 59 }).every((l) => l.blockNumber >= 30))
    for (let n = 30; n < 60; n++) checkBlock(s, SMALL, n)
  })
  old.release()
  const after = segments(dir, 'receipts').length
  assert.ok(after < before, `segments ${before} → ${after}`)
  await writeBlocks(store, SMALL, 60, 62)
  await store.close()
  const again = await ChainStore.open(dir, opts)
  assert.equal(again.horizon, 30)
  again.read((s) => {
    assert.equal(s.getBlock(29), undefined)
    for (let n = 30; n <= 62; n++) checkBlock(s, SMALL, n)
  })
  await again.close()
})
