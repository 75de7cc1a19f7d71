/**
 * Growable packed columns (typed arrays that double when full). The store's
 * per-block, per-mini-block and per-transaction indices are columns addressed
 * by a dense integer (block number minus base, tx ordinal minus base), so an
 * index of millions of transactions is a few flat arrays, not objects.
 */

/** The typed arrays a numeric column can hold. */
type NumberArray = Float64Array | Uint32Array

/**
 * A growable column of numbers over one typed-array type. The two concrete
 * columns below differ only in that type; the logic lives here once.
 */
abstract class NumberColumn<A extends NumberArray> {
  /** Backing array; only `[0, length)` is meaningful. Re-read after a push (it may be replaced). */
  data: A
  /** Number of values. */
  length = 0
  constructor(capacity: number) {
    this.data = this.alloc(Math.max(1, capacity))
  }
  /** A new zeroed backing array of `n` values. */
  protected abstract alloc(n: number): A
  /** Take over `values` as the column's contents (not copied). */
  protected adopt(values: A): this {
    if (values.length > 0) this.data = values
    this.length = values.length
    return this
  }
  /** The values (a view, valid while nothing is appended). */
  values(): A {
    return this.data.subarray(0, this.length) as A
  }
  /** Append a value. */
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1)
    this.data[this.length++] = v
  }
  /** Append every value of another column of the same type. */
  append(src: NumberColumn<A>): void {
    const n = this.length + src.length
    if (n > this.data.length) this.grow(n)
    this.data.set(src.data.subarray(0, src.length), this.length)
    this.length = n
  }
  /** Value at `i` (caller checks the bound). */
  get(i: number): number {
    return this.data[i]!
  }
  /** Double the capacity until it holds `n` values. */
  private grow(n: number): void {
    let cap = this.data.length * 2
    while (cap < n) cap *= 2
    const d = this.alloc(cap)
    d.set(this.data.subarray(0, this.length))
    this.data = d
  }
}

/** A growable column of float64 (used for integers up to 2^53: positions, numbers). */
export class F64Column extends NumberColumn<Float64Array> {
  constructor(capacity = 1024) {
    super(capacity)
  }
  /** A column holding `values` (taken over, not copied). */
  static of(values: Float64Array): F64Column {
    return new F64Column(1).adopt(values)
  }
  protected alloc(n: number): Float64Array {
    return new Float64Array(n)
  }
}

/** A growable column of uint32. */
export class U32Column extends NumberColumn<Uint32Array> {
  constructor(capacity = 1024) {
    super(capacity)
  }
  /** A column holding `values` (taken over, not copied). */
  static of(values: Uint32Array): U32Column {
    return new U32Column(1).adopt(values)
  }
  protected alloc(n: number): Uint32Array {
    return new Uint32Array(n)
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
