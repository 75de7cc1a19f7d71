/**
 * Worker thread running the chain store's `WriterCore`: it compresses sealed
 * batches, writes them, and makes commits durable, so the node's main thread
 * only packs records and publishes indices. Requests arrive through the
 * shared ring (see `writerHost.ts`) and are handled strictly in order; the
 * worker sleeps in `Atomics.waitAsync` when the ring is empty, so its event
 * loop keeps running the I/O callbacks. Arena chunks arrive by message; a
 * batch naming a chunk that has not arrived yet holds the ring until it does.
 * Replies go back by message, with the request id.
 */
import { parentPort } from 'node:worker_threads'
import { WriterCore, type CommitReply } from './writerCore.js'
import { CTRL_HEAD, CTRL_SLEEPING, CTRL_TAIL, POLL_MS, SLEEP_AWAKE, SLEEP_DEEP, SLEEP_POLLING, OP_BATCH, OP_CLOSE, OP_COMMIT, OP_PRUNE, OP_ROLLBACK, RING_SLOTS, SLOT_WIDTH, type HostMessage, type WorkerReply } from './writerHost.js'

/** `Atomics.waitAsync` (ES2024; in Node since 16, typed here because the project's lib is older). */
interface WaitAsync {
  waitAsync(a: Int32Array, index: number, value: number, timeout?: number): { async: false; value: string } | { async: true; value: Promise<string> }
}
const waitAsync = (Atomics as unknown as WaitAsync).waitAsync

const port = parentPort
let core: WriterCore | undefined
let ctrl: Int32Array | undefined
let ring: Float64Array | undefined
let tail = 0
let waiting = false
let stopped = false
/** Polls in a row that found the ring empty; after `IDLE_POLLS` the worker sleeps until notified. */
let emptyPolls = 0
const IDLE_POLLS = 50
/** Batches waiting ahead of a requested commit above which the writer stores them raw. */
const HURRY_BACKLOG = 4

/**
 * True when a commit is already requested and more than `HURRY_BACKLOG`
 * batches stand between the writer and it: the packer is waiting on work
 * the writer has not even started, so that work skips compression. (A burst
 * of batches with no commit behind it is normal: the writer catches up
 * while the block is still being packed.)
 */
function behind(): boolean {
  const c = ctrl!
  const r = ring!
  const head = Atomics.load(c, CTRL_HEAD)
  let batches = 0
  for (let t = tail; t !== head; t = (t + 1) | 0) {
    const op = r[(t & (RING_SLOTS - 1)) * SLOT_WIDTH]!
    if (op === OP_COMMIT) return batches > HURRY_BACKLOG
    if (op === OP_BATCH) batches++
  }
  return false
}
const chunks = new Set<string>()

/** Buffers a reply can hand over instead of copying (a commit's offsets and fingerprints, made fresh for it). */
function transferables(result: unknown): ArrayBuffer[] {
  const streams = (result as Partial<CommitReply> | null)?.streams
  if (!Array.isArray(streams)) return []
  return streams.flatMap((s) => [s.placed.buffer as ArrayBuffer, s.fps.buffer as ArrayBuffer]).filter((b) => b.byteLength > 0)
}

function answer(id: number, p: Promise<unknown>): void {
  p.then(
    (result) => port!.postMessage({ id, result } satisfies WorkerReply, transferables(result)),
    (e: unknown) => port!.postMessage({ id, error: e instanceof Error ? e.message : String(e) } satisfies WorkerReply),
  )
}

/**
 * Handle published slots up to and including one batch, then return to the
 * event loop ('more'), so I/O completions of a commit in flight (its fsyncs)
 * are handled between two batch compressions rather than after all of them.
 * 'blocked': held back by a chunk that has not arrived; 'empty': ring drained.
 */
function drain(): 'empty' | 'more' | 'blocked' {
  const c = ctrl!
  const r = ring!
  const w = core!
  if (tail !== Atomics.load(c, CTRL_HEAD)) emptyPolls = 0
  else emptyPolls++
  while (tail !== Atomics.load(c, CTRL_HEAD)) {
    const o = (tail & (RING_SLOTS - 1)) * SLOT_WIDTH
    const op = r[o]!
    if (op === OP_BATCH) {
      const stream = r[o + 1]!
      const chunk = r[o + 2]!
      if (!chunks.has(`${stream}:${chunk}`)) return 'blocked'
      w.submit(stream, chunk, r[o + 3]!, r[o + 4]!, r[o + 5]!, r[o + 6]!, r[o + 7]!, behind())
      tail = (tail + 1) | 0
      Atomics.store(c, CTRL_TAIL, tail)
      return 'more'
    } else {
      const id = r[o + 1]!
      const arg = r[o + 2]!
      if (op === OP_COMMIT) answer(id, w.commit(arg))
      else if (op === OP_PRUNE) answer(id, w.prune(arg))
      else if (op === OP_ROLLBACK) answer(id, w.rollback())
      else if (op === OP_CLOSE) {
        stopped = true
        answer(id, w.close())
      }
    }
    tail = (tail + 1) | 0
    Atomics.store(c, CTRL_TAIL, tail)
  }
  return 'empty'
}

/** Drain, then sleep until the host publishes more (unless held back or closed). */
function pump(): void {
  if (waiting || stopped) return
  const state = drain()
  if (state === 'blocked' || stopped) return
  if (state === 'more') return void setImmediate(pump)
  core!.flushAll()
  // Announce the sleep first, then re-check: the host either sees the state or we see its slot.
  const c = ctrl!
  const deep = emptyPolls >= IDLE_POLLS
  Atomics.store(c, CTRL_SLEEPING, deep ? SLEEP_DEEP : SLEEP_POLLING)
  const seen = Atomics.load(c, CTRL_HEAD)
  const res = seen !== tail ? undefined : waitAsync(c, CTRL_HEAD, seen, deep ? undefined : POLL_MS)
  if (res === undefined || !res.async) {
    Atomics.store(c, CTRL_SLEEPING, SLEEP_AWAKE)
    return void setImmediate(pump)
  }
  waiting = true
  void res.value.then(() => {
    waiting = false
    Atomics.store(c, CTRL_SLEEPING, SLEEP_AWAKE)
    pump()
  })
}

if (port) {
  port.on('message', (m: HostMessage) => {
    if (m.t === 'init') {
      try {
        core = new WriterCore({ ...m.init, flushWhenIdle: true })
        ctrl = new Int32Array(m.ctrl)
        ring = new Float64Array(m.ring)
        port.postMessage({ id: m.id, result: null } satisfies WorkerReply)
        pump()
      } catch (e) {
        port.postMessage({ id: m.id, error: (e as Error).message } satisfies WorkerReply)
      }
    } else if (m.t === 'chunk') {
      core!.addChunk(m.stream, m.chunk, new Uint8Array(m.buffer))
      chunks.add(`${m.stream}:${m.chunk}`)
      pump()
    }
  })
}
