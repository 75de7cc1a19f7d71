/**
 * Packed in-memory hash indices. Keys are 64-bit fingerprints of the caller's
 * key bytes (a tx hash, block hash, address or topic); values are u32 (an
 * ordinal or a block number relative to a base). Entries live in three typed
 * arrays with linear probing, so millions of keys cost ~12 bytes/slot and no
 * per-entry objects. The index is a multi-map: two keys with the same
 * fingerprint both stay, and the caller confirms the full key against the
 * stored record, so a collision costs one extra read and never a wrong answer.
 */

/** 64-bit fingerprint of `bytes`, salted by `tag` (so an address and a topic never share a key); written to `out[0..2)`. */
export function fingerprint(bytes: Uint8Array, tag: number, out: Uint32Array): void {
  let h1 = (0x9747b28c ^ tag ^ Math.imul(bytes.length, 0x2545f491)) | 0
  let h2 = (0x85ebca6b ^ Math.imul(tag + 1, 0x27d4eb2f)) | 0
  const n = bytes.length
  let i = 0
  for (; i + 4 <= n; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
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
  for (let s = 0; i < n; i++, s += 8) k |= bytes[i]! << s
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
    return this.find(hi, lo, () => true)
  }

  /** Bytes of memory held by the table. */
  get byteSize(): number {
    return this.val.length * 12
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
