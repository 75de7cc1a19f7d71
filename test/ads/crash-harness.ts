/**
 * Crash loop shared by the short (npm test) and long (100 kills) suites: a
 * child process commits blocks and is SIGKILLed at a random moment; the store
 * is reopened and must be at a committed block (no older than the last one the
 * child reported), with that block's exact root (computed by a reference
 * store fed the same blocks) and every key of the model at that height readable.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Qmdb } from '../../src/ads/db.js'
import type { IndexKind } from '../../src/ads/index.js'
import { verifyProof } from '../../src/ads/proof.js'
import { applyModel, blockChanges } from './workload.js'

/** Changes per block of the crash workload. */
export const CRASH_OPS = 150
/** Key space of the crash workload (large enough that compaction runs). */
export const CRASH_SPACE = 7000
/** The child stops after this height. */
export const CRASH_MAX_HEIGHT = 100000

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** How long a round waits for the child's first commit before failing (generous: CI machines are loaded). */
export const COMMIT_WAIT_MS = 120_000

/**
 * Runs `kills` kill/reopen rounds with the given seed and index kind (child and reopen); returns the heights reached.
 * Every round that waited for a commit reopens at a height above the previous round's, so
 * the heights of the returned list strictly increase over those rounds.
 */
export async function crashLoop(kills: number, seed: number, index: IndexKind = 'memory'): Promise<number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qmdb-crash-'))
  const refDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qmdb-crashref-'))
  const child = fileURLToPath(new URL('./crash-child.js', import.meta.url))
  const ref = await Qmdb.open(refDir, { workers: 0 })
  const roots: string[] = [hex(ref.root)]
  const model = new Map<string, Uint8Array>()
  const heights: number[] = []
  let lastReported = 0
  let progressed = 0
  let rnd = seed * 7919 + 1
  const random = (): number => { rnd = (rnd * 48271) % 2147483647; return rnd / 2147483647 }
  try {
    for (let i = 0; i < kills; i++) {
      const proc = spawn(process.execPath, [child, dir, String(seed), index], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      const target = lastReported + 1
      let onCommit: () => void = () => undefined
      const committed = new Promise<void>((resolve) => { onCommit = resolve })
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.split('\n').some((l) => /^\d+$/.test(l) && Number(l) >= target)) onCommit()
      })
      const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()))
      // One kill in five lands while the child is still opening/recovering (timing-based, may
      // make no progress); every other kill, and always the last one, waits until the child has
      // reported a commit beyond the last durable height, however loaded the machine is, so the
      // loop asserts recovery rather than timing.
      const early = i < kills - 1 && random() < 0.2
      if (early) await new Promise((r) => setTimeout(r, random() * 150))
      else {
        let timer: NodeJS.Timeout | undefined
        const timeout = new Promise<void>((_, reject) => { timer = setTimeout(() => reject(new Error(`child made no commit within ${COMMIT_WAIT_MS} ms (round ${i})`)), COMMIT_WAIT_MS) })
        try { await Promise.race([committed, exited, timeout]) } finally { clearTimeout(timer) }
        await new Promise((r) => setTimeout(r, random() * 300))
      }
      proc.kill('SIGKILL')
      await exited
      if (!early) progressed++
      for (const line of out.split('\n')) if (/^\d+$/.test(line)) lastReported = Math.max(lastReported, Number(line))
      const db = await Qmdb.open(dir, { workers: 0, index })
      try {
        const h = db.height
        heights.push(h)
        assert.ok(h >= lastReported && h <= lastReported + 1, `height ${h} after the child reported ${lastReported}`)
        while (roots.length <= h) {
          const ch = blockChanges(seed, roots.length, CRASH_OPS, CRASH_SPACE)
          roots.push(hex(await ref.commit(ch)))
          applyModel(model, ch)
        }
        assert.equal(hex(db.root), roots[h], `root at height ${h}`)
        // the model is at ref height (>= h); replay-check only when equal, else check the keys via proofs of height h's root
        if (ref.height === h) {
          for (const [k, v] of model) assert.equal(hex(db.get(Buffer.from(k, 'hex')) ?? new Uint8Array(0)), hex(v), `key ${k} at height ${h}`)
          let n = 0
          for (const k of model.keys()) {
            if (n++ % 97 !== 0) continue
            const r = verifyProof(db.prove(Buffer.from(k, 'hex')), db.root)
            assert.ok(r.ok && r.exists)
          }
        }
        lastReported = h
      } finally {
        await db.close()
      }
    }
  } finally {
    await ref.close()
    fs.rmSync(dir, { recursive: true, force: true })
    fs.rmSync(refDir, { recursive: true, force: true })
  }
  assert.ok(progressed > 0)
  return heights
}
