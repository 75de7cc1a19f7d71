/**
 * The JIT compiler: EVM bytecode → JavaScript source → `new Function`.
 *
 * Shape of the output (shared/research/evm-and-jit.md §4-5, tier "C2"):
 * one or more region functions `(f, evm, blk)`, each a `for(;;) switch(blk)`
 * over the basic blocks of `analysis.ts`. Inside a block:
 * - gas and stack bounds are checked once at entry (static gas from the
 *   shared fork table; dynamic parts charged inline by the same helpers the
 *   interpreter uses);
 * - the stack is virtual: PUSH/DUP/SWAP/POP only rename compile-time
 *   entries, results are JS `const`s, and the real stack array is written
 *   once at the block exit (stack-to-register);
 * - constants are propagated and folded with the very expressions the
 *   generated code would run (folding cannot drift from execution);
 *   comparisons stay JS booleans until a BigInt is needed, so
 *   `LT ISZERO PUSH JUMPI` becomes one `if`;
 * - jumps with a constant target become direct `blk = N` (or fall through to
 *   the next case); the rest go through one dispatch, `jd[pc]`;
 * - SLOAD has an inline cache for warm, already-loaded slots.
 * Blocks unreachable from pc 0, resume points and (when a dynamic jump
 * exists) JUMPDESTs are dropped. Code is split into several region
 * functions when the source grows past `regionChars`, so each function stays
 * under V8's optimisation limit (60 KiB of bytecode); control moves between
 * regions through the trampoline in `jit.ts`.
 *
 * CALL*, CREATE* and SELFDESTRUCT are handed to the interpreter: the block
 * writes pc/sp/gas back and returns -1, the interpreter executes the
 * instruction and suspends, and the JIT resumes at the next pc (a block
 * start). Sub-calls therefore run exactly the interpreter's code.
 */
import type { AnalyzedCode } from '../code.js'
import { G, type ForkTables, MAX_STACK, opName } from '../opcodes.js'
import { analyze, type Analysis, type Block } from './analysis.js'
import { runtime, type Runtime } from './runtime.js'
import { buildWasmRegion, searchEdges, selectBlocks, type WasmCounts } from './wasm/tier.js'

/** Compilation failed (a compiler bug or an unsupported input); the code stays interpreted. */
export class JitCompileError extends Error {
  override name = 'JitCompileError'
}

/** A region function produced by the compiler: runs from block `blk`, returns a status, -1 (hand-off) or 8 + block (region switch). */
export type RegionFn = (f: unknown, evm: unknown, blk: number) => number

/** Compiled code for one contract under one fork. */
export interface CompiledCode {
  /** The fork tables the code was compiled against. */
  readonly tables: ForkTables
  /** Block index per pc (-1 where no block starts). */
  readonly blockAt: Int32Array
  /** Region of each block (-1 for dropped blocks). */
  readonly regionOf: Int32Array
  /** Region functions. */
  readonly regions: RegionFn[]
  /** Generated JavaScript, for inspection and tests. */
  readonly source: string
  /** Blocks emitted / total. */
  readonly blocksEmitted: number
  readonly blocksTotal: number
  /** Milliseconds spent compiling (analysis + codegen + `new Function`). */
  readonly compileMs: number
  /** Region exits through dynamic jumps, recorded at run time (`CompileOptions.profile`); undefined when not recorded. */
  readonly hot: HotProfile | undefined
  /** The WebAssembly tier's region (the last of `regions`), if any block qualified (`wasm/tier.ts`). */
  readonly wasm: { readonly blocks: readonly number[]; readonly bytes: number; readonly ms: number; readonly counts: WasmCounts } | undefined
}

/**
 * Dynamic jumps that left their region at run time: the count and, per
 * edge (key `source block × 65536 + target block`), how often. `Jit` uses
 * it to recompile with the hot edges inside one region (`hotEdges`).
 */
export interface HotProfile {
  leaves: number
  readonly edges: Map<number, number>
  /** A relayout was done or scheduled (recording is no longer needed). */
  done: boolean
}

/** Compiler options. */
export interface CompileOptions {
  /** Soft cap on the source size of one region function (characters). */
  regionChars?: number
  /** Record region exits through dynamic jumps in `CompiledCode.hot` (default false). */
  profile?: boolean
  /**
   * Region exits seen at run time, (source block, target block, count):
   * the regions of the static layout are merged along the heaviest ones
   * (`mergeHot`), so that call/return pairs of internal functions and loops
   * closed through computed jumps stay inside one function.
   */
  hotEdges?: readonly (readonly [number, number, number])[]
  /** Compile hot pure-compute loops to WebAssembly (tier 2, `wasm/tier.ts`; default true). */
  wasm?: boolean
  /** Put every eligible block in the wasm region, not only loops (forced mode: conformance and fuzzing exercise tier 2 everywhere). */
  wasmAll?: boolean
  /** Also count wasm entries, gas and bails here (a `Jit`'s totals). */
  wasmSink?: WasmCounts
}

interface Item {
  /** Side-effect-free JS expression over consts. */
  e: string
  /** Known value. */
  c?: bigint
  /** Value is the entry-stack slot at this offset from the entry sp (negative). */
  orig?: number
  /** JS boolean expression equal to `value !== 0n` (value is 0n or 1n). */
  bool?: string
  /** Numeric shadow, shared by DUP copies (see `NumBox`). */
  n?: NumBox
  /** Upper bound on the value's bit length (256 when absent). */
  w?: number
  /**
   * An expression congruent to the value modulo 2^64, built only from
   * operations whose low 64 bits depend only on their operands' low 64 bits
   * (+ - * & | ^ ~ and << by a constant), so that V8's TurboFan computes it
   * in 64-bit registers without allocating when it sits under
   * `BigInt.asUintN(64, …)` (see `narrow`).
   */
  lo?: string
}

/** Longest `lo` expression carried along (longer ones fall back to the full value). */
const MAX_LO_CHARS = 200

/** Bit length of a constant. */
function bitLen(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length
}

/** `k` when `v` is 2^k − 1 (a low-bits mask), else -1. */
function lowMask(v: bigint): number {
  return (v & (v + 1n)) === 0n ? bitLen(v) : -1
}

/** `k` when `v` is 2^k, else -1. */
function pow2(v: bigint): number {
  return v > 0n && (v & (v - 1n)) === 0n ? bitLen(v) - 1 : -1
}

