/**
 * The long SIGKILL crash loop (npm run test:long): 120 kill/reopen/verify
 * rounds on one store directory, with segment rolls and prunes in between.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crashLoop } from './crashLoop.js'
import { tempDir } from './helpers.js'

test('SIGKILL crash loop: 120 kills', { timeout: 20 * 60_000 }, async (t) => {
  const dir = tempDir(t, 'tachyon-crash-long-')
  const { head, kills, checkpointLoads } = await crashLoop(dir, 120, 2024)
  assert.equal(kills, 120)
  assert.ok(checkpointLoads > 10, `reopens that loaded an index checkpoint: ${checkpointLoads}`)
  assert.ok(head > 100, `head ${head}`)
})
