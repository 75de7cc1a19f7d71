/**
 * The Merkle tree of one shard, in typed-array arenas:
 * - twig t covers serial numbers [t*2048, (t+1)*2048); the youngest twig (the
 *   one the next serial number falls in) keeps its whole left tree (4096 nodes
 *   in heap order) in memory; older twigs keep only their left root;
 * - ActiveBits: 256 bytes per twig; the right tree over its 8 pages of 32 bytes
 *   (L1 = H(8), L2 = H(9), L3 = H(10)) is recomputed for twigs whose bits changed;
 * - twig root = H(11, leftRoot, L3) is the upper tree's level-12 node;
 *   node(L, i) = H(L-1, node(L-1, 2i), node(L-1, 2i+1)), missing right
 *   subtrees being NULL_NODE[L-1];
 * - shard root = node(12 + bitLength(youngestTwig), 0).
 *
 * Changes are accumulated (leaves appended, bits set/cleared) and hashed in
 * one pass per level by `commit()`. A tree can also be a mirror that only
 * receives the upper nodes computed elsewhere (`applyDelta`), which is how the
 * main thread serves proofs while a worker does the hashing.
 */
import { ACTIVE_BITS_BYTES, FIRST_UPPER_LEVEL, LEAVES_PER_TWIG, MAX_LEVEL, TWIG_ROOT_LEVEL, TWIG_SHIFT } from './constants.js'
import { hashPairsInto, hashSpansInto, NULL_LEFT_TREE, NULL_NODE } from './hash.js'
import { peekEntryLength, ENTRY_FIXED_BYTES } from './entry.js'
import { QmdbCorruptionError } from './errors.js'

function bitLength(n: number): number {
  return n === 0 ? 0 : Math.floor(Math.log2(n)) + 1
}

/**
 * Work for one block, or for a part of one (a block's parts are applied in order before its
 * commit): new entries (concatenated, in serial order, `entries[entriesFrom..entriesLen)`)
 * and the serial numbers deactivated since the previous part (each already appended).
 */
export interface MerkleJob {
  firstSn: number
  entries: Uint8Array
  /** Position in `entries` of the first entry (default 0). */
  entriesFrom?: number
  /** End position in `entries` of the last entry. */
  entriesLen: number
  clears: Float64Array
}

/** Upper-tree nodes recomputed by a commit, for a mirror. */
export interface TreeDelta {
  snEnd: number
  /** (level, index) pairs, flattened. */
  nodes: Float64Array
  /** 32 bytes per node, same order. */
  hashes: Uint8Array
  root: Uint8Array
}

/** Full state of a tree, to move it into a worker. */
export interface TreeSnapshot {
  snEnd: number
  leftRoots: Uint8Array
  bits: Uint8Array
  youngest: Uint8Array
  levels: Uint8Array[]
}

/** Growable arena of 32-byte nodes. */
function grow(a: Uint8Array, minBytes: number): Uint8Array {
  if (a.length >= minBytes) return a
  const b = new Uint8Array(Math.max(minBytes, a.length * 2, 1024))
  b.set(a)
  return b
}

/** Merkle tree of one shard. */
export class ShardTree {
  /** Next serial number. */
  snEnd = 0
  private leftRoots: Uint8Array = new Uint8Array(0)
  /** ActiveBits of all twigs, 256 bytes each. */
  bits: Uint8Array = new Uint8Array(0)
  private youngest: Uint8Array = NULL_LEFT_TREE.slice()
  /** levels[L - 12] = arena of nodes at level L (level 12 = twig roots). */
  private levels: Uint8Array[] = []
  private dirtyLeafLo = 0
  private readonly dirtyTwigs = new Set<number>()
  private rootCache: Uint8Array = new Uint8Array(32)

  /** Id of the youngest twig (where the next serial number goes). */
  get youngestTwig(): number {
    return Math.floor(this.snEnd / LEAVES_PER_TWIG)
  }

  /** Top level of the tree; the root is node(maxLevel, 0). */
  get maxLevel(): number {
    return FIRST_UPPER_LEVEL + bitLength(this.youngestTwig)
  }