/**
 * The value as a JS number exactly as `num` gives it (the value when it is
 * at most 2^32 - 1, else -1): a bound const once computed (`expr`), or a
 * generator (`make`) that derives it from the operands' shadows without
 * BigInt arithmetic (ADD/SUB/MUL of small values: memory offsets).
 */
interface NumBox {
  expr?: string
  make?: () => string
}

const U32 = 0xffffffffn
const MAXV = (1n << 256n) - 1n

function lit(v: bigint): string {
  return v < 0x10000n ? `${v}n` : `0x${v.toString(16)}n`
}

type Gen = (a: string, b: string, c: string) => string
interface PureOp {
  n: number
  gen: Gen
  bool?: boolean
}

/** Side-effect-free opcodes: arity and expression; `bool` ones yield a JS boolean. */
const PURE: Record<number, PureOp> = {
  0x01: { n: 2, gen: (a, b) => `(${a} + ${b}) & MAX` },
  0x02: { n: 2, gen: (a, b) => `(${a} * ${b}) & MAX` },
  0x03: { n: 2, gen: (a, b) => `(${a} - ${b}) & MAX` },
  0x04: { n: 2, gen: (a, b) => `(${b} === 0n ? 0n : ${a} / ${b})` },
  0x05: { n: 2, gen: (a, b) => `sdiv(${a}, ${b})` },
  0x06: { n: 2, gen: (a, b) => `(${b} === 0n ? 0n : ${a} % ${b})` },
  0x07: { n: 2, gen: (a, b) => `smod(${a}, ${b})` },
  0x08: { n: 3, gen: (a, b, c) => `addmod(${a}, ${b}, ${c})` },
  0x09: { n: 3, gen: (a, b, c) => `(${c} === 0n ? 0n : (${a} * ${b}) % ${c})` },
  0x0b: { n: 2, gen: (a, b) => `signExtend(${a}, ${b})` },
  0x10: { n: 2, gen: (a, b) => `${a} < ${b}`, bool: true },
  0x11: { n: 2, gen: (a, b) => `${a} > ${b}`, bool: true },
  0x12: { n: 2, gen: (a, b) => `toSigned(${a}) < toSigned(${b})`, bool: true },
  0x13: { n: 2, gen: (a, b) => `toSigned(${a}) > toSigned(${b})`, bool: true },
  0x14: { n: 2, gen: (a, b) => `${a} === ${b}`, bool: true },
  0x15: { n: 1, gen: (a) => `${a} === 0n`, bool: true },
  0x16: { n: 2, gen: (a, b) => `${a} & ${b}` },
  0x17: { n: 2, gen: (a, b) => `${a} | ${b}` },
  0x18: { n: 2, gen: (a, b) => `${a} ^ ${b}` },
  0x19: { n: 1, gen: (a) => `MAX ^ ${a}` },
  0x1a: { n: 2, gen: (a, b) => `(${a} < 32n ? (${b} >> (248n - ${a} * 8n)) & 0xffn : 0n)` },
  0x1b: { n: 2, gen: (a, b) => `(${a} < 256n ? (${b} << ${a}) & MAX : 0n)` },
  0x1c: { n: 2, gen: (a, b) => `(${a} < 256n ? ${b} >> ${a} : 0n)` },
  0x1d: { n: 2, gen: (a, b) => `sar(${a}, ${b})` },
  0x0a: { n: 2, gen: (a, b) => `expValue(${a}, ${b})` },
}

/** Names of runtime members generated code uses as free identifiers. */
const RT_NAMES = Object.keys(runtime).filter((k) => /^[A-Za-z_]\w*$/.test(k))

const foldCache = new Map<number, (a: bigint, b: bigint, c: bigint) => bigint | boolean>()
/** Evaluate a pure op on constants with the same expression the generated code uses. */
function fold(op: number, a: bigint, b: bigint, c: bigint): bigint {
  let fn = foldCache.get(op)
  if (fn === undefined) {
    // `any`-free: the Function constructor returns a `Function`; the cast states its call shape.
    fn = new Function('rt', 'a', 'b', 'c', `const {${RT_NAMES.join(', ')}} = rt; return ${PURE[op]!.gen('a', 'b', 'c')}`).bind(undefined, runtime) as (a: bigint, b: bigint, c: bigint) => bigint | boolean
    foldCache.set(op, fn)
  }
  const r = fn(a, b, c)
  return typeof r === 'boolean' ? (r ? 1n : 0n) : r
}

/** Marker for a jump to block `id`, resolved when regions are assigned. */
const jumpMarker = (id: number): string => `\u0001J${id}\u0001`

interface BlockCode {
  block: Block
  body: string
  /** Statically known successors (block ids). */
  succ: number[]
  /** Falls through to this block id at the end (or -1). */
  fallTo: number
  /** Has a jump whose target is not a constant. */
  dynamic: boolean
  /** Frame-invariant values used. */
  uses: Set<string>
}

/** Frame-invariant loads hoisted to the top of each region function. */
const INVARIANTS: Record<string, string> = {
  ADDRESS: 'msg.address',
  ORIGIN: 'evm.tx.origin',
  CALLER: 'msg.caller',
  CALLVALUE: 'msg.value',
  CALLDATASIZE: 'BigInt(f.calldata.length)',
  GASPRICE: 'evm.tx.gasPrice',
  COINBASE: 'evm.coinbase',
  TIMESTAMP: 'evm.block.timestamp',
  NUMBER: 'evm.block.number',
  PREVRANDAO: 'evm.prevRandao',
  GASLIMIT: 'evm.block.gasLimit',
  CHAINID: 'evm.block.chainId',
  BASEFEE: 'evm.block.baseFee',
  BLOBBASEFEE: 'evm.block.blobBaseFee',
}
const ENV_OPS: Record<number, string> = {
  0x30: 'ADDRESS',
  0x32: 'ORIGIN',
  0x33: 'CALLER',
  0x34: 'CALLVALUE',
  0x36: 'CALLDATASIZE',
  0x3a: 'GASPRICE',
  0x41: 'COINBASE',
  0x42: 'TIMESTAMP',
  0x43: 'NUMBER',
  0x44: 'PREVRANDAO',
  0x45: 'GASLIMIT',
  0x46: 'CHAINID',
  0x48: 'BASEFEE',
  0x4a: 'BLOBBASEFEE',
}

