/**
 * Power-loss states of a 'parallel' commit (segments and commit record
 * synced at the same time): the last record reached the disk but some of its
 * data did not. Such a commit never returned, so recovery drops it and keeps
 * the one before, and says so in `stats()`. Damage to the data of an earlier
 * commit, or real bytes that fail their checksum, stay corruption errors.
 * The states are made by hand on a closed store: SIGKILL cannot produce
 * them, since the page cache survives the process.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { ChainStore, CorruptSegmentError } from '../../src/storage/index.js'
import { COMMIT_RECORD_SIZE, STREAM_NAMES, decodeCommitRecord, segmentFileName, type CommitRecord } from '../../src/storage/format.js'
import { SMALL, checkBlock, tempDir, writeBlocks } from './helpers.js'

// No index checkpoints: a torn last commit means the process died before it returned, so no checkpoint can cover it.
const OPTS = { batchBytes: 1024, segmentBytes: 8 * 1024, checkpointBlocks: 0 }

function records(dir: string): CommitRecord[] {
  const data = readFileSync(join(dir, 'commit.log'))
  const out: CommitRecord[] = []
  for (let o = 0; o + COMMIT_RECORD_SIZE <= data.length; o += COMMIT_RECORD_SIZE) {
    const r = decodeCommitRecord(data.subarray(o, o + COMMIT_RECORD_SIZE))
    if (!r) break
    out.push(r)
  }
  return out
}

async function storeWithTen(t: Parameters<typeof tempDir>[0]): Promise<{ dir: string; last: CommitRecord; prev: CommitRecord }> {
  const dir = tempDir(t, 'tachyon-torn-')
  const store = await ChainStore.open(dir, OPTS)
  await writeBlocks(store, SMALL, 0, 9)
  await store.close()
  const recs = records(dir)
  return { dir, last: recs.at(-1)!, prev: recs.at(-2)! }
}

async function expectDropped(dir: string): Promise<void> {
  const store = await ChainStore.open(dir, OPTS)
  assert.equal(store.head, 8)
  assert.match(store.stats().droppedTornCommit ?? '', /block 9/)
  store.read((s) => {
    for (let n = 0; n <= 8; n++) checkBlock(s, SMALL, n)
    assert.equal(s.getBlock(9), undefined)
  })
  // The chain continues from block 9, and the result survives another reopen.
  await writeBlocks(store, SMALL, 9, 11)
  await store.close()
  const again = await ChainStore.open(dir, OPTS)
  assert.equal(again.head, 11)
  assert.equal(again.stats().droppedTornCommit, undefined)
  again.read((s) => {
    for (let n = 0; n <= 11; n++) checkBlock(s, SMALL, n)
  })
  await again.close()
}

test('torn last commit: a segment shorter than the record says is dropped back to the previous commit', async (t) => {
  const { dir, last, prev } = await storeWithTen(t)
  // The receipts stream got data in block 9; its file lost the tail the last record covers.
  const s = STREAM_NAMES.indexOf('receipts')
  assert.ok(last.ends[s] !== prev.ends[s] || last.segments[s] !== prev.segments[s])
  const file = join(dir, segmentFileName(s, last.segments[s]!))
  truncateSync(file, last.segments[s] === prev.segments[s] ? prev.ends[s]! + 7 : 10)
  await expectDropped(dir)
})

test('torn last commit: a segment file the last commit created is missing', async (t) => {
  const dir = tempDir(t, 'tachyon-torn-')
  const store = await ChainStore.open(dir, OPTS)
  // Write until a commit starts a new txs segment, then stop after it.
  const s = STREAM_NAMES.indexOf('txs')
  let n = 0
  for (;; n++) {
    await writeBlocks(store, SMALL, n, n)
    const recs = records(dir)
    if (recs.length >= 2 && recs.at(-1)!.segments[s]! > recs.at(-2)!.segments[s]!) break
  }
  await store.close()
  const last = records(dir).at(-1)!
  unlinkSync(join(dir, segmentFileName(s, last.segments[s]!)))
  const reopened = await ChainStore.open(dir, OPTS)
  assert.equal(reopened.head, n - 1)
  assert.ok(reopened.stats().droppedTornCommit)
  reopened.read((snap) => {
    for (let k = 0; k < n; k++) checkBlock(snap, SMALL, k)
  })
  await reopened.close()
})

test('torn last commit: zero-filled data (unwritten blocks) is dropped too', async (t) => {
  const { dir, last, prev } = await storeWithTen(t)
  const s = STREAM_NAMES.indexOf('chain')
  assert.equal(last.segments[s], prev.segments[s], 'block 9 stays in the active chain segment')
  const file = join(dir, segmentFileName(s, last.segments[s]!))
  const fd = openSync(file, 'r+')
  writeSync(fd, Buffer.alloc(last.ends[s]! - prev.ends[s]!), 0, last.ends[s]! - prev.ends[s]!, prev.ends[s]!)
  closeSync(fd)
  await expectDropped(dir)
})

test('real damage inside the last commit is still corruption, not a torn commit', async (t) => {
  const { dir, last, prev } = await storeWithTen(t)
  const s = STREAM_NAMES.indexOf('chain')
  const file = join(dir, segmentFileName(s, last.segments[s]!))
  const at = prev.ends[s]! + Math.floor((last.ends[s]! - prev.ends[s]!) / 2)
  const fd = openSync(file, 'r+')
  const b = Buffer.alloc(1)
  readSync(fd, b, 0, 1, at)
  b[0]! ^= 0x21
  writeSync(fd, b, 0, 1, at)
  closeSync(fd)
  await assert.rejects(ChainStore.open(dir, OPTS), (e: unknown) => e instanceof CorruptSegmentError && e.file === file)
})

test('missing data of an earlier commit is corruption', async (t) => {
  const { dir, prev } = await storeWithTen(t)
  const s = STREAM_NAMES.indexOf('receipts')
  const file = join(dir, segmentFileName(s, prev.segments[s]!))
  assert.ok(existsSync(file))
  truncateSync(file, Math.min(statSync(file).size, prev.ends[s]!) - 5)
  await assert.rejects(ChainStore.open(dir, OPTS), CorruptSegmentError)
})
