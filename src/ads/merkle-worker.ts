/**
 * Worker thread that owns the Merkle trees of some shards and hashes each
 * block's job (leaf hashes, twig left trees, ActiveBits right trees, upper
 * tree), replying with the upper nodes it changed so the main thread's mirror
 * can serve proofs. Jobs for a shard arrive and are answered in block order,
 * so roots never depend on timing.
 */
import { parentPort } from 'node:worker_threads'
import { ShardTree, type MerkleJob, type TreeSnapshot } from './tree.js'

/** Messages the main thread sends. */
export type WorkerRequest =
  | { type: 'init'; shard: number; snapshot: TreeSnapshot }
  | { type: 'job'; shard: number; seq: number; job: MerkleJob }

const trees = new Map<number, ShardTree>()

parentPort!.on('message', (m: WorkerRequest) => {
  if (m.type === 'init') {
    trees.set(m.shard, ShardTree.fromSnapshot(m.snapshot))
    return
  }
  try {
    const t = trees.get(m.shard)
    if (!t) throw new Error(`shard ${m.shard} not initialised in this worker`)
    t.applyJob(m.job)
    const delta = t.commit(true)!
    // the block buffer goes back too, so the main thread reuses it for a later block
    parentPort!.postMessage({ seq: m.seq, shard: m.shard, delta, entries: m.job.entries },
      [delta.nodes.buffer as ArrayBuffer, delta.hashes.buffer as ArrayBuffer, m.job.entries.buffer as ArrayBuffer])
  } catch (err) {
    parentPort!.postMessage({ seq: m.seq, shard: m.shard, error: String((err as Error).stack ?? err) })
  }
})
