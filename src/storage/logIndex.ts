/**
 * The log index behind `eth_getLogs`: an inverted index from each address and
 * each topic seen in a log to the ascending list of block numbers whose logs
 * contain it. A query takes, for the address criterion and for every
 * non-wildcard topic position, the union of the lists of its alternatives,
 * intersects those unions inside the block range, and only then reads the
 * candidate blocks' log keys to apply the exact filter (positions included).
 * Keys are 64-bit fingerprints, so a collision only adds a candidate block.
 */
import { HashMultiIndex, fingerprint } from './hashIndex.js'

/** Fingerprint tag of address keys. */
export const TAG_ADDRESS = 0x61
/** Fingerprint tag of topic keys. */
export const TAG_TOPIC = 0x74

/** The address and topics of one log: what the index and the filter look at. */
export interface LogKey {
  /** 20-byte emitter address. */
  address: Uint8Array
  /** 0 to 4 topics of 32 bytes. */
  topics: Uint8Array[]
}

/** An `eth_getLogs`-style filter over committed blocks. */
export interface LogFilter {
  /** First block (inclusive); default: the oldest retained block. */
  fromBlock?: number
  /** Last block (inclusive); default: the snapshot head. */
  toBlock?: number
  /** One address or any of several. */
  address?: Uint8Array | Uint8Array[]
  /** Per position: null (any), one topic, or any of several. */
  topics?: (Uint8Array | Uint8Array[] | null)[]
  /** Throw `LogQueryLimitError` once more than this many logs match (default 10,000). */
  limit?: number
}

/** Ascending block-number lists per key. */
export class PostingIndex {
  private keys = new HashMultiIndex(4096)
  private lists: Uint32Array[] = []
  private lengths: number[] = []
  private fp = new Uint32Array(2)
  /** Base subtracted from block numbers so they fit u32. */
  constructor(readonly base: number) {}

  /** Record that `key` (tagged) occurs in block `block`; blocks arrive in ascending order. */
  add(key: Uint8Array, tag: number, block: number): void {
    fingerprint(key, tag, this.fp)
    this.addFingerprint(this.fp[0]!, this.fp[1]!, block)
  }

  /** Same as `add` with the key's fingerprint already computed. */
  addFingerprint(hi: number, lo: number, block: number): void {
    let id = this.keys.first(hi, lo)
    const v = block - this.base
    if (id < 0) {
      id = this.lists.length
      this.keys.insert(hi, lo, id)
      const l = new Uint32Array(2)
      l[0] = v
      this.lists.push(l)
      this.lengths.push(1)
      return
    }
    let l = this.lists[id]!
    const n = this.lengths[id]!
    if (l[n - 1] === v) return
    if (n === l.length) {
      const g = new Uint32Array(n * 2)
      g.set(l)
      this.lists[id] = l = g
    }
    l[n] = v
    this.lengths[id] = n + 1
  }

  /** Blocks in [from, to] containing any of `keys` (tagged), ascending, deduplicated. */
  union(keys: Uint8Array[], tag: number, from: number, to: number): number[] {
    const out: number[] = []
    for (const k of keys) {
      fingerprint(k, tag, this.fp)
      const id = this.keys.first(this.fp[0]!, this.fp[1]!)
      if (id < 0) continue
      const l = this.lists[id]!
      const n = this.lengths[id]!
      let i = lowerBound(l, n, from - this.base)
      for (; i < n && l[i]! + this.base <= to; i++) out.push(l[i]! + this.base)
    }
    if (keys.length > 1) {
      out.sort((a, b) => a - b)
      let w = 0
      for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[w++] = out[i]!
      out.length = w
    }
    return out
  }

  /** Number of distinct keys. */
  get keyCount(): number {
    return this.lists.length
  }

  /** A consistent copy of the index (for a checkpoint): key table, list lengths, lists concatenated. */
  exportState(): { keys: ReturnType<HashMultiIndex['exportTable']>; lengths: Uint32Array; flat: Uint32Array } {
    const lengths = Uint32Array.from(this.lengths)
    let total = 0
    for (const n of this.lengths) total += n
    const flat = new Uint32Array(total)
    let o = 0
    for (let i = 0; i < this.lists.length; i++) {
      flat.set(this.lists[i]!.subarray(0, lengths[i]!), o)
      o += lengths[i]!
    }
    return { keys: this.keys.exportTable(), lengths, flat }
  }

  /** An index from `exportState` output. Throws when the parts do not fit together. */
  static importState(base: number, keys: HashMultiIndex, lengths: Uint32Array, flat: Uint32Array): PostingIndex {
    const p = new PostingIndex(base)
    p.keys = keys
    let o = 0
    for (let i = 0; i < lengths.length; i++) {
      const n = lengths[i]!
      if (n === 0 || o + n > flat.length) throw new Error('malformed posting lists')
      const l = new Uint32Array(Math.max(2, n))
      l.set(flat.subarray(o, o + n))
      p.lists.push(l)
      p.lengths.push(n)
      o += n
    }
    if (o !== flat.length || keys.size !== lengths.length) throw new Error('posting lists do not match their keys')
    return p
  }
}

function lowerBound(l: Uint32Array, n: number, v: number): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const m = (lo + hi) >>> 1
    if (l[m]! < v) lo = m + 1
    else hi = m
  }
  return lo
}

/** Intersection of ascending lists. */
export function intersectSorted(a: number[], b: number[]): number[] {
  const out: number[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++
    else if (a[i]! > b[j]!) j++
    else {
      out.push(a[i]!)
      i++
      j++
    }
  }
  return out
}

function asList(v: Uint8Array | Uint8Array[]): Uint8Array[] {
  return v instanceof Uint8Array ? [v] : v
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A filter normalised to lists (empty list = wildcard). */
export interface NormalizedFilter {
  addresses: Uint8Array[]
  topics: Uint8Array[][]
}

/** Normalise a filter's address/topic criteria. */
export function normalizeFilter(f: LogFilter): NormalizedFilter {
  const addresses = f.address === undefined ? [] : asList(f.address)
  const topics = (f.topics ?? []).map((t) => (t === null ? [] : asList(t)))
  return { addresses, topics }
}

/** Exact match of one log against a normalised filter (Ethereum semantics: position-wise topics). */
export function matchesLog(f: NormalizedFilter, log: LogKey): boolean {
  if (f.addresses.length > 0 && !f.addresses.some((a) => eq(a, log.address))) return false
  for (let i = 0; i < f.topics.length; i++) {
    const alts = f.topics[i]!
    if (alts.length === 0) continue
    const t = log.topics[i]
    if (t === undefined || !alts.some((a) => eq(a, t))) return false
  }
  return true
}