/** Generates the body of one block. */
class BlockGen {
  private lines: string[] = []
  private items: Item[] = []
  private consumed = 0
  private dead = false
  /** Memory known to be at least this large in the rest of the block (memory never shrinks). */
  private memKnown = 0
  readonly succ: number[] = []
  fallTo = -1
  dynamic = false
  readonly uses = new Set<string>()

  constructor(
    private readonly code: AnalyzedCode,
    private readonly an: Analysis,
    private readonly block: Block,
    private readonly ids: { n: number },
    private readonly tables: ForkTables,
  ) {}

  private local(prefix = 'v'): string {
    return `${prefix}${this.ids.n++}`
  }

  private emit(s: string): void {
    this.lines.push(s)
  }

  /** Lines `const name = <expression without side effects>` (index → name), removed by `dce` when unused. */
  private readonly pureLines = new Map<number, string>()

  /** Emit `const name = expr` for a side-effect-free, non-throwing `expr`. */
  private emitPure(name: string, expr: string): void {
    this.pureLines.set(this.lines.length, name)
    this.lines.push(`const ${name} = ${expr}`)
  }

  /** Drop pure consts nobody reads (stack loads under DUP/SWAP, unused results, unused shadows), to a fixpoint. */
  private dce(): void {
    const ident = /\b[vob]\d+\b/g
    const uses = new Map<string, number>()
    for (const l of this.lines) for (const m of l.matchAll(ident)) uses.set(m[0], (uses.get(m[0]) ?? 0) + 1)
    const dropped = new Set<number>()
    for (let changed = true; changed; ) {
      changed = false
      for (const [i, name] of this.pureLines) {
        if (dropped.has(i) || uses.get(name) !== 1) continue
        dropped.add(i)
        changed = true
        for (const m of this.lines[i]!.matchAll(ident)) uses.set(m[0], uses.get(m[0])! - 1)
      }
    }
    if (dropped.size > 0) this.lines = this.lines.filter((_, i) => !dropped.has(i))
  }

  /** Make sure the top `d` entries are virtual. */
  private lift(d: number): void {
    while (this.items.length < d) {
      this.consumed++
      const name = this.local()
      this.emitPure(name, `st[sp - ${this.consumed}]`)
      this.items.unshift({ e: name, orig: -this.consumed })
    }
  }

  private pop(): Item {
    this.lift(1)
    return this.items.pop()!
  }

  private push(it: Item): void {
    this.items.push(it)
  }

  private pushConst(v: bigint): void {
    this.items.push({ e: lit(v), c: v })
  }

  /** Bind `expr` to a new const and push it (`pure`: no side effects, so `dce` may drop it). */
  private pushExpr(expr: string, pure = true): string {
    const name = this.local()
    if (pure) this.emitPure(name, expr)
    else this.emit(`const ${name} = ${expr}`)
    this.items.push({ e: name })
    return name
  }

  private halt(reason: string): void {
    this.emit(`return halt(f, ${JSON.stringify(reason)})`)
    this.dead = true
  }

  /** Write the virtual stack back to `st` and move `sp`. */
  private materialize(): void {
    const base = -this.consumed
    for (let j = 0; j < this.items.length; j++) {
      const it = this.items[j]!
      const pos = base + j
      if (it.orig === pos) continue
      this.emit(`st[sp${pos < 0 ? ' - ' + -pos : pos > 0 ? ' + ' + pos : ''}] = ${it.e}`)
    }
    const delta = this.items.length - this.consumed
    if (delta !== 0) this.emit(`sp ${delta > 0 ? '+=' : '-='} ${Math.abs(delta)}`)
    this.items = []
    this.consumed = 0
  }

  /** Offset expression as a JS number (-1 when over 32 bits), or a literal. */
  private numOf(it: Item): { expr: string; c?: number } {
    if (it.c !== undefined) return it.c <= U32 ? { expr: String(Number(it.c)), c: Number(it.c) } : { expr: '-1', c: -1 }
    const box = (it.n ??= {})
    if (box.expr === undefined) {
      if (box.make !== undefined) box.expr = box.make()
      else {
        box.expr = this.local('o')
        this.emitPure(box.expr, `num(${it.e})`)
      }
    }
    return { expr: box.expr }
  }

  /**
   * Give the result `r` of ADD/SUB/MUL a numeric shadow computed from the
   * operands' shadows: exact when both are at most 2^32 - 1 (no wrap is
   * possible), else `num` of the BigInt expression `big`.
   */
  private shadow(op: number, r: Item, a: Item, b: Item, big: string): void {
    r.n = {
      make: () => {
        const x = this.numOf(a).expr
        const y = this.numOf(b).expr
        const o = this.local('o')
        // literal operands are known to be >= 0 (their shadow is -1 only when over 32 bits)
        const pos = [x, y].filter((z) => !/^\d+$/.test(z)).map((z) => `${z} >= 0`)
        if (x === '-1' || y === '-1') pos.push('false')
        let calc: string
        if (op === 0x01) calc = `${x} + ${y} > 4294967295 ? -1 : ${x} + ${y}`
        else if (op === 0x02) calc = `${x} * ${y} > 4294967295 ? -1 : ${x} * ${y}`
        else calc = `${x} >= ${y} ? ${x} - ${y} : -1`
        this.emitPure(o, pos.length === 0 ? calc : `${pos.join(' && ')} ? (${calc}) : num(${big})`)
        return o
      },
    }
  }

  /** Emit a memory-expansion guard for `[off, off+size)`; false when it always fails. */
  private memGuard(off: { expr: string; c?: number }, size: number): boolean {
    if (off.c !== undefined) {
      if (off.c < 0) {
        this.halt('out of gas')
        return false
      }
      if (off.c + size > this.memKnown) {
        this.emit(`if (${off.c + size} > f.memLen) { f.gas = gas; if (!expand(f, ${off.c + size})) return halt(f, "out of gas"); gas = f.gas }`)
        this.memKnown = off.c + size
      }
      return true
    }
    this.emit(`if (${off.expr} < 0) return halt(f, "out of gas")`)
    this.emit(`if (${off.expr} + ${size} > f.memLen) { f.gas = gas; if (!expand(f, ${off.expr} + ${size})) return halt(f, "out of gas"); gas = f.gas }`)
    return true
  }

