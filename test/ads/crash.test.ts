/** Short crash test for `npm test`: a handful of SIGKILLs of a committing child, each followed by a checked reopen. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crashLoop } from './crash-harness.js'

test('SIGKILL during commits: reopen lands on a committed block with its exact root and keys', async () => {
  const heights = await crashLoop(6, 11)
  assert.ok(heights[heights.length - 1]! > 0, `made progress: ${heights.join(',')}`)
})

test('SIGKILL during commits with the hybrid index: reopen rebuilds the index, exact root and keys', async () => {
  const heights = await crashLoop(3, 12, 'hybrid')
  assert.ok(heights[heights.length - 1]! > 0, `made progress: ${heights.join(',')}`)
})