  /** Root of the last commit. */
  get root(): Uint8Array {
    return this.rootCache
  }

  private ensureTwig(t: number): void {
    const need = (t + 1) * 32
    if (this.leftRoots.length < need) this.leftRoots = grow(this.leftRoots, need)
    const nb = (t + 1) * ACTIVE_BITS_BYTES
    if (this.bits.length < nb) this.bits = grow(this.bits, nb)
  }

  private levelArena(l: number, count: number): Uint8Array {
    const k = l - FIRST_UPPER_LEVEL
    while (this.levels.length <= k) this.levels.push(new Uint8Array(0))
    if (this.levels[k]!.length < count * 32) this.levels[k] = grow(this.levels[k]!, count * 32)
    return this.levels[k]!
  }

  /** Number of nodes at level `l` (>= 12) given the current youngest twig. */
  private levelCount(l: number): number {
    return Math.floor(this.youngestTwig / 2 ** (l - FIRST_UPPER_LEVEL)) + 1
  }

  /** Node (level >= 12, index); NULL_NODE[level] when beyond the filled part. Returns (array, offset). */
  nodeAt(l: number, i: number): [Uint8Array, number] {
    if (i >= this.levelCount(l) || l - FIRST_UPPER_LEVEL >= this.levels.length) return [NULL_NODE[l]!, 0]
    const arena = this.levels[l - FIRST_UPPER_LEVEL]!
    if ((i + 1) * 32 > arena.length) return [NULL_NODE[l]!, 0]
    return [arena, i * 32]
  }

  /** Whether serial number `sn` is active. */
  isActive(sn: number): boolean {
    const byte = this.bits[sn >>> 3]
    return byte !== undefined && (byte & (1 << (sn & 7))) !== 0
  }

  /** Sets the active bit of `sn`. */
  setBit(sn: number): void {
    const t = Math.floor(sn / LEAVES_PER_TWIG)
    this.ensureTwig(t)
    this.bits[sn >>> 3]! |= 1 << (sn & 7)
    this.dirtyTwigs.add(t)
  }

  /** Clears the active bit of `sn`. */
  clearBit(sn: number): void {
    const t = Math.floor(sn / LEAVES_PER_TWIG)
    this.ensureTwig(t)
    this.bits[sn >>> 3]! &= ~(1 << (sn & 7))
    this.dirtyTwigs.add(t)
  }

  /** Recomputes the youngest twig's left nodes above leaves [lo, hi) and stores its left root. */
  private syncYoungest(lo: number, hi: number): void {
    if (hi <= lo) return
    let nlo = LEAVES_PER_TWIG + lo, nhi = LEAVES_PER_TWIG + hi - 1
    for (let lvl = 0; lvl < TWIG_SHIFT; lvl++) {
      const plo = nlo >> 1, phi = nhi >> 1
      hashPairsInto(lvl, this.youngest, 2 * plo * 32, this.youngest, plo * 32, phi - plo + 1)
      nlo = plo; nhi = phi
    }
    const t = this.youngestTwig
    this.ensureTwig(t)
    this.leftRoots.set(this.youngest.subarray(32, 64), t * 32)
    this.dirtyTwigs.add(t)
  }

  /** Appends the leaf hash of serial number `snEnd` (and sets its active bit). */
  appendLeaf(leaf: Uint8Array, off = 0): void {
    const pos = this.snEnd % LEAVES_PER_TWIG
    this.youngest.set(leaf.subarray(off, off + 32), (LEAVES_PER_TWIG + pos) * 32)
    this.setBit(this.snEnd)
    if (pos === LEAVES_PER_TWIG - 1) {
      this.syncYoungest(this.dirtyLeafLo, LEAVES_PER_TWIG)
      this.youngest.set(NULL_LEFT_TREE)
      this.dirtyLeafLo = 0
    }
    this.snEnd++
  }

  private spanOffs = new Int32Array(1024)
  private spanLens = new Int32Array(1024)
  private leafBuf = new Uint8Array(32 * 1024)