  private jumpTo(target: Item): void {
    if (target.c !== undefined) {
      const t = target.c
      const n = this.code.length
      if (t >= BigInt(n) || this.code.jumpdests[Number(t)] !== 1) {
        this.halt('invalid jump destination')
        return
      }
      const id = this.an.blockAt[Number(t)]!
      this.succ.push(id)
      this.emit(jumpMarker(id))
      return
    }
    this.dynamic = true
    this.emit(`{ const d = ${target.e}; if (d >= ${this.code.length}n) return halt(f, "invalid jump destination"); const nb = jd[Number(d)]; if (nb < 0) return halt(f, "invalid jump destination"); \u0001D\u0001 }`)
  }

  /** Generate the block. */
  generate(): BlockCode {
    const b = this.block
    const bytes = this.code.padded
    let checkedLow = 0
    let checkedHigh = 0
    let s = 0
    for (let i = 0; i < b.pcs.length && !this.dead; i++) {
      const sec = b.sections[s]
      if (sec !== undefined && sec.start === i) {
        s++
        if (sec.low < checkedLow) {
          this.emit(`if (sp < ${-sec.low}) return halt(f, "stack underflow")`)
          checkedLow = sec.low
        }
        if (sec.high > checkedHigh) {
          this.emit(`if (sp > ${MAX_STACK - sec.high}) return halt(f, "stack overflow")`)
          checkedHigh = sec.high
        }
        if (sec.gas > 0) this.emit(`gas -= ${sec.gas}; if (gas < 0) return halt(f, "out of gas")`)
      }
      const pc = b.pcs[i]!
      this.op(bytes[pc]!, pc, b.after[i]!)
    }
    if (!this.dead) {
      // fell off the block: into the next block, or off the end of the code (STOP)
      this.materialize()
      if (b.end >= this.code.length) this.emit(`f.gas = gas; f.output = EMPTY; return S_STOP`)
      else {
        const id = this.an.blockAt[b.end]!
        this.succ.push(id)
        this.fallTo = id
      }
    }
    this.dce()
    return { block: b, body: this.lines.join('\n'), succ: this.succ, fallTo: this.fallTo, dynamic: this.dynamic, uses: this.uses }
  }

