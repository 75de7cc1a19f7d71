/**
 * Child process for the crash tests: opens the store in argv[2] and commits
 * the deterministic workload's blocks (seed argv[3]; index kind argv[4]) one after another,
 * printing each height once its commit has resolved, until it is killed.
 */
import { Qmdb } from '../../src/ads/db.js'
import { blockChanges } from './workload.js'
import { CRASH_OPS, CRASH_SPACE, CRASH_MAX_HEIGHT } from './crash-harness.js'

const [dir, seedArg, indexArg] = process.argv.slice(2)
const seed = Number(seedArg)
// hybrid: a small change buffer, so the child merges runs at most blocks (and may be killed mid-merge)
const index = indexArg === 'hybrid' ? 'hybrid' : 'memory'
const db = await Qmdb.open(dir!, { workers: 1, segmentBytes: 1 << 15, index, hybridMinBuffer: 200 })
process.stdout.write(`open ${db.height}\n`)
for (let h = db.height + 1; h <= CRASH_MAX_HEIGHT; h++) {
  await db.commit(blockChanges(seed, h, CRASH_OPS, CRASH_SPACE))
  process.stdout.write(`${h}\n`)
}
await db.close()
