/**
 * Packed in-memory hash indices. Keys are 64-bit fingerprints of the caller's
 * key bytes (a tx hash, block hash, address or topic); values are u32 (an
 * ordinal or a block number relative to a base). Entries live in three typed
 * arrays with linear probing, so millions of keys cost ~12 bytes/slot and no
 * per-entry objects. The index is a multi-map: two keys with the same
 * fingerprint both stay, and the caller confirms the full key against the
 * stored record, so a collision costs one extra read and never a wrong answer.
 */

/** Fingerprint tag of transaction hashes. */
export const TAG_TX = 0x78
/** Fingerprint tag of block hashes. */
export const TAG_BLOCK = 0x62

/** 64-bit fingerprint of `bytes`, salted by `tag` (so an address and a topic never share a key); written to `out[0..2)`. */
export function fingerprint(bytes: Uint8Array, tag: number, out: Uint32Array): void {
  fingerprintAt(bytes, 0, bytes.length, tag, out)
}

/** `fingerprint` of `buf[off, off+n)` without making a view of it (same result). */
export function fingerprintAt(buf: Uint8Array, off: number, n: number, tag: number, out: Uint32Array): void {
  let h1 = (0x9747b28c ^ tag ^ Math.imul(n, 0x2545f491)) | 0
  let h2 = (0x85ebca6b ^ Math.imul(tag + 1, 0x27d4eb2f)) | 0
  const end = off + n
  let i = off
  for (; i + 4 <= end; i += 4) {
    let k = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h1 ^= k
    h1 = (h1 << 13) | (h1 >>> 19)
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0
    h2 ^= Math.imul(k ^ h1, 0x85ebca6b)
    h2 = (h2 << 17) | (h2 >>> 15)
    h2 = (Math.imul(h2, 5) + 0x561ccd1b) | 0
  }
  let k = 0
  for (let s = 0; i < end; i++, s += 8) k |= buf[i]! << s
  h1 ^= Math.imul(k, 0xcc9e2d51)
  h2 ^= Math.imul(k, 0x1b873593)
  h1 = fmix(h1 ^ h2)
  h2 = fmix(h2 + h1)
  out[0] = h1 >>> 0
  out[1] = h2 >>> 0
}

/**
 * `fingerprintAt` reading the key through `dv` (a DataView over the same
 * memory as `buf`): one load per 4-byte word instead of four, about 40%
 * faster. Same result. Used by the writer on whole batches.
 */
export function fingerprintView(dv: DataView, buf: Uint8Array, off: number, n: number, tag: number, out: Uint32Array): void {
  let h1 = (0x9747b28c ^ tag ^ Math.imul(n, 0x2545f491)) | 0
  let h2 = (0x85ebca6b ^ Math.imul(tag + 1, 0x27d4eb2f)) | 0
  const end = off + n
  let i = off
  for (; i + 4 <= end; i += 4) {
    let k = dv.getUint32(i, true) | 0
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h1 ^= k
    h1 = (h1 << 13) | (h1 >>> 19)
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0
    h2 ^= Math.imul(k ^ h1, 0x85ebca6b)
    h2 = (h2 << 17) | (h2 >>> 15)
    h2 = (Math.imul(h2, 5) + 0x561ccd1b) | 0
  }
  let k = 0
  for (let s = 0; i < end; i++, s += 8) k |= buf[i]! << s
  h1 ^= Math.imul(k, 0xcc9e2d51)
  h2 ^= Math.imul(k, 0x1b873593)
  h1 = fmix(h1 ^ h2)
  h2 = fmix(h2 + h1)
  out[0] = h1 >>> 0
  out[1] = h2 >>> 0
}

function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h
}

/** Open-addressing multi-map from 64-bit fingerprints to u32 values (up to 2^32-2). */
export class HashMultiIndex {
  private hi: Uint32Array
  private lo: Uint32Array
  /** value + 1; 0 marks an empty slot. */
  private val: Uint32Array
  private mask: number
  /** Number of entries. */
  size = 0

