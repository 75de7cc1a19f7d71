/**
 * A small WebAssembly binary encoder for the JIT's tier 2 (`tier.ts`): just
 * the sections, types and opcodes the tier uses (MVP integer ops, i64
 * loads/stores, structured control flow, `br_table`, bulk `memory.fill`).
 * No text format and no dependency: a function body is a byte array built
 * by `Code`, a module by `buildModule`. Encodings follow the WebAssembly
 * core specification (LEB128 integers, section ids 1/2/3/7/10).
 */
import { sleb, uleb } from '../../../primitives/leb128.js'

/** Value types. */
export const I32 = 0x7f
export const I64 = 0x7e
export const F64 = 0x7c
/** Block type of a block that yields nothing. */
export const VOID = 0x40

/** Append `src` to `dst` (a loop: spreading a large array into `push` overflows the call stack). */
export function append(dst: number[], src: readonly number[]): void {
  for (let i = 0; i < src.length; i++) dst.push(src[i]!)
}

/** LEB128 encoders (shared with the SHA-256 and Keccak kernels). */
export { sleb, uleb }

/** Opcodes used by the tier (core spec numbering). */
export const Op = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  i64_load: 0x29,
  f64_load: 0x2b,
  i32_load8_u: 0x2d,
  i32_store: 0x36,
  i64_store: 0x37,
  f64_store: 0x39,
  i32_store8: 0x3a,
  i32_const: 0x41,
  i64_const: 0x42,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i64_le_u: 0x58,
  i64_ge_u: 0x5a,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_shl: 0x74,
  i32_shr_u: 0x76,
  i64_le_s: 0x57,
  i64_ge_s: 0x59,
  i64_clz: 0x79,
  i64_ctz: 0x7a,
  i64_popcnt: 0x7b,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_u: 0x80,
  i64_rem_u: 0x82,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_s: 0x87,
  i64_shr_u: 0x88,
  i64_rotl: 0x89,
  i32_wrap_i64: 0xa7,
  i64_trunc_f64_s: 0xb0,
  i64_extend_i32_u: 0xad,
  f64_convert_i64_s: 0xb9,
} as const

/** A function body under construction: locals and instruction bytes. */
export class Code {
  readonly bytes: number[] = []
  /** Declared locals after the parameters, by type. */
  private readonly locals: number[] = []

  constructor(private readonly nParams: number) {}

  /** Declare a local of type `t`; returns its index. */
  local(t: number): number {
    this.locals.push(t)
    return this.nParams + this.locals.length - 1
  }

  /** Append raw opcode bytes. */
  op(...b: number[]): this {
    for (const x of b) this.bytes.push(x)
    return this
  }

  i32(v: number): this {
    this.bytes.push(Op.i32_const, ...sleb(BigInt(v | 0)))
    return this
  }

  i64(v: bigint): this {
    this.bytes.push(Op.i64_const, ...sleb(BigInt.asIntN(64, v)))
    return this
  }

  get(i: number): this {
    this.bytes.push(Op.local_get, ...uleb(i))
    return this
  }

  set(i: number): this {
    this.bytes.push(Op.local_set, ...uleb(i))
    return this
  }

  tee(i: number): this {
    this.bytes.push(Op.local_tee, ...uleb(i))
    return this
  }

  /** A load or store with alignment hint 0 (unaligned is allowed) and a constant byte offset. */
  mem(op: number, offset: number): this {
    this.bytes.push(op, 0, ...uleb(offset))
    return this
  }

  /** `i64.load offset` of the address on the stack. */
  ld(offset: number): this {
    return this.mem(Op.i64_load, offset)
  }

  /** `i64.store offset` (address, value on the stack). */
  st(offset: number): this {
    return this.mem(Op.i64_store, offset)
  }

  block(t = VOID): this {
    this.bytes.push(Op.block, t)
    return this
  }

  loop(t = VOID): this {
    this.bytes.push(Op.loop, t)
    return this
  }

  if(t = VOID): this {
    this.bytes.push(Op.if, t)
    return this
  }

  else(): this {
    this.bytes.push(Op.else)
    return this
  }

  end(): this {
    this.bytes.push(Op.end)
    return this
  }

  br(depth: number): this {
    this.bytes.push(Op.br, ...uleb(depth))
    return this
  }

  brIf(depth: number): this {
    this.bytes.push(Op.br_if, ...uleb(depth))
    return this
  }

  /** `br_table` with `targets` (label depths) and a default depth. */
  brTable(targets: readonly number[], dflt: number): this {
    this.bytes.push(Op.br_table, ...uleb(targets.length))
    for (const t of targets) append(this.bytes, uleb(t))
    this.bytes.push(...uleb(dflt))
    return this
  }

  call(fn: number): this {
    this.bytes.push(Op.call, ...uleb(fn))
    return this
  }

  /** `memory.fill` (bulk memory: dest, value, length on the stack). */
  fill(): this {
    this.bytes.push(0xfc, ...uleb(11), 0)
    return this
  }

  /** `memory.copy` (bulk memory: dest, source, length on the stack). */
  copy(): this {
    this.bytes.push(0xfc, ...uleb(10), 0, 0)
    return this
  }

  /** The encoded body: local declarations (run-length by type), instructions, `end`. */
  encode(): number[] {
    const groups: [number, number][] = []
    for (const t of this.locals) {
      const g = groups[groups.length - 1]
      if (g !== undefined && g[1] === t) g[0]++
      else groups.push([1, t])
    }
    const body = uleb(groups.length)
    for (const [n, t] of groups) body.push(...uleb(n), t)
    append(body, this.bytes)
    body.push(Op.end)
    const out = uleb(body.length)
    append(out, body)
    return out
  }
}

/** A function type. */
export interface FuncType {
  params: number[]
  results: number[]
}

/** One function of a module: its type index and body. */
export interface Func {
  type: number
  code: Code
}

/** An imported function (`module`.`name`). */
export interface ImportFunc {
  module: string
  name: string
  type: number
}

/** Module contents. Imported functions take the first function indices, in order. */
export interface ModuleSpec {
  types: FuncType[]
  importFuncs: ImportFunc[]
  /** Imported memory (`module`.`name`), minimum pages. */
  memory: { module: string; name: string; minPages: number }
  funcs: Func[]
  /** Exported functions by name → function index (imports counted). */
  exports: Record<string, number>
}

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)]
  return [...uleb(b.length), ...b]
}

function section(id: number, content: number[]): number[] {
  const out = [id, ...uleb(content.length)]
  append(out, content)
  return out
}

function vec(items: number[][]): number[] {
  const out = uleb(items.length)
  for (const i of items) append(out, i)
  return out
}

/** Encode a module to bytes. */
export function buildModule(m: ModuleSpec): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
  append(out, section(1, vec(m.types.map((t) => [0x60, ...uleb(t.params.length), ...t.params, ...uleb(t.results.length), ...t.results]))))
  const imports = m.importFuncs.map((f) => [...str(f.module), ...str(f.name), 0x00, ...uleb(f.type)])
  imports.push([...str(m.memory.module), ...str(m.memory.name), 0x02, 0x00, ...uleb(m.memory.minPages)])
  append(out, section(2, vec(imports)))
  append(out, section(3, vec(m.funcs.map((f) => uleb(f.type)))))
  append(out, section(7, vec(Object.entries(m.exports).map(([name, idx]) => [...str(name), 0x00, ...uleb(idx)]))))
  append(out, section(10, vec(m.funcs.map((f) => f.code.encode()))))
  return Uint8Array.from(out)
}