  /** Applies a block's job: hashes its entries (one batch) and appends them, clears its deactivated serial numbers. */
  applyJob(job: MerkleJob): void {
    if (job.firstSn !== this.snEnd) throw new QmdbCorruptionError(`merkle job starts at sn ${job.firstSn}, tree at ${this.snEnd}`)
    let p = job.entriesFrom ?? 0, n = 0
    const e = job.entries
    while (p < job.entriesLen) {
      const len = peekEntryLength(e, p, job.entriesLen - p)
      if (len < 0 || len > job.entriesLen - p) throw new QmdbCorruptionError(`merkle job: truncated entry at ${p}`)
      const k = e[p]!, v = (e[p + 1]! | (e[p + 2]! << 8) | (e[p + 3]! << 16)), d = e[p + 4]!
      if (n === this.spanOffs.length) {
        const o = new Int32Array(2 * n); o.set(this.spanOffs); this.spanOffs = o
        const l = new Int32Array(2 * n); l.set(this.spanLens); this.spanLens = l
      }
      this.spanOffs[n] = p
      this.spanLens[n] = ENTRY_FIXED_BYTES + k + v + 8 * d
      n++
      p += len
    }
    if (this.leafBuf.length < 32 * n) this.leafBuf = new Uint8Array(32 * n + (32 * n >> 2))
    hashSpansInto(e, this.spanOffs, this.spanLens, n, this.leafBuf, 0)
    for (let i = 0; i < n; i++) this.appendLeaf(this.leafBuf, 32 * i)
    for (let i = 0; i < job.clears.length; i++) this.clearBit(job.clears[i]!)
  }

  /** Appends leaves whose hashes are given (32 bytes each), e.g. during recovery. */
  appendLeaves(hashes: Uint8Array, n: number): void {
    for (let i = 0; i < n; i++) this.appendLeaf(hashes, 32 * i)
  }

  /** Hashes everything changed since the last commit; returns the shard root and, if asked, the delta for a mirror. */
  commit(wantDelta: boolean): TreeDelta | undefined {
    const pos = this.snEnd % LEAVES_PER_TWIG
    if (pos > this.dirtyLeafLo) this.syncYoungest(this.dirtyLeafLo, pos)
    else { this.ensureTwig(this.youngestTwig); this.leftRoots.set(this.youngest.subarray(32, 64), this.youngestTwig * 32); this.dirtyTwigs.add(this.youngestTwig) }
    this.dirtyLeafLo = pos
    const nodes: number[] = []
    const hashes: Uint8Array[] = []
    let dirty = Int32Array.from(this.dirtyTwigs).sort()
    this.dirtyTwigs.clear()
    const twigArena = this.levelArena(FIRST_UPPER_LEVEL, this.youngestTwig + 1)
    // right trees of all dirty twigs, one batch per level: pages -> L1 (4 per twig) -> L2 (2) -> L3 (1)
    const nd = dirty.length
    const pages = this.scratchBuf(0, nd * ACTIVE_BITS_BYTES)
    for (let i = 0; i < nd; i++) pages.set(this.bits.subarray(dirty[i]! * ACTIVE_BITS_BYTES, (dirty[i]! + 1) * ACTIVE_BITS_BYTES), i * ACTIVE_BITS_BYTES)
    const l1 = this.scratchBuf(1, nd * 128)
    hashPairsInto(8, pages, 0, l1, 0, 4 * nd)
    hashPairsInto(9, l1, 0, l1, 0, 2 * nd)
    hashPairsInto(10, l1, 0, l1, 0, nd)
    // twig roots H(11, leftRoot, L3)
    const pairs = this.scratchBuf(2, nd * 64)
    for (let i = 0; i < nd; i++) {
      const t = dirty[i]!
      pairs.set(this.leftRoots.subarray(t * 32, t * 32 + 32), 64 * i)
      pairs.set(l1.subarray(32 * i, 32 * i + 32), 64 * i + 32)
    }
    const out = this.scratchBuf(3, nd * 32)
    hashPairsInto(TWIG_ROOT_LEVEL, pairs, 0, out, 0, nd)
    for (let i = 0; i < nd; i++) {
      const t = dirty[i]!
      twigArena.set(out.subarray(32 * i, 32 * i + 32), t * 32)
      if (wantDelta) { nodes.push(FIRST_UPPER_LEVEL, t); hashes.push(twigArena.subarray(t * 32, t * 32 + 32)) }
    }
    // upper levels: the dirty paths only, one batch per level
    const top = this.maxLevel
    for (let l = FIRST_UPPER_LEVEL + 1; l <= top && l <= MAX_LEVEL; l++) {
      let np = 0
      const parents = new Int32Array(dirty.length)
      for (let i = 0; i < dirty.length; i++) { const p = dirty[i]! >> 1; if (np === 0 || parents[np - 1] !== p) parents[np++] = p }
      const arena = this.levelArena(l, this.levelCount(l))
      const pp = this.scratchBuf(2, np * 64)
      for (let i = 0; i < np; i++) {
        const p = parents[i]!
        const [a, ao] = this.nodeAt(l - 1, 2 * p)
        const [b, bo] = this.nodeAt(l - 1, 2 * p + 1)
        pp.set(a.subarray(ao, ao + 32), 64 * i)
        pp.set(b.subarray(bo, bo + 32), 64 * i + 32)
      }
      const po = this.scratchBuf(3, np * 32)
      hashPairsInto(l - 1, pp, 0, po, 0, np)
      for (let i = 0; i < np; i++) {
        const p = parents[i]!
        arena.set(po.subarray(32 * i, 32 * i + 32), p * 32)
        if (wantDelta) { nodes.push(l, p); hashes.push(arena.subarray(p * 32, p * 32 + 32)) }
      }
      dirty = parents.subarray(0, np)
    }
    const [r, ro] = this.nodeAt(top, 0)
    this.rootCache = r.slice(ro, ro + 32)
    if (!wantDelta) return undefined
    const hb = new Uint8Array(hashes.length * 32)
    hashes.forEach((h, i) => hb.set(h, i * 32))
    return { snEnd: this.snEnd, nodes: Float64Array.from(nodes), hashes: hb, root: this.rootCache }
  }

