/**
 * Worker thread that owns the Merkle trees of some shards and hashes each
 * block's job (leaf hashes, twig left trees, ActiveBits right trees, upper
 * tree), replying with the upper nodes it changed so the main thread's mirror
 * can serve proofs. Jobs for a shard arrive and are answered in block order,
 * so roots never depend on timing.
 */
import { parentPort } from 'node:worker_threads'
import { ShardTree, type MerkleJob, type TreeSnapshot } from './tree.js'

/**
 * Messages the main thread sends: `part` is an early part of a block's job (hashed while the
 * block is still being applied, no reply), `job` its last part, answered with the delta.
 */
export type WorkerRequest =
  | { type: 'init'; shard: number; snapshot: TreeSnapshot }
  | { type: 'part'; shard: number; job: MerkleJob }
  | { type: 'job'; shard: number; seq: number; job: MerkleJob }

const trees = new Map<number, ShardTree>()
/** A part that failed: reported with the block's reply (the shard is then unusable). */
const failed = new Map<number, string>()

parentPort!.on('message', (m: WorkerRequest) => {
  if (m.type === 'init') {
    trees.set(m.shard, ShardTree.fromSnapshot(m.snapshot))
    return
  }
  if (m.type === 'part') {
    try {
      const t = trees.get(m.shard)
      if (!t) throw new Error(`shard ${m.shard} not initialised in this worker`)
      if (!failed.has(m.shard)) t.applyJob(m.job)
    } catch (err) {
      failed.set(m.shard, String((err as Error).stack ?? err))
    }
    return
  }
  try {
    const t = trees.get(m.shard)
    if (!t) throw new Error(`shard ${m.shard} not initialised in this worker`)
    const f = failed.get(m.shard)
    if (f !== undefined) throw new Error(`an earlier part failed: ${f}`)
    t.applyJob(m.job)
    const delta = t.commit(true)!
    // the block buffer goes back too, so the main thread reuses it for a later block
    parentPort!.postMessage({ seq: m.seq, shard: m.shard, delta, entries: m.job.entries },
      [delta.nodes.buffer as ArrayBuffer, delta.hashes.buffer as ArrayBuffer, m.job.entries.buffer as ArrayBuffer])
  } catch (err) {
    parentPort!.postMessage({ seq: m.seq, shard: m.shard, error: String((err as Error).stack ?? err) })
  }
})
