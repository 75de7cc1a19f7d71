/** Long crash test (npm run test:long): 100 SIGKILLs of a committing child, each followed by a checked reopen. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crashLoop } from './crash-harness.js'

test('100 SIGKILLs: every reopen is at a committed block with its exact root and keys', { timeout: 1_500_000 }, async () => {
  const heights = await crashLoop(100, 23)
  assert.equal(heights.length, 100)
  assert.ok(heights[heights.length - 1]! > 20, `made progress: ${heights.join(',')}`)
})

test('30 SIGKILLs with the hybrid index: every reopen is at a committed block with its exact root and keys', { timeout: 1_500_000 }, async () => {
  const heights = await crashLoop(30, 29, 'hybrid')
  assert.equal(heights.length, 30)
  assert.ok(heights[heights.length - 1]! > 5, `made progress: ${heights.join(',')}`)
})
