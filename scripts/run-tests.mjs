#!/usr/bin/env node
// Runs the compiled test files under dist/ with Node's test runner.
// Usage: node scripts/run-tests.mjs [--long] [filter…]
//   default: every *.test.js except *.long.test.js (the fast suite, npm test)
//   --long:  only *.long.test.js (crash loops, soaks; npm run test:long)
//   filter:  keep only files whose path contains one of the given strings
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const args = process.argv.slice(2)
const long = args.includes('--long')
const filters = args.filter((a) => !a.startsWith('--'))

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (name.endsWith('.test.js')) out.push(p)
  }
  return out
}

const files = walk('dist', [])
  .filter((f) => (long ? f.endsWith('.long.test.js') : !f.endsWith('.long.test.js')))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()
if (files.length === 0) {
  console.error('no test files found under dist/ (did tsc run?)')
  process.exit(1)
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' })
process.exit(r.status ?? 1)
