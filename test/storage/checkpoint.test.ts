/**
 * Index checkpoints: `open` restores the indices from `index.ckpt` and
 * replays only the batches written after it, with results identical to a
 * full rebuild (blocks, transactions, receipts, getLogs). A torn, damaged,
 * too-new or pre-prune checkpoint is ignored (full replay), never trusted.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, existsSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ChainStore, CorruptSegmentError, type LogFilter, type LogMatch } from '../../src/storage/index.js'
import { decodeCommitRecord } from '../../src/storage/format.js'
import { SWAP_TOPIC, TOKENS, TRANSFER_TOPIC } from './fixtures.js'
import { SMALL, checkBlock, tempDir, writeBlocks } from './helpers.js'

const OPTS = { batchBytes: 2048, segmentBytes: 32 * 1024 }
const CKPT = 'index.ckpt'

const FILTERS: LogFilter[] = [{}, { address: TOKENS[3] }, { topics: [SWAP_TOPIC] }, { fromBlock: 5, toBlock: 25, topics: [TRANSFER_TOPIC] }]
const logKey = (m: LogMatch) => `${m.blockNumber}:${m.logIndex}:${Buffer.from(m.txHash).toString('hex')}:${Buffer.from(m.receipt).toString('hex').slice(0, 16)}`

async function snapshotOf(dir: string, head: number): Promise<{ logs: string[][]; stats: ReturnType<ChainStore['stats']> }> {
  const store = await ChainStore.open(dir, OPTS)
  assert.equal(store.head, head)
  const logs = store.read((s) => {
    for (let n = 0; n <= head; n++) checkBlock(s, SMALL, n)
    return FILTERS.map((f) => s.getLogs(f).map(logKey))
  })
  const stats = store.stats()
  // Writing continues correctly on top of a restored index.
  await writeBlocks(store, SMALL, head + 1, head + 2)
  store.read((s) => checkBlock(s, SMALL, head + 2))
  await store.close()
  return { logs, stats }
}

async function fullRebuild(dir: string, head: number, t: Parameters<typeof tempDir>[0]): Promise<string[][]> {
  const copy = tempDir(t, 'tachyon-ckpt-ref-')
  cpSync(dir, copy, { recursive: true })
  if (existsSync(join(copy, CKPT))) unlinkSync(join(copy, CKPT))
  const store = await ChainStore.open(copy, { ...OPTS, checkpointBlocks: 0 })
  assert.equal(store.stats().checkpoint.loadedSeq, undefined)
  const logs = store.read((s) => FILTERS.map((f) => s.getLogs(f).map(logKey)))
  assert.equal(store.head, head)
  await store.close()
  return logs
}

test('close writes a checkpoint; open loads it and replays nothing', async (t) => {
  const dir = tempDir(t, 'tachyon-ckpt-')
  const store = await ChainStore.open(dir, OPTS)
  await writeBlocks(store, SMALL, 0, 29)
  await store.close()
  assert.ok(existsSync(join(dir, CKPT)))
  const ref = await fullRebuild(dir, 29, t)
  const { logs, stats } = await snapshotOf(dir, 29)
  assert.equal(stats.checkpoint.loadedSeq, 30)
  assert.equal(stats.checkpoint.replayedBlocks, 0)
  assert.equal(stats.checkpoint.ignored, undefined)
  assert.deepEqual(logs, ref)
  assert.ok(ref[0]!.length > 50)
})

test('blocks committed after the checkpoint are replayed from the segments', async (t) => {
  const dir = tempDir(t, 'tachyon-ckpt-')
  const first = await ChainStore.open(dir, OPTS)
  await writeBlocks(first, SMALL, 0, 19)
  await first.close()
  const old = readFileSync(join(dir, CKPT))
  const second = await ChainStore.open(dir, OPTS)
  await writeBlocks(second, SMALL, 20, 34)
  await second.close()
  // As if the process had died before writing a newer checkpoint.
  writeFileSync(join(dir, CKPT), old)
  const ref = await fullRebuild(dir, 34, t)
  const { logs, stats } = await snapshotOf(dir, 34)
  assert.equal(stats.checkpoint.loadedSeq, 20)
  assert.equal(stats.checkpoint.replayedBlocks, 15)
  assert.deepEqual(logs, ref)
})

test('periodic checkpoints while writing (checkpointBlocks), usable by a copy taken mid-run', async (t) => {
  const dir = tempDir(t, 'tachyon-ckpt-')
  const store = await ChainStore.open(dir, { ...OPTS, checkpointBlocks: 8 })
  await writeBlocks(store, SMALL, 0, 20)
  for (let i = 0; i < 200 && store.stats().checkpoint.written < 2; i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(store.stats().checkpoint.written >= 2, `written ${store.stats().checkpoint.written}`)
  // A copy of the live directory is what a crash would leave behind.
  const copy = tempDir(t, 'tachyon-ckpt-copy-')
  cpSync(dir, copy, { recursive: true })
  await store.close()
  const { stats } = await snapshotOf(copy, 20)
  assert.ok(stats.checkpoint.loadedSeq !== undefined && stats.checkpoint.loadedSeq >= 16, JSON.stringify(stats.checkpoint))
})

test('a torn or damaged checkpoint is ignored and the index rebuilt from the log', async (t) => {
  for (const damage of ['truncate', 'flip'] as const) {
    const dir = tempDir(t, 'tachyon-ckpt-')
    const store = await ChainStore.open(dir, OPTS)
    await writeBlocks(store, SMALL, 0, 14)
    await store.close()
    const file = join(dir, CKPT)
    if (damage === 'truncate') truncateSync(file, Math.floor(statSync(file).size * 0.6))
    else {
      const b = readFileSync(file)
      b[Math.floor(b.length / 2)]! ^= 0x10
      writeFileSync(file, b)
    }
    const { stats } = await snapshotOf(dir, 14)
    assert.equal(stats.checkpoint.loadedSeq, undefined)
    assert.match(stats.checkpoint.ignored ?? '', damage === 'truncate' ? /torn|short|end marker/ : /checksum/)
  }
})

test('a checkpoint newer than the commit log is ignored', async (t) => {
  const dir = tempDir(t, 'tachyon-ckpt-')
  const store = await ChainStore.open(dir, OPTS)
  await writeBlocks(store, SMALL, 0, 9)
  await store.close()
  // Lose the last commit record (and with it block 9): the checkpoint (taken at block 9) must not be used.
  const log = join(dir, 'commit.log')
  const data = readFileSync(log)
  let valid = 0
  while (decodeCommitRecord(data.subarray(valid * 64, valid * 64 + 64)) !== undefined) valid++
  assert.equal(valid, 10)
  truncateSync(log, (valid - 1) * 64)
  const { stats } = await snapshotOf(dir, 8)
  assert.equal(stats.checkpoint.loadedSeq, undefined)
  assert.match(stats.checkpoint.ignored ?? '', /log ends at/)
})

test('prune removes the checkpoint; the next open rebuilds, later ones load again', async (t) => {
  const dir = tempDir(t, 'tachyon-ckpt-')
  const store = await ChainStore.open(dir, OPTS)
  await writeBlocks(store, SMALL, 0, 29)
  await store.close()
  assert.ok(existsSync(join(dir, CKPT)))
  const again = await ChainStore.open(dir, OPTS)
  await again.prune(10)
  assert.ok(!existsSync(join(dir, CKPT)))
  await again.close()
  assert.ok(!existsSync(join(dir, CKPT)), 'no checkpoint while the index still holds pruned blocks')
  const rebuilt = await ChainStore.open(dir, OPTS)
  assert.equal(rebuilt.stats().checkpoint.loadedSeq, undefined)
  rebuilt.read((s) => {
    assert.equal(s.getBlock(9), undefined)
    for (let n = 10; n <= 29; n++) checkBlock(s, SMALL, n)
  })
  await rebuilt.close()
  const loaded = await ChainStore.open(dir, OPTS)
  assert.ok(loaded.stats().checkpoint.loadedSeq !== undefined)
  loaded.read((s) => {
    assert.equal(s.horizon, 10)
    assert.equal(s.getBlock(9), undefined)
    for (let n = 10; n <= 29; n++) checkBlock(s, SMALL, n)
  })
  await loaded.close()
})

test('with a checkpoint, damage in a batch it covers is reported when that batch is read', async (t) => {
  const dir = tempDir(t, 'tachyon-ckpt-')
  const store = await ChainStore.open(dir, { ...OPTS, compressionLevel: 0 })
  await writeBlocks(store, SMALL, 0, 9)
  await store.close()
  const file = join(dir, 'receipts-00000000.seg')
  const b = readFileSync(file)
  b[100]! ^= 0x08
  writeFileSync(file, b)
  const reopened = await ChainStore.open(dir, OPTS)
  assert.equal(reopened.stats().checkpoint.loadedSeq, 10, 'open trusts the checkpoint and does not read old batches')
  assert.throws(() => reopened.read((s) => s.getBlockReceipts(0)), (e: unknown) => e instanceof CorruptSegmentError && e.file === file)
  await reopened.close()
})
