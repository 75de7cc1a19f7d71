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
import { verifyProof } from '../../src/ads/proof.js'
import { applyModel, blockChanges } from './workload.js'

/** Changes per block of the crash workload. */
export const CRASH_OPS = 150
/** Key space of the crash workload (large enough that compaction runs). */
export const CRASH_SPACE = 7000
/** The child stops after this height. */
export const CRASH_MAX_HEIGHT = 100000

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Runs `kills` kill/reopen rounds with the given seed; returns the heights reached. */
export async function crashLoop(kills: number, seed: number): Promise<number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qmdb-crash-'))
  const refDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qmdb-crashref-'))
  const child = fileURLToPath(new URL('./crash-child.js', import.meta.url))
  const ref = await Qmdb.open(refDir, { workers: 0 })
  const roots: string[] = [hex(ref.root)]
  const model = new Map<string, Uint8Array>()
  const heights: number[] = []
  let lastReported = 0
  let rnd = seed * 7919 + 1
  const random = (): number => { rnd = (rnd * 48271) % 2147483647; return rnd / 2147483647 }
  try {
    for (let i = 0; i < kills; i++) {
      const proc = spawn(process.execPath, [child, dir, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      let onOpen: () => void = () => undefined
      const opened = new Promise<void>((resolve) => { onOpen = resolve })
      proc.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('open')) onOpen() })
      const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()))
      // one kill in five lands while the child is still opening/recovering; the rest while it commits
      if (random() < 0.2) await new Promise((r) => setTimeout(r, random() * 150))
      else { await Promise.race([opened, exited]); await new Promise((r) => setTimeout(r, 20 + random() * 300)) }
      proc.kill('SIGKILL')
      await exited
      for (const line of out.split('\n')) if (/^\d+$/.test(line)) lastReported = Math.max(lastReported, Number(line))
      const db = await Qmdb.open(dir, { workers: 0 })
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
  return heights
}
