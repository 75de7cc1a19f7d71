/**
 * Hybrid index tests: the index alone against a sorted model with forced 64-bit
 * prefix collisions (synthetic key hashes; offsets stand for entries), through
 * handles, merges at random points and many pages; and the memory bound of
 * issue 4 (`byteSize() / keys <= 3` between blocks at >= 200k keys) on a real store.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { HybridIndex } from '../../src/ads/hybrid-index.js'
import { Qmdb, type Change } from '../../src/ads/db.js'
import { compareHash } from '../../src/ads/entry.js'
import { rng } from './workload.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

test('hybrid index agrees with a sorted model (collisions, handles, merges, multi-page runs)', () => {
  for (const seed of [1, 2, 3]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hybrid-ix-'))
    const r = rng(seed, 0)
    const ix = new HybridIndex(dir, 0, seed === 1 ? 0 : 50)
    const hashOf = new Map<number, Uint8Array>()
    const fullHashAt = (off: number): Uint8Array => hashOf.get(off)!
    let nextOff = 8
    // 40 prefixes shared by many keys (collisions), the rest random
    const prefixes = Array.from({ length: 40 }, () => Array.from({ length: 8 }, () => Math.floor(r() * 256)))
    const randomKh = (): Uint8Array => {
      const kh = new Uint8Array(32)
      for (let i = 0; i < 32; i++) kh[i] = Math.floor(r() * 256)
      if (r() < 0.3) kh.set(prefixes[Math.floor(r() * prefixes.length)]!, 0)
      return kh
    }
    // the model: offsets sorted by key hash, kept in order incrementally
    const sorted: number[] = []
    const where = (kh: Uint8Array): number => {
      let lo = 0, hi = sorted.length
      while (lo < hi) { const m = (lo + hi) >>> 1; if (compareHash(hashOf.get(sorted[m]!)!, 0, kh, 0) < 0) lo = m + 1; else hi = m }
      return lo
    }
    const put = (off: number, kh: Uint8Array): void => { hashOf.set(off, kh); sorted.splice(where(kh), 0, off) }
    const drop = (off: number): void => { sorted.splice(where(hashOf.get(off)!), 1); hashOf.delete(off) }
    const predOf = (kh: Uint8Array): number => sorted[where(kh) - 1] ?? -1
    const sentry = new Uint8Array(32)
    put(0, sentry)
    ix.insert(sentry, 0, fullHashAt)
    try {
      for (let step = 0; step < 6000; step++) {
        const x = r()
        const offs = [...hashOf.keys()].filter((o) => hashOf.get(o) !== sentry)
        if (x < 0.45 || offs.length < 2) {
          const kh = randomKh()
          const at = where(kh)
          if (at < sorted.length && hex(hashOf.get(sorted[at]!)!) === hex(kh)) continue
          // the predecessor found through the index is the model's
          const pred = ix.predecessorAt(kh, 0, fullHashAt)
          assert.equal(pred, predOf(kh), `predecessor at step ${step}`)
          // rewrite the predecessor through its handle, then insert (as a create does)
          const pu = ix.cu, pr = ix.cr
          const pOff = nextOff; nextOff += 8
          ix.setOffsetAt(pu, pr, pOff)
          const ph = hashOf.get(pred)!
          drop(pred); put(pOff, ph)
          const off = nextOff; nextOff += 8
          ix.insert(kh, off, fullHashAt)
          put(off, kh)
        } else {
          const victim = offs[Math.floor(r() * offs.length)]!
          const kh = hashOf.get(victim)!
          let found = -1, fu = -1
          for (let c = ix.seek(kh, 0); ; c++) {
            const o = ix.candidate(c)
            if (o < 0) break
            if (o === victim) { found = c; fu = ix.cu }
          }
          assert.ok(found >= 0, `record of ${victim} found by seek at step ${step}`)
          if (x < 0.75) {
            const off = nextOff; nextOff += 8
            if (r() < 0.5) ix.setOffsetAt(fu, found, off)
            else assert.ok(ix.change(kh, victim, off))
            drop(victim); put(off, kh)
          } else {
            const pred = ix.predecessorAt(kh, 0, fullHashAt)
            assert.equal(pred, predOf(kh), `predecessor of a deleted key at step ${step}`)
            const pu = ix.cu, pr = ix.cr
            const pOff = nextOff; nextOff += 8
            ix.setOffsetAt(pu, pr, pOff)
            const ph = hashOf.get(pred)!
            drop(pred); put(pOff, ph)
            ix.eraseAt(fu, found)
            drop(victim)
          }
        }
        if (r() < 0.02) ix.endBlock()
        if (step % 500 === 0 || step === 5999) {
          assert.equal(ix.count, hashOf.size)
          for (const [o, h] of hashOf) assert.ok(ix.candidates(h).includes(o), `candidates of ${o} at step ${step}`)
          for (let k = 0; k < 50; k++) {
            const q = randomKh()
            assert.equal(ix.predecessor(q, fullHashAt), predOf(q))
          }
        }
      }
      ix.merge()
      assert.ok(ix.merges > 1 && ix.runRecords === hashOf.size && ix.runRecords > 1024, `merges ${ix.merges}, run ${ix.runRecords}`)
      for (const [o, h] of hashOf) assert.ok(ix.candidates(h).includes(o))
    } finally {
      ix.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
})

test('hybrid index memory: byteSize() / keys <= 3 after every block and within blocks at >= 200k keys', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hybrid-mem-'))
  const db = await Qmdb.open(dir, { workers: 1, index: 'hybrid' })
  const key = (n: number): Uint8Array => new TextEncoder().encode(`mem-key-${n}`)
  const value = (n: number, h: number): Uint8Array => new TextEncoder().encode(`value-${h}-${n}`)
  try {
    const N = 220_000, B = 40_000
    let worst = 0
    for (let n = 0, h = 1; n < N; n += B, h++) {
      const ch: Change[] = []
      for (let i = n; i < Math.min(N, n + B); i++) ch.push({ key: key(i), value: value(i, h) })
      await db.commit(ch)
      const s = db.indexStats()
      if (s.keys >= 200_000) worst = Math.max(worst, s.bytes / s.keys)
    }
    // small update/delete/create blocks: the buffer accumulates over blocks up to the merge threshold
    const r = rng(9, 9)
    let mergesSeen = 0
    for (let h = 0; h < 10; h++) {
      const ch: Change[] = []
      const seen = new Set<number>()
      for (let i = 0; i < 2500; i++) {
        const k = Math.floor(r() * N * 1.02)
        if (seen.has(k)) continue
        seen.add(k)
        ch.push({ key: key(k), value: r() < 0.05 ? null : value(k, 100 + h) })
      }
      const before = db.indexStats().bytes
      await db.commit(ch)
      const s = db.indexStats()
      if (s.bytes < before) mergesSeen++
      assert.ok(s.keys >= 200_000)
      worst = Math.max(worst, s.bytes / s.keys)
    }
    assert.ok(mergesSeen >= 1 && worst > 1, `the buffer grew over blocks and was merged (${mergesSeen} merges, ${worst.toFixed(2)} B/key)`)
    const peak = db.indexStats()
    t.diagnostic(`hybrid index: at most ${worst.toFixed(2)} B/key after a commit; in-block peak ${(peak.peakBytes / peak.keys).toFixed(2)} B/key`)
    assert.ok(worst > 0 && worst <= 3, `index ${worst.toFixed(2)} B/key`)
    // within blocks too (the buffer is merged at 1.5 × the threshold, whatever the block size)
    assert.ok(peak.peakBytes / peak.keys <= 3, `in-block peak ${(peak.peakBytes / peak.keys).toFixed(2)} B/key`)
    assert.equal(new TextDecoder().decode(db.get(key(123_457))!).startsWith('value-'), true)
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
