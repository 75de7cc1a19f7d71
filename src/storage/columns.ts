/**
 * Growable packed columns (typed arrays that double when full). The store's
 * per-block, per-mini-block and per-transaction indices are columns addressed
 * by a dense integer (block number minus base, tx ordinal minus base), so an
 * index of millions of transactions is a few flat arrays, not objects.
 */

/** A growable column of float64 (used for integers up to 2^53: positions, numbers). */
export class F64Column {
  /** Backing array; only `[0, length)` is meaningful. Re-read after a push (it may be replaced). */
  data: Float64Array
  /** Number of values. */
  length = 0
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity)
  }
  /** Append a value. */
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(this.data.length * 2)
      d.set(this.data)
      this.data = d
    }
    this.data[this.length++] = v
  }
  /** Append every value of another column. */
  append(src: F64Column): void {
    const n = this.length + src.length
    if (n > this.data.length) {
      let cap = this.data.length * 2
      while (cap < n) cap *= 2
      const d = new Float64Array(cap)
      d.set(this.data.subarray(0, this.length))
      this.data = d
    }
    this.data.set(src.data.subarray(0, src.length), this.length)
    this.length = n
  }
  /** Value at `i` (caller checks the bound). */
  get(i: number): number {
    return this.data[i]!
  }
}

/** A growable column of uint32. */
export class U32Column {
  /** Backing array; only `[0, length)` is meaningful. */
  data: Uint32Array
  /** Number of values. */
  length = 0
  constructor(capacity = 1024) {
    this.data = new Uint32Array(capacity)
  }
  /** Append a value. */
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Uint32Array(this.data.length * 2)
      d.set(this.data)
      this.data = d
    }
    this.data[this.length++] = v
  }
  /** Append every value of another column. */
  append(src: U32Column): void {
    const n = this.length + src.length
    if (n > this.data.length) {
      let cap = this.data.length * 2
      while (cap < n) cap *= 2
      const d = new Uint32Array(cap)
      d.set(this.data.subarray(0, this.length))
      this.data = d
    }
    this.data.set(src.data.subarray(0, src.length), this.length)
    this.length = n
  }
  /** Value at `i` (caller checks the bound). */
  get(i: number): number {
    return this.data[i]!
  }
}

/** A growable column of fixed-width byte strings (e.g. 32-byte block hashes). */
export class BytesColumn {
  /** Backing array. */
  data: Uint8Array
  /** Number of values. */
  length = 0
  /** Width of each value in bytes. */
  readonly width: number
  constructor(width: number, capacity = 1024) {
    this.width = width
    this.data = new Uint8Array(capacity * width)
  }
  /** Append a value of exactly `width` bytes. */
  push(v: Uint8Array): void {
    if ((this.length + 1) * this.width > this.data.length) {
      const d = new Uint8Array(this.data.length * 2)
      d.set(this.data)
      this.data = d
    }
    this.data.set(v, this.length * this.width)
    this.length++
  }
  /** A copy of value `i`. */
  get(i: number): Uint8Array {
    return this.data.slice(i * this.width, (i + 1) * this.width)
  }
  /** True when value `i` equals `v`. */
  equals(i: number, v: Uint8Array): boolean {
    if (v.length !== this.width) return false
    const o = i * this.width
    for (let k = 0; k < this.width; k++) if (this.data[o + k] !== v[k]) return false
    return true
  }
}
