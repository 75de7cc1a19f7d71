/**
 * Test helpers shared by the primitives and crypto suites: locating the repo
 * root (tests run both from `dist/test/...` and, under tsx, from `test/...`)
 * and the shared fixtures directory next to it.
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

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

/**
 * Absolute path of `rel` inside the shared fixtures (`../shared/fixtures` from
 * the repo root), or undefined (after printing a visible skip notice) when absent.
 */
export function fixturePath(rel: string): string | undefined {
  const p = resolve(repoRoot(), '../shared/fixtures', rel)
  if (existsSync(p)) return p
  console.log(`# SKIP: fixture ${rel} not found at ${p}`)
  return undefined
}