  constructor(initialCapacity = 1024) {
    let cap = 16
    while (cap < initialCapacity * 2) cap *= 2
    this.hi = new Uint32Array(cap)
    this.lo = new Uint32Array(cap)
    this.val = new Uint32Array(cap)
    this.mask = cap - 1
  }

  /** Add an entry (duplicates allowed). */
  insert(hi: number, lo: number, value: number): void {
    if ((this.size + 1) * 10 > this.val.length * 7) this.grow()
    this.put(hi, lo, value)
    this.size++
  }

  private put(hi: number, lo: number, value: number): void {
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask
    while (this.val[i] !== 0) i = (i + 1) & this.mask
    this.hi[i] = hi
    this.lo[i] = lo
    this.val[i] = value + 1
  }

  /** Call `visit` with every value stored under the fingerprint until it returns true; returns that value or -1. */
  find(hi: number, lo: number, visit: (value: number) => boolean): number {
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask
    for (;;) {
      const v = this.val[i]!
      if (v === 0) return -1
      if (this.hi[i] === hi && this.lo[i] === lo && visit(v - 1)) return v - 1
      i = (i + 1) & this.mask
    }
  }

  /** First value stored under the fingerprint, or -1. */
  first(hi: number, lo: number): number {
    const val = this.val
    const mask = this.mask
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask
    for (;;) {
      const v = val[i]!
      if (v === 0) return -1
      if (this.hi[i] === hi && this.lo[i] === lo) return v - 1
      i = (i + 1) & mask
    }
  }

  /** Bytes of memory held by the table. */
  get byteSize(): number {
    return this.val.length * 12
  }

  /** Copies of the table's arrays (for an index checkpoint). */
  exportTable(): { hi: Uint32Array; lo: Uint32Array; val: Uint32Array; size: number } {
    return { hi: this.hi.slice(), lo: this.lo.slice(), val: this.val.slice(), size: this.size }
  }

  /** A table from `exportTable` output (taken over). Throws when the arrays do not form a table. */
  static importTable(hi: Uint32Array, lo: Uint32Array, val: Uint32Array, size: number): HashMultiIndex {
    const n = val.length
    if (n < 16 || (n & (n - 1)) !== 0 || hi.length !== n || lo.length !== n || size > n) throw new Error('malformed hash table')
    const t = new HashMultiIndex(1)
    t.hi = hi
    t.lo = lo
    t.val = val
    t.mask = n - 1
    t.size = size
    return t
  }

  private grow(): void {
    const { hi, lo, val } = this
    const cap = val.length * 2
    this.hi = new Uint32Array(cap)
    this.lo = new Uint32Array(cap)
    this.val = new Uint32Array(cap)
    this.mask = cap - 1
    for (let i = 0; i < val.length; i++) if (val[i] !== 0) this.put(hi[i]!, lo[i]!, val[i]! - 1)
  }
}

/**
 * Keeps the first occurrence of each (hi, lo) pair of a flat pair list, in
 * order. Used to index each log key once per block instead of once per log.
 */
export class PairDeduper {
  private hi = new Uint32Array(1024)
  private lo = new Uint32Array(1024)
  private used = new Uint8Array(1024)

  /** The distinct pairs of `pairs[0, 2n)`, first occurrences, in order. */
  unique(pairs: Uint32Array, n: number): Uint32Array {
    let cap = this.used.length
    if (cap < n * 2) {
      while (cap < n * 2) cap *= 2
      this.hi = new Uint32Array(cap)
      this.lo = new Uint32Array(cap)
      this.used = new Uint8Array(cap)
    } else {
      this.used.fill(0)
    }
    const mask = cap - 1
    const out = new Uint32Array(n * 2)
    let w = 0
    for (let k = 0; k < n; k++) {
      const hi = pairs[2 * k]!
      const lo = pairs[2 * k + 1]!
      let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask
      let seen = false
      while (this.used[i] === 1) {
        if (this.hi[i] === hi && this.lo[i] === lo) {
          seen = true
          break
        }
        i = (i + 1) & mask
      }
      if (seen) continue
      this.used[i] = 1
      this.hi[i] = hi
      this.lo[i] = lo
      out[w++] = hi
      out[w++] = lo
    }
    return out.slice(0, w)
  }
}
