/**
 * A handful of SIGKILL crash rounds for the fast suite (the long suite,
 * crash.long.test.ts, runs 100+): after every reopen each committed block is
 * complete and nothing uncommitted is visible.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crashLoop } from './crashLoop.js'
import { tempDir } from './helpers.js'

test('SIGKILL crash loop: 6 kills, committed prefix intact after each reopen', async (t) => {
  const dir = tempDir(t, 'tachyon-crash-')
  const { head, checkpointLoads } = await crashLoop(dir, 6, 11)
  assert.ok(head > 0, `children committed blocks (head ${head})`)
  assert.ok(checkpointLoads > 0, 'reopens loaded index checkpoints')
})