  private op(op: number, pc: number, after: number): void {
    if (this.tables.gas[op]! < 0) return this.halt(`invalid opcode 0x${op.toString(16)}`)
    const pure = PURE[op]
    if (pure !== undefined) {
      const a = this.pop()
      const bI = pure.n >= 2 ? this.pop() : undefined
      const cI = pure.n >= 3 ? this.pop() : undefined
      if (op === 0x0a) {
        // EXP: dynamic gas for the exponent's bytes
        if (bI!.c !== undefined) {
          const g = G.EXP_BYTE * byteLen(bI!.c)
          if (g > 0) this.emit(`gas -= ${g}; if (gas < 0) return halt(f, "out of gas")`)
        } else this.emit(`gas -= ${G.EXP_BYTE} * byteLength(${bI!.e}); if (gas < 0) return halt(f, "out of gas")`)
      }
      if (a.c !== undefined && (bI === undefined || bI.c !== undefined) && (cI === undefined || cI.c !== undefined)) {
        this.pushConst(fold(op, a.c, bI?.c ?? 0n, cI?.c ?? 0n))
        return
      }
      if ((op === 0x16 || op === 0x17) && a.bool !== undefined && bI!.bool !== undefined) {
        const cond = this.local('b')
        this.emit(`const ${cond} = ${a.bool} ${op === 0x16 ? '&&' : '||'} ${bI!.bool}`)
        this.push({ e: `(${cond} ? 1n : 0n)`, bool: cond })
        return
      }
      if (pure.bool) {
        let cond: string
        if (op === 0x15 && a.bool !== undefined) cond = a.bool.startsWith('!') ? a.bool.slice(1) : `!${a.bool}`
        else {
          cond = this.local('b')
          this.emit(`const ${cond} = ${pure.gen(a.e, bI?.e ?? '', '')}`)
        }
        this.push({ e: `(${cond} ? 1n : 0n)`, bool: cond })
        return
      }
      const nr = this.narrow(op, a, bI, cI)
      const sp = nr === undefined ? this.special(op, a, bI) : undefined
      this.pushExpr(nr?.e ?? sp ?? pure.gen(a.e, bI?.e ?? '', cI?.e ?? ''))
      const r = this.items[this.items.length - 1]!
      const w = nr?.w ?? widthOf(op, a, bI, cI)
      if (w < 256) r.w = w
      if (nr === undefined && w > 64) {
        const l = loOf(op, a, bI)
        if (l !== undefined && l.length <= MAX_LO_CHARS) r.lo = l
      }
      if (sp === undefined && (op === 0x01 || op === 0x02 || op === 0x03)) this.shadow(op, r, a, bI!, pure.gen(a.e, bI!.e, ''))
      return
    }
    if (op >= 0x60 && op <= 0x7f) return this.pushConst(this.code.pushValues[pc]!)
    if (op >= 0x80 && op <= 0x8f) {
      const d = op - 0x7f
      this.lift(d)
      const it = this.items[this.items.length - d]!
      if (it.c === undefined) it.n ??= {} // DUP copies share the numeric shadow
      return this.push({ ...it })
    }
    if (op >= 0x90 && op <= 0x9f) {
      const d = op - 0x8f
      this.lift(d + 1)
      const top = this.items.length - 1
      const t = this.items[top]!
      this.items[top] = this.items[top - d]!
      this.items[top - d] = t
      return
    }
    const env = ENV_OPS[op]
    if (env !== undefined) {
      this.uses.add(env)
      this.push({ e: env })
      return
    }
    switch (op) {
      case 0x00:
        this.emit(`f.gas = gas; f.output = EMPTY; return S_STOP`)
        this.dead = true
        return
      case 0x5b:
        return
      case 0x5f:
        return this.pushConst(0n)
      case 0x50:
        this.pop()
        return
      case 0x58:
        return this.pushConst(BigInt(pc))
      case 0x38:
        return this.pushConst(BigInt(this.code.length))
      case 0x59:
        this.pushExpr(`BigInt(f.memLen)`)
        return
      case 0x5a:
        this.pushExpr(`f.bank === 0n ? BigInt(gas + ${after}) : BigInt(gas + ${after}) + f.bank`)
        return
      case 0x3d:
        this.pushExpr(`BigInt(f.returnData.length)`)
        return
      case 0x47:
        this.pushExpr(`acct.balance`)
        return
      case 0x35: {
        const a = this.pop()
        this.pushExpr(`loadPadded(f.calldata, ${a.e})`)
        return
      }
      case 0x40: {
        const a = this.pop()
        this.pushExpr(`blockHash(evm, ${a.e})`, false)
        return
      }
      case 0x49: {
        const a = this.pop()
        this.pushExpr(`blobHash(evm, ${a.e})`, false)
        return
      }
      case 0x31:
      case 0x3b:
      case 0x3f: {
        const a = this.pop()
        const v = this.local()
        this.emit(`f.gas = gas; const ${v} = accountQuery(evm, f, ${op}, ${a.e}); if (${v} === undefined) return S_ERROR; gas = f.gas`)
        this.push({ e: v })
        return
      }
      case 0x51: {
        const o = this.numOf(this.pop())
        if (!this.memGuard(o, 32)) return
        this.pushExpr(`readWord(f.view, ${o.expr})`)
        return
      }
      case 0x52: {
        const oI = this.pop()
        const v = this.pop()
        const o = this.numOf(oI)
        if (!this.memGuard(o, 32)) return
        this.emit(`writeWord(f.view, ${o.expr}, ${v.e})`)
        return
      }
      case 0x53: {
        const oI = this.pop()
        const v = this.pop()
        const o = this.numOf(oI)
        if (!this.memGuard(o, 1)) return
        this.emit(`f.mem[${o.expr}] = ${v.c !== undefined ? String(Number(v.c & 0xffn)) : `Number(${v.e} & 0xffn)`}`)
        return
      }
      case 0x54: {
        const k = this.pop()
        const v = this.local()
        this.emit(`let ${v} = state.sloadWarm(acct, ${k.e})`)
        this.emit(`if (${v} === undefined) { f.gas = gas; ${v} = sload(evm, f, ${k.e}); if (${v} === undefined) return S_ERROR; gas = f.gas }`)
        this.push({ e: v })
        return
      }
      case 0x55: {
        const k = this.pop()
        const v = this.pop()
        this.emit(`f.gas = gas; if (!sstore(evm, f, ${k.e}, ${v.e}, ${after})) return S_ERROR; gas = f.gas`)
        return
      }
      case 0x5c: {
        const k = this.pop()
        this.pushExpr(`state.tload(acct, ${k.e})`, false)
        return
      }
      case 0x5d: {
        const k = this.pop()
        const v = this.pop()
        this.emit(`if (msg.isStatic) return halt(f, "state change in static call")`)
        this.emit(`state.tstore(acct, ${k.e}, ${v.e})`)
        return
      }
      case 0x20: {
        const o = this.pop()
        const l = this.pop()
        const v = this.local()
        this.emit(`f.gas = gas; const ${v} = keccak(f, ${o.e}, ${l.e}); if (${v} === undefined) return S_ERROR; gas = f.gas`)
        this.push({ e: v })
        return
      }
      case 0x37:
      case 0x39:
      case 0x3e: {
        const d = this.pop()
        const s = this.pop()
        const l = this.pop()
        this.emit(`f.gas = gas; if (!copy(f, ${op}, ${d.e}, ${s.e}, ${l.e})) return S_ERROR; gas = f.gas`)
        return
      }
      case 0x3c: {
        const a = this.pop()
        const d = this.pop()
        const s = this.pop()
        const l = this.pop()
        this.emit(`f.gas = gas; if (!extCodeCopy(evm, f, ${a.e}, ${d.e}, ${s.e}, ${l.e})) return S_ERROR; gas = f.gas`)
        return
      }
      case 0x5e: {
        const d = this.pop()
        const s = this.pop()
        const l = this.pop()
        this.emit(`f.gas = gas; if (!mcopy(f, ${d.e}, ${s.e}, ${l.e})) return S_ERROR; gas = f.gas`)
        return
      }
      case 0xa0:
      case 0xa1:
      case 0xa2:
      case 0xa3:
      case 0xa4: {
        const o = this.pop()
        const l = this.pop()
        const topics: string[] = []
        for (let t = 0; t < op - 0xa0; t++) topics.push(this.pop().e)
        while (topics.length < 4) topics.push('0n')
        this.emit(`f.gas = gas; if (!log(evm, f, ${o.e}, ${l.e}, ${op - 0xa0}, ${topics.join(', ')})) return S_ERROR; gas = f.gas`)
        return
      }
      case 0xf3:
      case 0xfd: {
        const o = this.pop()
        const l = this.pop()
        this.emit(`return ret(f, gas, ${o.e}, ${l.e}, ${op === 0xf3 ? 'S_RETURN' : 'S_REVERT'})`)
        this.dead = true
        return
      }
      case 0x56: {
        const t = this.pop()
        this.materialize()
        this.jumpTo(t)
        this.dead = true
        return
      }
      case 0x57: {
        const t = this.pop()
        const c = this.pop()
        this.materialize()
        if (c.c !== undefined) {
          if (c.c !== 0n) {
            this.jumpTo(t)
            this.dead = true
          }
          return
        }
        this.emit(`if (${c.bool ?? `${c.e} !== 0n`}) {`)
        this.jumpTo(t)
        this.dead = false
        this.emit(`}`)
        return
      }
      default:
        if ((op === 0xf0 || op === 0xf1 || op === 0xf2 || op === 0xf4 || op === 0xf5 || op === 0xfa || op === 0xff)) {
          // hand-off: the interpreter executes this instruction (and suspends for sub-calls)
          this.materialize()
          this.emit(`f.pc = ${pc}; f.sp = sp; f.gas = gas; return -1`)
          this.dead = true
          if (op !== 0xff && pc + 1 < this.code.length) {
            const id = this.an.blockAt[pc + 1]!
            if (id >= 0) this.succ.push(id)
          }
          return
        }
        throw new JitCompileError(`no code generator for ${opName(op)}`)
    }
  }

