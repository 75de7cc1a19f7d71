/**
 * Shared deterministic workload for the QMDB tests: block `h` of seed `s` is a
 * fixed list of creates/updates/deletes over a bounded key space, and a plain
 * Map model replays the same blocks. Used by the property, determinism and
 * crash tests (and by the crash child process).
 */
import type { Change } from '../../src/ads/db.js'

/** xorshift32 PRNG, deterministic per (seed, height). */
export function rng(seed: number, h: number): () => number {
  let x = (seed * 0x9e3779b1 + h * 0x85ebca6b + 1) >>> 0 || 1
  return () => {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    return x / 0x100000000
  }
}

/** The changes of block `h`: `ops` distinct keys out of `space`, 15% deletes. */
export function blockChanges(seed: number, h: number, ops: number, space: number): Change[] {
  const r = rng(seed, h)
  const seen = new Set<number>()
  const out: Change[] = []
  for (let i = 0; i < ops; i++) {
    const k = Math.floor(r() * space)
    if (seen.has(k)) continue
    seen.add(k)
    const key = new TextEncoder().encode(`key-${k}`)
    const del = r() < 0.15
    const value = del ? null : new TextEncoder().encode(`v-${h}-${k}-${Math.floor(r() * 1e6)}`)
    out.push({ key, value })
  }
  return out
}

/** Applies changes to a Map model (hex key → value). */
export function applyModel(model: Map<string, Uint8Array>, changes: readonly Change[]): void {
  for (const c of changes) {
    const k = Buffer.from(c.key).toString('hex')
    if (c.value === null) model.delete(k)
    else model.set(k, c.value)
  }
}
