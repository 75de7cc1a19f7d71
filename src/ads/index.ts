/**
 * In-memory index: key hash → entry offset, packed in typed arrays (no JS
 * object per key). The key space is cut into units by the first `u = unitBits`
 * bits of the key hash (8 <= u <= 16); each unit is a sorted Uint32Array of
 * 3-word records (bits numbered from the key hash's most significant bit):
 *
 *   w0 = key-hash bits [u, u+32), w1 = bits [u+32, 64) << u | offset/8 >> 32,
 *   w2 = offset/8 & 0xffffffff
 *
 * so a record is 12 bytes and holds a 64-bit key-hash prefix (the first u bits
 * are implied by the unit) and a (32+u)-bit offset/8 (offsets below 2^(35+u)).
 * Fewer, larger units cost less fixed memory per unit (and fewer reallocations
 * as units grow) but longer moves on insert; the store uses `INDEX_UNIT_BITS`.
 * Prefix collisions are allowed (a multimap): callers compare the full key (or
 * key hash) read from the entry, so the index never decides membership alone.
 * Records with equal prefixes are kept ordered by full key hash, which the
 * caller supplies through `fullHashAt(offset)`.
 */
import { compareHash } from './entry.js'

const REC = 3

/** Unit bits of the store's in-memory index: 16384 units (4096 per shard); offsets below 2^49 bytes per shard. */
export const INDEX_UNIT_BITS = 14

/** Reads the full 32-byte key hash of the entry at `offset` (the caller reads the log). */
export type FullHashAt = (offset: number) => Uint8Array

/**
 * What a shard needs from its index (key-hash prefix → entry offsets, a multimap):
 * `PackedIndex` (in memory, default) and `HybridIndex` (on disk, `hybrid-index.ts`).
 * Positions are handles (`cu`, `cr`, a candidate number) valid until the next
 * change of the index, except that the last two handles handed out stay valid
 * across each other's `setOffsetAt`/`eraseAt` (the apply path uses two at once).
 */
export interface ShardIndex {
  /** Number of records (live entries, sentry included). */
  readonly count: number
  /** Unit/handle of the last `seek()` / `predecessorAt()`. */
  cu: number
  /** Record/candidate of the last `predecessorAt()`. */
  cr: number
  /** Bytes of memory held. */
  byteSize(): number
  /** Largest byteSize() seen at a block's end, before the hybrid index's merge (the in-memory index: 0, use byteSize()). */
  readonly peakBytes: number
  /** Starts a candidate scan for `kh[o..o+32]`; returns the first candidate number. */
  seek(kh: Uint8Array, o: number): number
  /** Offset of candidate `r` of the last seek, or -1 when exhausted. */
  candidate(r: number): number
  /** Sets the offset of the record at handle (u, r). */
  setOffsetAt(u: number, r: number, offset: number): void
  /** Removes the record at handle (u, r). */
  eraseAt(u: number, r: number): void
  /** Offset of the record ordered immediately before `kh[o..]` (-1 if none); leaves its handle in (cu, cr). */
  predecessorAt(kh: Uint8Array, o: number, fullHashAt: FullHashAt): number
  /** Offsets of all records with the same 64-bit prefix as `kh`. */
  candidates(kh: Uint8Array): number[]
  /** Inserts a record for `kh[o..]` at `offset`. */
  insert(kh: Uint8Array, offset: number, fullHashAt: FullHashAt, o?: number): void
  /** Replaces the offset of the record (kh, oldOffset); false if it is known to be absent. */
  change(kh: Uint8Array, oldOffset: number, newOffset: number, o?: number): boolean
  /** Removes the record (kh, offset); false if it is known to be absent. */
  erase(kh: Uint8Array, offset: number): boolean
  /** Offset of the record immediately before `kh`, or -1. */
  predecessor(kh: Uint8Array, fullHashAt: FullHashAt): number
  /** End of a block (after its entries are written to the log): the hybrid index may merge. */
  endBlock(): void
  /** During recovery: merge if the buffered changes exceed `ratio × count`. */
  maybeMerge(ratio: number): void
  /** Releases files. */
  close(): void
}

