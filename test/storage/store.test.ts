/**
 * ChainStore round trips on real files: every record readable by number and
 * hash before and after reopen, getLogs against a brute-force scan, abort,
 * pipelined commits, bad input rejected with typed errors.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ChainStore, InvalidRecordError, LogQueryLimitError, StoreStateError, type LogFilter, type LogMatch } from '../../src/storage/index.js'
import { PAIRS, SWAP_TOPIC, TOKENS, TRANSFER_TOPIC, USERS, makeBlock } from './fixtures.js'
import { SMALL, checkBlock, tempDir, writeBlocks } from './helpers.js'

test('every record is readable before and after reopen', async (t) => {
  const dir = tempDir(t)
  const store = await ChainStore.open(dir, { batchBytes: 8 * 1024, segmentBytes: 256 * 1024 })
  await writeBlocks(store, SMALL, 0, 59)
  const snap = store.snapshot()
  assert.equal(snap.head, 59)
  for (let n = 0; n < 60; n++) checkBlock(snap, SMALL, n)
  snap.release()
  const st = store.stats()
  assert.equal(st.blocks, 60)
  assert.ok(st.streams[2]!.storedBytes < st.streams[2]!.rawBytes / 2, 'receipts compress')
  assert.ok(st.streams[1]!.storedBytes > st.streams[1]!.rawBytes, 'transactions are stored raw by default')
  await store.close()

  const again = await ChainStore.open(dir, { batchBytes: 8 * 1024, segmentBytes: 256 * 1024 })
  assert.equal(again.head, 59)
  again.read((s) => {
    for (let n = 0; n < 60; n++) checkBlock(s, SMALL, n)
    assert.equal(s.getBlock(60), undefined)
    assert.equal(s.getMiniBlock(60 * SMALL.minisPerBlock), undefined)
  })
  // Appending continues where it stopped, and mini-block numbering is enforced.
  await writeBlocks(again, SMALL, 60, 64)
  again.read((s) => checkBlock(s, SMALL, 64))
  await again.close()
})

function bruteForce(dirBlocks: number, filter: LogFilter): string[] {
  const out: string[] = []
  const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])
  for (let n = filter.fromBlock ?? 0; n <= (filter.toBlock ?? dirBlocks - 1); n++) {
    let li = 0
    for (const mb of makeBlock(SMALL, n).minis) {
      for (const tx of mb.txs) {
        tx.logs.forEach((l, k) => {
          const addrs = filter.address === undefined ? [] : filter.address instanceof Uint8Array ? [filter.address] : filter.address
          let ok = addrs.length === 0 || addrs.some((a) => eq(a, l.address))
          ;(filter.topics ?? []).forEach((alt, i) => {
            if (alt === null) return
            const alts = alt instanceof Uint8Array ? [alt] : alt
            if (alts.length === 0) return
            const tp = l.topics[i]
            if (!tp || !alts.some((a) => eq(a, tp))) ok = false
          })
          if (ok) out.push(`${n}:${li + k}:${Buffer.from(tx.hash).toString('hex')}`)
        })
        li += tx.logs.length
      }
    }
  }
  return out
}

const key = (m: LogMatch) => `${m.blockNumber}:${m.logIndex}:${Buffer.from(m.txHash).toString('hex')}`

test('getLogs matches a brute-force scan', async (t) => {
  const dir = tempDir(t)
  const store = await ChainStore.open(dir)
  await writeBlocks(store, SMALL, 0, 39)
  const word = (a: Uint8Array) => {
    const w = new Uint8Array(32)
    w.set(a, 12)
    return w
  }
  const filters: LogFilter[] = [
    { fromBlock: 0, toBlock: 39 },
    { fromBlock: 5, toBlock: 20, address: TOKENS[3] },
    { address: [TOKENS[1]!, TOKENS[2]!, PAIRS[0]!] },
    { topics: [SWAP_TOPIC] },
    { fromBlock: 10, toBlock: 30, topics: [TRANSFER_TOPIC, null, word(USERS[17]!)] },
    { topics: [[TRANSFER_TOPIC, SWAP_TOPIC], word(USERS[42]!)] },
    { address: TOKENS[0], topics: [null, null, null, null] },
    { address: new Uint8Array(20) },
  ]
  for (const f of filters) {
    const got = store.read((s) => s.getLogs(f)).map(key)
    assert.deepEqual(got, bruteForce(40, f), JSON.stringify(f, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)))
  }
  assert.ok(bruteForce(40, filters[1]!).length > 0, 'the address filter selects something')
  const all = store.read((s) => s.getLogs({}))
  assert.ok(all.length > 100)
  // The match carries the receipt the log came from.
  const one = all[0]!
  const rc = store.read((s) => s.getReceipt(one.txHash))!
  assert.deepEqual(one.receipt, rc.receipt)
  assert.throws(() => store.read((s) => s.getLogs({ limit: 10 })), LogQueryLimitError)
  await store.close()
  const again = await ChainStore.open(dir)
  for (const f of filters) assert.deepEqual(again.read((s) => s.getLogs(f)).map(key), bruteForce(40, f))
  await again.close()
})

test('abort discards a block; the same number can be written again', async (t) => {
  const dir = tempDir(t)
  const store = await ChainStore.open(dir, { batchBytes: 4096 })
  await writeBlocks(store, SMALL, 0, 2)
  const { minis } = makeBlock({ ...SMALL, seed: 99 }, 3)
  const w = store.beginBlock(3)
  for (const m of minis) w.appendMiniBlock(m)
  await w.abort()
  assert.equal(store.head, 2)
  assert.equal(store.read((s) => s.getTransaction(minis[0]!.txs[0]?.hash ?? minis[1]!.txs[0]!.hash)), undefined)
  await writeBlocks(store, SMALL, 3, 4)
  store.read((s) => {
    for (let n = 0; n <= 4; n++) checkBlock(s, SMALL, n)
  })
  await store.close()
  const again = await ChainStore.open(dir)
  again.read((s) => checkBlock(s, SMALL, 4))
  await again.close()
})

test('pipelined commits: the next block starts while the previous one syncs', async (t) => {
  const dir = tempDir(t)
  const store = await ChainStore.open(dir)
  const pending: Promise<void>[] = []
  for (let n = 0; n < 20; n++) {
    const { block, minis } = makeBlock(SMALL, n)
    const w = store.beginBlock(n)
    for (const m of minis) w.appendMiniBlock(m)
    pending.push(w.commit(block))
  }
  await Promise.all(pending)
  assert.equal(store.head, 19)
  await store.close()
  const again = await ChainStore.open(dir)
  again.read((s) => {
    for (let n = 0; n < 20; n++) checkBlock(s, SMALL, n)
  })
  await again.close()
})

test('bad input and misuse raise typed errors', async (t) => {
  const dir = tempDir(t)
  const store = await ChainStore.open(dir)
  await writeBlocks(store, SMALL, 0, 0)
  assert.throws(() => store.beginBlock(5), InvalidRecordError)
  const w = store.beginBlock(1)
  assert.throws(() => store.beginBlock(1), StoreStateError)
  const { minis, block } = makeBlock(SMALL, 1)
  assert.throws(() => w.appendMiniBlock({ ...minis[0]!, hash: new Uint8Array(31) }), InvalidRecordError)
  assert.throws(() => w.appendMiniBlock({ ...minis[0]!, number: 77 }), InvalidRecordError)
  assert.throws(() => w.appendMiniBlock({ ...minis[1]! }), InvalidRecordError, 'index out of order')
  const badTx = { hash: new Uint8Array(32), tx: new Uint8Array(3), receipt: new Uint8Array(3), logs: [{ address: new Uint8Array(20), topics: [new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)] }] }
  assert.throws(() => w.appendMiniBlock({ ...minis[0]!, txs: [badTx] }), InvalidRecordError)
  for (const m of minis) w.appendMiniBlock(m)
  await assert.rejects(w.commit({ ...block, number: 2 }), InvalidRecordError)
  await w.commit(block)
  await assert.rejects(w.commit(block), StoreStateError)
  const snap = store.snapshot()
  snap.release()
  assert.throws(() => snap.getBlock(0), StoreStateError)
  await store.close()
  assert.throws(() => store.snapshot(), StoreStateError)
})

test('inline writer (compressInWorker: false) writes the same store', async (t) => {
  const dir = tempDir(t)
  const store = await ChainStore.open(dir, { compressInWorker: false, batchBytes: 4096 })
  await writeBlocks(store, SMALL, 0, 14)
  const pending: Promise<void>[] = []
  for (let n = 15; n < 20; n++) {
    const { block, minis } = makeBlock(SMALL, n)
    const w = store.beginBlock(n)
    for (const m of minis) w.appendMiniBlock(m)
    pending.push(w.commit(block))
  }
  await Promise.all(pending)
  store.read((s) => {
    for (let n = 0; n < 20; n++) checkBlock(s, SMALL, n)
  })
  await store.close()
  const again = await ChainStore.open(dir)
  again.read((s) => {
    for (let n = 0; n < 20; n++) checkBlock(s, SMALL, n)
  })
  await writeBlocks(again, SMALL, 20, 21)
  await again.close()
})