  /**
   * 64-bit specialisation: when the result is known to fit in 64 bits (from
   * the operands' width bounds, or a low mask / power-of-two modulus), emit
   * it as `BigInt.asUintN(k, …)` over the operands' `lo` forms. TurboFan
   * lowers such expressions to machine words (no BigInt allocated until the
   * value is stored), which is where 64/32-bit code (blake2b, sha1) spends
   * its time. Exact: the result is < 2^64 and `lo` is congruent to the
   * operand modulo 2^64. Undefined when the shape does not apply.
   */
  private narrow(op: number, a: Item, b: Item | undefined, c: Item | undefined): { e: string; w: number } | undefined {
    if (b === undefined) return undefined
    const wa = width(a)
    const wb = width(b)
    const u64 = (x: string): string => `BigInt.asUintN(64, ${x})`
    switch (op) {
      case 0x01: {
        const w = Math.max(wa, wb) + 1
        return w <= 64 ? { e: u64(`${lo(a)} + ${lo(b)}`), w } : undefined
      }
      case 0x02: {
        const k = b.c !== undefined ? pow2(b.c) : a.c !== undefined ? pow2(a.c) : -1
        const x = b.c !== undefined && k >= 0 ? a : b
        if (k >= 0 && k < 256 && width(x) + k <= 64) return { e: u64(`${lo(x)} << ${k}n`), w: width(x) + k }
        const w = wa + wb
        return w <= 64 ? { e: u64(`${lo(a)} * ${lo(b)}`), w } : undefined
      }
      case 0x04: {
        const k = b.c !== undefined ? pow2(b.c) : -1
        return k >= 0 && wa <= 64 ? { e: u64(`${a.e} >> ${k}n`), w: Math.max(0, wa - k) } : undefined
      }
      case 0x06: {
        const k = b.c !== undefined ? pow2(b.c) : -1
        return k >= 0 && k <= 64 ? { e: `BigInt.asUintN(${k}, ${lo(a)})`, w: Math.min(k, wa) } : undefined
      }
      case 0x08:
      case 0x09: {
        const k = c?.c !== undefined ? pow2(c.c) : -1
        if (k < 0) return undefined
        const sym = op === 0x08 ? '+' : '*'
        // ADDMOD/MULMOD by 2^k: the exact sum/product reduced by truncation, no division
        return k <= 64 ? { e: `BigInt.asUintN(${k}, ${lo(a)} ${sym} ${lo(b)})`, w: k } : { e: `BigInt.asUintN(${k}, ${a.e} ${sym} ${b.e})`, w: k }
      }
      case 0x16: {
        const k = a.c !== undefined ? lowMask(a.c) : b.c !== undefined ? lowMask(b.c) : -1
        const x = a.c !== undefined && k >= 0 ? b : a
        if (k >= 0 && k <= 64) return { e: `BigInt.asUintN(${k}, ${lo(x)})`, w: Math.min(k, width(x)) }
        const w = Math.min(wa, wb)
        return w <= 64 ? { e: u64(`${lo(a)} & ${lo(b)}`), w } : undefined
      }
      case 0x17:
      case 0x18: {
        const w = Math.max(wa, wb)
        return w <= 64 ? { e: u64(`${lo(a)} ${op === 0x17 ? '|' : '^'} ${lo(b)}`), w } : undefined
      }
      case 0x1b: {
        if (a.c === undefined || a.c >= 256n) return undefined
        const w = wb + Number(a.c)
        return w <= 64 ? { e: u64(`${lo(b)} << ${a.c}n`), w } : undefined
      }
      case 0x1c: {
        if (a.c === undefined || a.c >= 256n || wb > 64) return undefined
        return { e: u64(`${b.e} >> ${a.c}n`), w: Math.max(0, wb - Number(a.c)) }
      }
      default:
        return undefined
    }
  }

  /** Cheaper expressions for common shapes with constant operands (PUSH/AND masks, shifts by constants). */
  private special(op: number, a: Item, b: Item | undefined): string | undefined {
    if (b === undefined) return undefined
    if (a.c !== undefined) {
      if (op === 0x1b) return a.c < 256n ? `(${b.e} << ${a.c}n) & MAX` : '0n'
      if (op === 0x1c) return a.c < 256n ? `${b.e} >> ${a.c}n` : '0n'
      if (op === 0x1a) return a.c < 32n ? `(${b.e} >> ${248n - a.c * 8n}n) & 0xffn` : '0n'
      if (op === 0x16 && a.c === MAXV) return b.e
    }
    if (b.c !== undefined && b.c !== 0n) {
      if (op === 0x04) return b.c === 1n ? a.e : `${a.e} / ${b.e}`
      if (op === 0x06) return `${a.e} % ${b.e}`
      if (op === 0x16 && b.c === MAXV) return a.e
    }
    // identities (x*1, x+0, x|0, x^0, x-0); the operand is already a word
    const one = (x: Item): boolean => x.c === 1n
    const zero = (x: Item): boolean => x.c === 0n
    if (op === 0x02 && (one(a) || one(b))) return one(a) ? b.e : a.e
    if ((op === 0x01 || op === 0x17 || op === 0x18) && (zero(a) || zero(b))) return zero(a) ? b.e : a.e
    if (op === 0x03 && zero(b)) return a.e
    if (op === 0x16 && (zero(a) || zero(b))) return '0n'
    return undefined
  }
}

/** Upper bound on an item's bit length. */
function width(it: Item): number {
  return it.c !== undefined ? bitLen(it.c) : it.bool !== undefined ? 1 : (it.w ?? 256)
}

/** An expression congruent to the item modulo 2^64 (see `Item.lo`). */
function lo(it: Item): string {
  return it.lo ?? it.e
}

/** Upper bound on the bit length of a pure op's result (`a` is the top operand). */
function widthOf(op: number, a: Item, b: Item | undefined, c: Item | undefined): number {
  const wa = width(a)
  const wb = b !== undefined ? width(b) : 256
  let w = 256
  switch (op) {
    case 0x01:
      w = Math.max(wa, wb) + 1
      break
    case 0x02:
      w = wa + wb
      break
    case 0x04:
      w = wa
      break
    case 0x06:
      w = Math.min(wa, wb)
      break
    case 0x08:
    case 0x09:
      w = c !== undefined ? width(c) : 256
      break
    case 0x16:
      w = Math.min(wa, wb)
      break
    case 0x17:
    case 0x18:
      w = Math.max(wa, wb)
      break
    case 0x1a:
      w = 8
      break
    case 0x1b:
      if (a.c !== undefined) w = a.c >= 256n ? 0 : wb + Number(a.c)
      break
    case 0x1c:
      if (a.c !== undefined) w = a.c >= 256n ? 0 : Math.max(0, wb - Number(a.c))
      else w = wb
      break
  }
  return Math.min(256, w)
}