  private readonly scratch: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)]

  /** Reusable scratch buffer `i` of at least `bytes` bytes. */
  private scratchBuf(i: number, bytes: number): Uint8Array {
    if (this.scratch[i]!.length < bytes) this.scratch[i] = new Uint8Array(Math.max(bytes, 2 * this.scratch[i]!.length, 4096))
    return this.scratch[i]!
  }

  /** Mirror mode: installs upper nodes computed by another tree (bits are maintained by the caller). */
  applyDelta(d: TreeDelta): void {
    this.snEnd = d.snEnd
    for (let i = 0; i < d.nodes.length; i += 2) {
      const l = d.nodes[i]!, idx = d.nodes[i + 1]!
      const arena = this.levelArena(l, Math.max(idx + 1, this.levelCount(l)))
      arena.set(d.hashes.subarray((i / 2) * 32, (i / 2) * 32 + 32), idx * 32)
    }
    this.rootCache = d.root.slice()
  }

  /** Full state, for moving the tree into a worker (copies). */
  snapshot(): TreeSnapshot {
    return {
      snEnd: this.snEnd, leftRoots: this.leftRoots.slice(), bits: this.bits.slice(),
      youngest: this.youngest.slice(), levels: this.levels.map((l) => l.slice()),
    }
  }

  /** Rebuilds a tree from `snapshot()` output (which must be taken right after a commit). */
  static fromSnapshot(s: TreeSnapshot): ShardTree {
    const t = new ShardTree()
    t.snEnd = s.snEnd
    t.leftRoots = s.leftRoots
    t.bits = s.bits
    t.youngest = s.youngest
    t.levels = s.levels
    t.dirtyLeafLo = s.snEnd % LEAVES_PER_TWIG
    const [r, ro] = t.nodeAt(t.maxLevel, 0)
    t.rootCache = r.slice(ro, ro + 32)
    return t
  }

  /** Approximate bytes of memory held by the tree's arenas. */
  byteSize(): number {
    return this.leftRoots.byteLength + this.bits.byteLength + this.youngest.byteLength + this.levels.reduce((n, l) => n + l.byteLength, 0)
  }
}
