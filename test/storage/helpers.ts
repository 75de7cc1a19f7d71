/**
 * Shared helpers of the storage tests: temp directories that clean
 * themselves up, writing a synthetic chain, and comparing what a snapshot
 * returns with what the fixture generator produced.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { ChainStore, type Snapshot } from '../../src/storage/index.js'
import { makeBlock, type ChainShape } from './fixtures.js'

/** A fresh temp directory removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'tachyon-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Small chain shape for unit tests. */
export const SMALL: ChainShape = { seed: 7, minisPerBlock: 4, txsPerMini: 3 }

/** Append blocks [from, to] of `shape`, one durable commit each. */
export async function writeBlocks(store: ChainStore, shape: ChainShape, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) {
    const { block, minis } = makeBlock(shape, n)
    await store.appendBlock(block, minis)
  }
}

/** Assert that `snap` returns block `n` of `shape` exactly: header, mini-blocks, every tx and receipt by number and hash. */
export function checkBlock(snap: Snapshot, shape: ChainShape, n: number): void {
  const { block, minis } = makeBlock(shape, n)
  const b = snap.getBlock(n)
  assert.ok(b, `block ${n} missing`)
  assert.deepEqual(b.hash, block.hash)
  assert.deepEqual(b.header, block.header)
  assert.equal(b.miniCount, minis.length)
  assert.equal(snap.getBlockByHash(block.hash)?.number, n)
  let txIndex = 0
  let logIndex = 0
  for (const mb of minis) {
    const m = snap.getMiniBlock(mb.number)
    assert.ok(m, `mini-block ${mb.number} missing`)
    assert.deepEqual(m.hash, mb.hash)
    assert.deepEqual(m.header, mb.header)
    assert.equal(m.blockNumber, n)
    assert.equal(m.index, mb.index)
    assert.equal(m.txCount, mb.txs.length)
    for (const t of mb.txs) {
      const tx = snap.getTransaction(t.hash)
      assert.ok(tx, `tx ${txIndex} of block ${n} missing`)
      assert.deepEqual(tx.tx, t.tx)
      assert.equal(tx.blockNumber, n)
      assert.equal(tx.txIndex, txIndex)
      assert.equal(tx.miniBlockNumber, mb.number)
      assert.deepEqual(tx.blockHash, block.hash)
      const rc = snap.getReceipt(t.hash)
      assert.ok(rc)
      assert.deepEqual(rc.receipt, t.receipt)
      assert.deepEqual(rc.logs, t.logs.map((l) => ({ address: l.address, topics: l.topics })))
      assert.equal(rc.firstLogIndex, logIndex)
      logIndex += t.logs.length
      txIndex++
    }
  }
  assert.equal(b.txCount, txIndex)
  assert.equal(b.logCount, logIndex)
}
