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
    this.data = new Float64Array(Math.max(1, capacity))
  }
  /** A column holding `values` (taken over, not copied). */
  static of(values: Float64Array): F64Column {
    const c = new F64Column(1)
    c.data = values.length > 0 ? values : new Float64Array(1)
    c.length = values.length
    return c
  }
  /** The values (a view, valid while nothing is appended). */
  values(): Float64Array {
    return this.data.subarray(0, this.length)
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
    this.data = new Uint32Array(Math.max(1, capacity))
  }
  /** A column holding `values` (taken over, not copied). */
  static of(values: Uint32Array): U32Column {
    const c = new U32Column(1)
    c.data = values.length > 0 ? values : new Uint32Array(1)
    c.length = values.length
    return c
  }
  /** The values (a view, valid while nothing is appended). */
  values(): Uint32Array {
    return this.data.subarray(0, this.length)
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
    this.data = new Uint8Array(Math.max(1, capacity) * width)
  }
  /** A column of `bytes.length / width` values (taken over, not copied). */
  static of(width: number, bytes: Uint8Array): BytesColumn {
    const c = new BytesColumn(width, 1)
    if (bytes.length > 0) c.data = bytes
    c.length = Math.floor(bytes.length / width)
    return c
  }
  /** The values, concatenated (a view, valid while nothing is appended). */
  values(): Uint8Array {
    return this.data.subarray(0, this.length * this.width)
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
