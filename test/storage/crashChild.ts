/**
 * Child process of the crash loop (not a test file): opens the store in
 * argv[2], prints READY, then appends synthetic blocks after the head as
 * fast as it can, printing `C <n>` once each commit has returned (so the
 * parent knows which blocks were promised durable), and now and then prunes.
 * The parent SIGKILLs it at a random moment.
 */
import { ChainStore } from '../../src/storage/index.js'
import { makeBlock } from './fixtures.js'
import { CRASH_OPTIONS, CRASH_SHAPE } from './crashLoop.js'

const dir = process.argv[2]!
const store = await ChainStore.open(dir, CRASH_OPTIONS)
process.stdout.write('READY\n')
let n = store.head + 1
for (;;) {
  const { block, minis } = makeBlock(CRASH_SHAPE, n)
  const w = store.beginBlock(n)
  for (const m of minis) {
    w.appendMiniBlock(m)
    // Let writes of earlier mini-blocks reach the files before the block commits.
    if (m.index % 2 === 1) await new Promise((r) => setImmediate(r))
  }
  await w.commit(block)
  process.stdout.write(`C ${n}\n`)
  if (n % 40 === 39 && n > 80) await store.prune(n - 80)
  n++
}