/** `lo` form of a pure op's result, when the op keeps low bits from low bits (`a` is the top operand). */
function loOf(op: number, a: Item, b: Item | undefined): string | undefined {
  if (op === 0x19) return `(~${lo(a)})`
  if (b === undefined) return undefined
  switch (op) {
    case 0x01:
      return `(${lo(a)} + ${lo(b)})`
    case 0x02:
      return `(${lo(a)} * ${lo(b)})`
    case 0x03:
      return `(${lo(a)} - ${lo(b)})`
    case 0x16:
      return `(${lo(a)} & ${lo(b)})`
    case 0x17:
      return `(${lo(a)} | ${lo(b)})`
    case 0x18:
      return `(${lo(a)} ^ ${lo(b)})`
    case 0x1b:
      return a.c !== undefined && a.c < 256n ? `(${lo(b)} << ${a.c}n)` : undefined
    default:
      return undefined
  }
}

function byteLen(v: bigint): number {
  return v === 0n ? 0 : (v.toString(16).length + 1) >> 1
}

/** A merged region (`mergeHot`) is at most this many times `regionChars`. */
const HOT_REGION_FACTOR = 8

/**
 * Region layout by run-time hotness (Pettis–Hansen style): starting from
 * the static layout's regions, merge the two regions of each hot exit edge,
 * heaviest first, while the merged source stays within `cap` characters.
 * Blocks keep their ids, so code compiled this way can take over a running
 * frame at any block start.
 */
function mergeHot(regions: BlockCode[][], nBlocks: number, hot: readonly (readonly [number, number, number])[], cap: number): BlockCode[][] {
  const rOf = new Int32Array(nBlocks).fill(-1)
  regions.forEach((bs, r) => {
    for (const g of bs) rOf[g.block.id] = r
  })
  const parent = regions.map((_, i) => i)
  const chars = regions.map((bs) => bs.reduce((a, g) => a + g.body.length + 40, 0))
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!
    return x
  }
  for (const [s, t] of [...hot].sort((x, y) => y[2] - x[2])) {
    if (s < 0 || s >= nBlocks || t < 0 || t >= nBlocks || rOf[s]! < 0 || rOf[t]! < 0) continue
    const a = find(rOf[s]!)
    const b = find(rOf[t]!)
    if (a === b || chars[a]! + chars[b]! > cap) continue
    const [lo, hi] = a < b ? [a, b] : [b, a]
    parent[hi] = lo
    chars[lo] = chars[lo]! + chars[hi]!
  }
  const out = new Map<number, BlockCode[]>()
  regions.forEach((bs, r) => {
    const root = find(r)
    const m = out.get(root)
    if (m === undefined) out.set(root, [...bs])
    else m.push(...bs)
  })
  return [...out.values()].map((bs) => bs.sort((x, y) => x.block.id - y.block.id))
}

/** A loop whose body (with inner loops) is at most this many times `regionChars` gets a region of its own. */
const LOOP_REGION_FACTOR = 3

/**
 * Group the reachable blocks into region functions. Loops found through
 * static edges (back edges of a depth-first walk from pc 0; the body is
 * every block that reaches the back edge's source without passing the
 * header) are placed first, innermost first, each in one region when the
 * body is at most `LOOP_REGION_FACTOR` × `regionChars`: an iteration then
 * never leaves its function through the trampoline. The remaining blocks
 * follow in pc order, cut every `regionChars` characters.
 */
function layout(gens: BlockCode[], reach: Uint8Array, regionChars: number): BlockCode[][] {
  const n = gens.length
  const size = (g: BlockCode): number => g.body.length + 40
  // predecessors over static edges
  const preds: number[][] = Array.from({ length: n }, () => [])
  for (const g of gens) if (reach[g.block.id] === 1) for (const t of g.succ) if (t >= 0 && reach[t] === 1) preds[t]!.push(g.block.id)
  // back edges of iterative depth-first walks
  const state = new Uint8Array(n) // 0 new, 1 on stack, 2 done
  const back: [number, number][] = []
  for (let root = 0; root < n; root++) {
    // pc 0 first, then blocks only reached through dynamic jumps or resume points
    if (reach[root] === 0 || state[root] !== 0) continue
    const stack: [number, number][] = [[root, 0]]
    state[root] = 1
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const succ = gens[top[0]]!.succ
      if (top[1] < succ.length) {
        const t = succ[top[1]++]!
        if (t < 0 || reach[t] === 0) continue
        if (state[t] === 1) back.push([top[0], t])
        else if (state[t] === 0) {
          state[t] = 1
          stack.push([t, 0])
        }
      } else {
        state[top[0]] = 2
        stack.pop()
      }
    }
  }
  // natural loop bodies, smallest first
  const loops: { blocks: number[]; chars: number }[] = []
  for (const [src, head] of back) {
    const inBody = new Set<number>([head, src])
    const work = src === head ? [] : [src]
    let chars = size(gens[head]!) + (src === head ? 0 : size(gens[src]!))
    while (work.length > 0 && chars <= LOOP_REGION_FACTOR * regionChars) {
      const b = work.pop()!
      for (const p of preds[b]!) {
        if (!inBody.has(p)) {
          inBody.add(p)
          work.push(p)
          chars += size(gens[p]!)
        }
      }
    }
    if (work.length === 0 && chars <= LOOP_REGION_FACTOR * regionChars) loops.push({ blocks: [...inBody].sort((x, y) => x - y), chars })
  }
  loops.sort((x, y) => x.chars - y.chars)
  const placed = new Uint8Array(n)
  const out: BlockCode[][] = []
  for (const l of loops) {
    const free = l.blocks.filter((b) => placed[b] === 0)
    if (free.length === 0) continue
    // an inner loop already has its region: put the rest of this loop there when it fits, else in a new one
    const host = out.findIndex((r) => r.some((g) => l.blocks.includes(g.block.id)))
    const freeChars = free.reduce((a, b) => a + size(gens[b]!), 0)
    let region: BlockCode[]
    if (host >= 0 && out[host]!.reduce((a, g) => a + size(g), 0) + freeChars <= LOOP_REGION_FACTOR * regionChars) region = out[host]!
    else {
      region = []
      out.push(region)
    }
    for (const b of free) {
      placed[b] = 1
      region.push(gens[b]!)
    }
    region.sort((x, y) => x.block.id - y.block.id)
  }
  let chars = 0
  let cur: BlockCode[] | undefined
  for (const g of gens) {
    if (reach[g.block.id] === 0 || placed[g.block.id] === 1) continue
    if (cur === undefined || (chars > 0 && chars + g.body.length > regionChars)) {
      cur = []
      out.push(cur)
      chars = 0
    }
    cur.push(g)
    chars += size(g)
  }
  return out
}

