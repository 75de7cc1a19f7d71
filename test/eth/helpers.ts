/**
 * Test helpers for the eth suites: locating the repo root (tests run from
 * `dist/test/eth` and, under tsx, from `test/eth`), the shared fixtures next
 * to it (with a visible skip notice when absent), and fixture-string decoding.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hexToBytes } from '../../src/primitives/hex.js'

/** The repository root: the nearest ancestor of this file holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir
    const up = dirname(dir)
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url))
    dir = up
  }
}

/** Absolute path of `rel` inside `../shared/fixtures`, or undefined (after a visible skip notice) when absent. */
export function fixturePath(rel: string): string | undefined {
  const p = resolve(repoRoot(), '../shared/fixtures', rel)
  if (existsSync(p)) return p
  console.log(`# SKIP: fixture ${rel} not found at ${p}`)
  return undefined
}

/** Every `.json` file below `dir`, sorted. */
export function jsonFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (name.endsWith('.json')) out.push(p)
    }
  }
  walk(dir)
  return out.sort()
}

/** Trie-test string: `0x…` is hex, anything else is UTF-8; null is the empty value (deletion). */
export function fixtureBytes(s: string | null): Uint8Array {
  if (s === null) return new Uint8Array(0)
  if (s.startsWith('0x')) return hexToBytes(s)
  return new TextEncoder().encode(s)
}