/** Which index implementation a store uses (not root-defining). */
export type IndexKind = 'memory' | 'hybrid'

/** Packed sorted index of one shard. */
export class PackedIndex implements ShardIndex {
  private readonly units: (Uint32Array | null)[]
  private readonly lens: Int32Array
  /** Records per group of 64 units, so predecessor search skips empty stretches. */
  private readonly groupCounts: Int32Array
  private readonly shift: number
  /** Mask of w1's offset bits (the low `unitBits`). */
  private readonly lowMask: number
  /** Largest offset/8 + 1 a record holds. */
  private readonly offLimit: number
  /** Number of records. */
  count = 0
  /** Not tracked in memory (byteSize() is the figure). */
  readonly peakBytes = 0

  /**
   * @param unitBits bits of the key hash selecting the unit (<= 16)
   * @param firstUnit first unit this index covers (units of other shards are never touched)
   */
  constructor(readonly unitBits: number, readonly firstUnit: number, readonly unitCount: number) {
    this.units = new Array<Uint32Array | null>(unitCount).fill(null)
    this.lens = new Int32Array(unitCount)
    this.groupCounts = new Int32Array((unitCount >> 6) + 1)
    if (unitBits < 8 || unitBits > 16) throw new RangeError('unitBits must be 8..16')
    this.shift = 32 - unitBits
    this.lowMask = (1 << unitBits) - 1
    this.offLimit = 2 ** (32 + unitBits)
  }

  private unitOf(kh: Uint8Array, o = 0): number {
    return (((kh[o]! << 24) | (kh[o + 1]! << 16) | (kh[o + 2]! << 8) | kh[o + 3]!) >>> this.shift) - this.firstUnit
  }

  /** Bytes of memory held (typed arrays plus a per-unit estimate of object overhead). */
  byteSize(): number {
    let n = this.lens.byteLength + this.groupCounts.byteLength + this.units.length * 8
    for (const u of this.units) if (u) n += u.byteLength + 64
    return n
  }