/** Compile `code` for `tables`' fork. Throws `JitCompileError`. */
export function compile(code: AnalyzedCode, tables: ForkTables, opts: CompileOptions = {}): CompiledCode {
  const t0 = performance.now()
  const regionChars = opts.regionChars ?? 4_000
  const an = analyze(code, tables)
  const ids = { n: 0 }
  const gens: BlockCode[] = an.blocks.map((b) => new BlockGen(code, an, b, ids, tables).generate())
  // reachability: pc 0, resume points after hand-offs (static successors), all JUMPDESTs once a dynamic jump is reachable
  const reach = new Uint8Array(gens.length)
  const work: number[] = []
  const mark = (id: number): void => {
    if (id >= 0 && reach[id] === 0) {
      reach[id] = 1
      work.push(id)
    }
  }
  if (gens.length > 0) mark(0)
  let dyn = false
  for (;;) {
    while (work.length > 0) {
      const g = gens[work.pop()!]!
      for (const s of g.succ) mark(s)
      if (g.dynamic) dyn = true
    }
    if (!dyn) break
    let added = false
    for (const g of gens) {
      if (reach[g.block.id] === 0 && code.jumpdests[g.block.start] === 1) {
        mark(g.block.id)
        added = true
      }
    }
    if (!added) break
  }
  const jd = new Int32Array(code.length).fill(-1)
  for (const g of gens) if (reach[g.block.id] === 1 && code.jumpdests[g.block.start] === 1) jd[g.block.start] = g.block.id
  // tier 2: loops of pure-compute blocks go to one WebAssembly region (the last region index)
  let wasm: { fn: RegionFn; blocks: readonly number[]; bytes: number; ms: number; counts: WasmCounts } | undefined
  let reachJs = reach
  if (opts.wasm !== false) {
    const edges = searchEdges(code, an, gens.map((g) => g.succ), gens.map((g) => g.dynamic), jd)
    const ids = selectBlocks(code, tables, an, edges, reach, opts.wasmAll === true)
    if (ids.length > 0) {
      const tw = performance.now()
      let w: ReturnType<typeof buildWasmRegion>
      try {
        w = buildWasmRegion(code, tables, an, ids, jd, gens.map((g) => g.succ), opts.wasmSink, opts.wasmAll === true)
      } catch (e) {
        throw new JitCompileError(`wasm tier: ${(e as Error).message}`)
      }
      // the wasm region function has tier 1's region signature; its frame parameter is the interpreter's Frame
      wasm = { fn: w.fn as unknown as RegionFn, blocks: w.blocks, bytes: w.bytes, ms: performance.now() - tw, counts: w.counts }
      reachJs = reach.slice()
      for (const id of ids) reachJs[id] = 0
    }
  }
  let regionBlocks = layout(gens, reachJs, regionChars)
  if (opts.hotEdges !== undefined) regionBlocks = mergeHot(regionBlocks, gens.length, opts.hotEdges, HOT_REGION_FACTOR * regionChars)
  const regionOf = new Int32Array(gens.length).fill(-1)
  regionBlocks.forEach((bs, r) => {
    for (const g of bs) regionOf[g.block.id] = r
  })
  if (wasm !== undefined) for (const id of wasm.blocks) regionOf[id] = regionBlocks.length
  const multi = regionBlocks.length + (wasm !== undefined ? 1 : 0) > 1
  const hot: HotProfile | undefined = opts.profile === true && multi ? { leaves: 0, edges: new Map(), done: false } : undefined
  const profile = hot !== undefined
  const record = (s: number, t: number): void => {
    if (hot === undefined || hot.done) return
    hot.leaves++
    const k = s * 65536 + t
    hot.edges.set(k, (hot.edges.get(k) ?? 0) + 1)
  }
  const fns: string[] = []
  regionBlocks.forEach((blocks, r) => {
    const uses = new Set<string>()
    for (const g of blocks) for (const u of g.uses) uses.add(u)
    const cases: string[] = []
    blocks.forEach((g, i) => {
      // with `profile`, every region exit records its edge for the relayout
      const leave = (target: string): string => `{ ${profile ? `hx(${g.block.id}, ${target}); ` : ''}f.sp = sp; f.gas = gas; return 8 + ${target} }`
      let body = g.body.replace(/\u0001J(\d+)\u0001/g, (_m, id: string) => {
        const tid = Number(id)
        return regionOf[tid] === r ? `{ blk = ${tid}; continue }` : leave(String(tid))
      })
      body = body.replace(/\u0001D\u0001/g, multi ? `if (rg[nb] !== ${r}) ${leave('nb')} blk = nb; continue` : `blk = nb; continue`)
      if (g.fallTo >= 0) {
        const next = blocks[i + 1]
        if (next === undefined || next.block.id !== g.fallTo) {
          body += '\n' + (regionOf[g.fallTo] === r ? `blk = ${g.fallTo}; continue` : leave(String(g.fallTo)))
        }
      }
      cases.push(`case ${g.block.id}: { // pc ${g.block.start}\n${body}\n}`)
    })
    const inv = [...uses].map((u) => `, ${u} = ${INVARIANTS[u]}`).join('')
    fns.push(
      `function r${r}(f, evm, blk) {\nconst st = f.stack, msg = f.msg, state = evm.state, acct = f.account${inv}\nlet sp = f.sp, gas = f.gas\nfor (;;) {\nswitch (blk) {\n${cases.join('\n')}\ndefault: throw new Error("jit: no block " + blk + " in region ${r}")\n}\n}\n}`,
    )
  })
  const source = `"use strict"\nconst {${RT_NAMES.join(', ')}} = rt\n${fns.join('\n')}\nreturn [${fns.map((_, i) => `r${i}`).join(', ')}]`
  let regions: RegionFn[]
  try {
    // the generated factory returns the region functions; their parameters are untyped JS by construction
    regions = new Function('rt', 'jd', 'rg', 'hx', source)(runtime satisfies Runtime, jd, regionOf, record) as RegionFn[]
    if (wasm !== undefined) regions.push(wasm.fn)
  } catch (e) {
    throw new JitCompileError(`generated code does not compile: ${(e as Error).message}`)
  }
  return {
    tables,
    blockAt: an.blockAt,
    regionOf,
    regions,
    source,
    blocksEmitted: regionBlocks.reduce((s, r) => s + r.length, 0),
    blocksTotal: gens.length,
    compileMs: performance.now() - t0,
    hot,
    wasm: wasm === undefined ? undefined : { blocks: wasm.blocks, bytes: wasm.bytes, ms: wasm.ms, counts: wasm.counts },
  }
}
