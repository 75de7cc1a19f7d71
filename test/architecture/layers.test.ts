/**
 * Enforces the layer order of DESIGN.md: a module may import only from its own
 * layer or lower ones. Fails naming the file and the offending import.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Rank of each top-level folder under src/; imports must go to an equal or lower rank. */
const RANK: Record<string, number> = {
  primitives: 0,
  crypto: 1,
  eth: 1.5,
  ads: 2,
  storage: 2,
  state: 3,
  evm: 4,
  execution: 5,
  chain: 6,
  txpool: 6,
  rpc: 7,
  sync: 7,
  node: 8,
}

const here = dirname(fileURLToPath(import.meta.url))
const srcRoot = resolve(here, '../../../src')

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p)
  }
  return out
}

test('lower layers never import higher ones', () => {
  const violations: string[] = []
  for (const file of walk(srcRoot, [])) {
    const rel = relative(srcRoot, file)
    const layer = rel.split('/')[0]!
    const rank = RANK[layer]
    if (rank === undefined) continue
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2]!
      const target = relative(srcRoot, resolve(dirname(file), spec)).split('/')[0]!
      const targetRank = RANK[target]
      if (targetRank === undefined || target === layer) continue
      if (targetRank > rank || (targetRank === rank && !isAllowedSibling(layer, target))) {
        violations.push(`${rel} imports ${spec} (${layer} → ${target})`)
      }
    }
  }
  assert.deepEqual(violations, [], `layer violations:\n${violations.join('\n')}`)
})

/** chain and txpool share a rank and may use each other's types; rpc and sync likewise. */
function isAllowedSibling(a: string, b: string): boolean {
  const pairs = [['chain', 'txpool'], ['txpool', 'chain'], ['rpc', 'sync'], ['sync', 'rpc']]
  return pairs.some(([x, y]) => x === a && y === b)
}