  /** First record position in unit `u` whose prefix is >= (a, b). */
  private lowerBound(arr: Uint32Array, len: number, a: number, b: number): number {
    let lo = 0, hi = len
    const u = this.unitBits
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const m = mid * REC
      const ma = arr[m]!, mb = arr[m + 1]! >>> u
      if (ma < a || (ma === a && mb < b)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Key-hash bits [u, u+32) of `kh[o..]`. */
  private prefixA(kh: Uint8Array, o = 0): number {
    const h = (kh[o]! << 24) | (kh[o + 1]! << 16) | (kh[o + 2]! << 8) | kh[o + 3]!
    const l = ((kh[o + 4]! << 24) | (kh[o + 5]! << 16) | (kh[o + 6]! << 8) | kh[o + 7]!) >>> 0
    return ((h << this.unitBits) | (l >>> this.shift)) >>> 0
  }

  /** Key-hash bits [u+32, 64) of `kh[o..]`. */
  private prefixB(kh: Uint8Array, o = 0): number {
    const l = ((kh[o + 4]! << 24) | (kh[o + 5]! << 16) | (kh[o + 6]! << 8) | kh[o + 7]!) >>> 0
    return (l & (0xffffffff >>> this.unitBits)) >>> 0
  }

  /** Unit of the last `seek()` / `predecessorAt()`. */
  cu = 0
  /** Record of the last `predecessorAt()`. */
  cr = 0
  private ca = 0
  private cb = 0
  private clen = 0
  private carr: Uint32Array | null = null

  /**
   * Starts a candidate scan for `kh[o..o+32]`: returns the first record position to try
   * (then call `candidate(r)`, `r + 1`, ... until it returns -1). Allocation-free.
   */
  seek(kh: Uint8Array, o: number): number {
    const u = this.unitOf(kh, o)
    this.cu = u
    const arr = this.units[u] ?? null
    this.carr = arr
    if (!arr) { this.clen = 0; return 0 }
    this.clen = this.lens[u]!
    this.ca = this.prefixA(kh, o)
    this.cb = this.prefixB(kh, o)
    return this.lowerBound(arr, this.clen, this.ca, this.cb)
  }

  /** Offset of candidate record `r` of the current seek, or -1 when the candidates are exhausted. */
  candidate(r: number): number {
    const arr = this.carr
    if (!arr || r >= this.clen || arr[r * REC] !== this.ca || arr[r * REC + 1]! >>> this.unitBits !== this.cb) return -1
    return this.offsetOf(arr, r)
  }

  /** Sets the offset of record `r` of unit `u` (a position from `seek`/`predecessorAt`, still valid). */
  setOffsetAt(u: number, r: number, offset: number): void {
    this.setOffset(this.units[u]!, r, offset)
  }

  /** Removes record `r` of unit `u`. */
  eraseAt(u: number, r: number): void {
    const arr = this.units[u]!
    const len = this.lens[u]!
    arr.copyWithin(r * REC, (r + 1) * REC, len * REC)
    this.lens[u] = len - 1
    this.groupCounts[u >> 6]!--
    this.count--
    if (len - 1 === 0) this.units[u] = null
    else if (arr.length > REC * 16 && (len - 1) * REC * 2 < arr.length) this.units[u] = arr.slice(0, (len - 1 + ((len - 1) >> 3) + 3) * REC)
  }

  /**
   * Like `predecessor()`, for `kh[o..o+32]`; also leaves the record's position in
   * (`cu`, `cr`) for `setOffsetAt`.
   */
  predecessorAt(kh: Uint8Array, o: number, fullHashAt: FullHashAt): number {
    this.position(kh, fullHashAt, o)
    return this.recordBefore(this.pu, this.pr)
  }

  /**
   * Offset of the record ordered immediately before position (u, r) (-1 if none), leaving
   * its handle in (`cu`, `cr`). For a live key's own record (a handle from `seek`) this is
   * its predecessor, found without comparing full hashes.
   */
  recordBefore(u: number, r: number): number {
    for (;;) {
      if (r > 0) { this.cu = u; this.cr = r - 1; return this.offsetOf(this.units[u]!, r - 1) }
      u--
      while (u >= 0 && (u & 63) === 63 && this.groupCounts[u >> 6] === 0) u -= 64
      if (u < 0) return -1
      r = this.lens[u]!
    }
  }

  private offsetOf(arr: Uint32Array, r: number): number {
    return ((arr[r * REC + 1]! & this.lowMask) * 0x100000000 + arr[r * REC + 2]!) * 8
  }

  private setOffset(arr: Uint32Array, r: number, offset: number): void {
    const o8 = offset / 8
    if (o8 >= this.offLimit) throw new RangeError(`offset ${offset} beyond the index's ${this.unitBits + 35}-bit range`)
    arr[r * REC + 1] = ((arr[r * REC + 1]! & ~this.lowMask) | Math.floor(o8 / 0x100000000)) >>> 0
    arr[r * REC + 2] = o8 >>> 0
  }

  /** Offsets of all records whose 64-bit prefix equals that of `kh` (usually 0 or 1). */
  candidates(kh: Uint8Array): number[] {
    const u = this.unitOf(kh)
    const arr = this.units[u]
    if (!arr) return []
    const len = this.lens[u]!
    const a = this.prefixA(kh), b = this.prefixB(kh)
    const out: number[] = []
    for (let r = this.lowerBound(arr, len, a, b); r < len; r++) {
      if (arr[r * REC] !== a || arr[r * REC + 1]! >>> this.unitBits !== b) break
      out.push(this.offsetOf(arr, r))
    }
    return out
  }

  private pu = 0
  private pr = 0

  /** Position (pu, pr) = (unit, record) of the first record ordered at or after `kh`, resolving prefix ties with full hashes. */
  private position(kh: Uint8Array, fullHashAt: FullHashAt, o = 0): void {
    const u = this.unitOf(kh, o)
    const arr = this.units[u]
    this.pu = u
    this.pr = 0
    if (!arr) return
    const len = this.lens[u]!
    const a = this.prefixA(kh, o), b = this.prefixB(kh, o)
    let r = this.lowerBound(arr, len, a, b)
    while (r < len && arr[r * REC] === a && arr[r * REC + 1]! >>> this.unitBits === b &&
      compareHash(fullHashAt(this.offsetOf(arr, r)), 0, kh, o) < 0) r++
    this.pr = r
  }

  /** Inserts a record for key hash `kh` at `offset`. */
  insert(kh: Uint8Array, offset: number, fullHashAt: FullHashAt, o = 0): void {
    this.position(kh, fullHashAt, o)
    const u = this.pu, r = this.pr
    let arr = this.units[u]
    const len = this.lens[u]!
    if (!arr || (len + 1) * REC > arr.length) {
      const cap = len + 1 + Math.max(3, len >> 3)
      const grown = new Uint32Array(cap * REC)
      if (arr) grown.set(arr.subarray(0, len * REC))
      arr = grown
      this.units[u] = arr
    }
    arr.copyWithin((r + 1) * REC, r * REC, len * REC)
    arr[r * REC] = this.prefixA(kh, o)
    arr[r * REC + 1] = (this.prefixB(kh, o) << this.unitBits) >>> 0
    this.setOffset(arr, r, offset)
    this.lens[u] = len + 1
    this.groupCounts[u >> 6]!++
    this.count++
  }

  private find(kh: Uint8Array, offset: number, o = 0): { arr: Uint32Array; u: number; r: number } | undefined {
    const u = this.unitOf(kh, o)
    const arr = this.units[u]
    if (!arr) return undefined
    const len = this.lens[u]!
    const a = this.prefixA(kh, o), b = this.prefixB(kh, o)
    for (let r = this.lowerBound(arr, len, a, b); r < len; r++) {
      if (arr[r * REC] !== a || arr[r * REC + 1]! >>> this.unitBits !== b) break
      if (this.offsetOf(arr, r) === offset) return { arr, u, r }
    }
    return undefined
  }

  /** Replaces the offset of the record (kh, oldOffset); returns false if there is none. */
  change(kh: Uint8Array, oldOffset: number, newOffset: number, o = 0): boolean {
    const f = this.find(kh, oldOffset, o)
    if (!f) return false
    this.setOffset(f.arr, f.r, newOffset)
    return true
  }

  /** Removes the record (kh, offset); returns false if there is none. */
  erase(kh: Uint8Array, offset: number): boolean {
    const f = this.find(kh, offset)
    if (!f) return false
    const len = this.lens[f.u]!
    f.arr.copyWithin(f.r * REC, (f.r + 1) * REC, len * REC)
    this.lens[f.u] = len - 1
    this.groupCounts[f.u >> 6]!--
    this.count--
    if (len - 1 === 0) this.units[f.u] = null
    else if (f.arr.length > REC * 16 && (len - 1) * REC * 2 < f.arr.length) this.units[f.u] = f.arr.slice(0, (len - 1 + ((len - 1) >> 3) + 3) * REC)
    return true
  }

  /**
   * Offset of the record ordered immediately before `kh` (its predecessor in
   * key-hash order), searching earlier units when needed; -1 if none.
   */
  predecessor(kh: Uint8Array, fullHashAt: FullHashAt): number {
    this.position(kh, fullHashAt)
    let u = this.pu, r = this.pr
    for (;;) {
      if (r > 0) return this.offsetOf(this.units[u]!, r - 1)
      u--
      while (u >= 0 && (u & 63) === 63 && this.groupCounts[u >> 6] === 0) u -= 64
      if (u < 0) return -1
      r = this.lens[u]!
    }
  }

  /** Nothing to do at a block's end (in memory). */
  endBlock(): void {}

  /** Nothing to merge (in memory). */
  maybeMerge(_ratio: number): void {}

  /** Nothing to release. */
  close(): void {}
}
