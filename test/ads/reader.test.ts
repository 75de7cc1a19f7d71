/**
 * ReadPool tests on real segment files: many batches of random sizes read by
 * reader threads and the calling thread together must fill every slot with
 * exactly the entry at its offset (the claim protocol neither skips nor
 * repeats a request), and an entry longer than a slot is left to the caller.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { encodeEntry } from '../../src/ads/entry.js'
import { READ_BATCH_MAX, READ_SLOT_BYTES, ReadPool } from '../../src/ads/reader.js'

test('reader threads fill every slot of every batch with the right entry', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qmdb-reader-'))
  const segBytes = 1 << 16
  const dirs = [path.join(root, 'a'), path.join(root, 'b')]
  // entries of both shards across several segments; one long entry per segment
  const entries: { shard: number; off: number; bytes: Uint8Array }[] = []
  for (let s = 0; s < 2; s++) {
    fs.mkdirSync(dirs[s]!)
    for (let seg = 0; seg < 3; seg++) {
      const chunks: Uint8Array[] = []
      let pos = 0, i = 0
      while (pos < segBytes - 4096) {
        const long = i === 7
        const key = new TextEncoder().encode(`s${s}-g${seg}-k${i}`)
        const value = new Uint8Array(long ? 400 : 1 + (i % 90)).fill(i & 0xff)
        const e = encodeEntry(key, value, new Uint8Array(32).fill(s), i, seg * 100000 + i, i % 3 === 0 ? [i] : [])
        entries.push({ shard: s, off: seg * segBytes + pos, bytes: e })
        chunks.push(e)
        pos += e.length
        i++
      }
      fs.writeFileSync(path.join(dirs[s]!, `${String(seg).padStart(8, '0')}.seg`), Buffer.concat(chunks))
    }
  }
  const pool = new ReadPool(dirs, segBytes, 3)
  try {
    let x = 7
    const rnd = (n: number): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n }
    for (let batch = 0; batch < 300; batch++) {
      const n = batch % 10 === 0 ? READ_BATCH_MAX : 1 + rnd(batch % 2 ? 5000 : 200)
      const picked: number[] = []
      pool.begin()
      for (let i = 0; i < n; i++) {
        const j = rnd(entries.length)
        picked.push(j)
        assert.equal(pool.add(entries[j]!.shard, entries[j]!.off), i)
      }
      assert.equal(pool.full, n === READ_BATCH_MAX)
      pool.shared.lens.fill(-7, 0, n)
      pool.run()
      for (let i = 0; i < n; i++) {
        const e = entries[picked[i]!]!
        const len = pool.shared.lens[i]!
        if (e.bytes.length > READ_SLOT_BYTES) { assert.equal(len, -1); continue }
        assert.equal(len, e.bytes.length, `batch ${batch} slot ${i}`)
        assert.deepEqual(pool.shared.data.subarray(i * READ_SLOT_BYTES, i * READ_SLOT_BYTES + len), e.bytes)
      }
    }
  } finally {
    await pool.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
})
