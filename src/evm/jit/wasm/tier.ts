/**
 * Tier 2 of the JIT: hot pure-compute loops compiled to WebAssembly over
 * 4×i64 limbs (issue 6; shared/research/evm-and-jit.md §3–4).
 *
 * Which blocks: every reachable basic block whose instructions are all
 * supported (PUSH/DUP/SWAP/POP, arithmetic, comparisons, bitwise ops and
 * shifts, MLOAD/MSTORE/MSTORE8, CALLDATALOAD/CALLDATASIZE/CALLDATACOPY,
 * JUMP/JUMPI/JUMPDEST, PC, GAS, MSIZE, CODESIZE) and that ends in a jump or falls through to another block, kept
 * only when it lies on a cycle of such blocks (a strongly connected
 * component over static edges): entering the tier costs a copy of the stack
 * and memory, which a loop pays back. The chosen blocks form one extra
 * "region" of `CompiledCode.regions` with tier 1's region signature, so the
 * trampoline in `jit.ts` moves between the two tiers at block starts.
 *
 * Inside the module, one function `run(blk, sp, gas, memLen)` is a
 * `loop { br_table over block ids }` state machine. The EVM stack lives in
 * the arena (`limbs.ts`) as words of 4 limbs; within a block every slot
 * address is a constant offset from the block's base. Each block checks
 * its stack bounds and charges its static gas at entry (from the shared
 * fork table and the analysis' sections, as tier 1). Every failure (out of
 * gas, stack bounds, memory beyond `MEM_CAP`, offsets beyond 32 bits,
 * invalid jump destinations) leaves the tier *before* the failing
 * instruction with the exact stack, gas and memory, and hands the frame to
 * the interpreter at that pc (returns `-1 - pc`), which then fails or
 * continues at the exact instruction. Exits to blocks outside the tier
 * return the block id. Memory expansion and its quadratic cost are computed
 * in wasm; the frame's memory is copied in at entry and back at exit when
 * it was written or grown.
 */
import type { AnalyzedCode } from '../../code.js'
import type { Frame } from '../../interpreter.js'
import { type ForkTables, G, MAX_STACK, OPCODES } from '../../opcodes.js'
import type { Analysis, Block } from '../analysis.js'
import { buildModule, Code, F64, I32, I64, Op } from './encoder.js'
import { sar } from '../runtime.js'
import { ARENA_PAGES, bigOp, BIG_OPS, CD_BASE, CD_CAP, CTRL, getArena, getWord, H, helperFuncs, MEM_BASE, MEM_CAP, putWord, SCR, STACK_BASE, T_BIG, wasmApi } from './limbs.js'

/** Whether opcode `op` runs in the wasm tier. */
export function wasmSupported(op: number): boolean {
  return (
    (op >= 0x01 && op <= 0x0b) ||
    (op >= 0x10 && op <= 0x1d) ||
    (op >= 0x50 && op <= 0x53) ||
    (op >= 0x56 && op <= 0x5b) ||
    (op >= 0x5f && op <= 0x9f) ||
    op === 0x38 ||
    (op >= 0x35 && op <= 0x37)
  )
}

/** Largest block count of one wasm region (bounds module size and compile time). */
export const MAX_WASM_BLOCKS = 4096

/** Binary ops with a wasm helper, by opcode. */
const HELPER2: Record<number, number> = {
  0x01: H.add,
  0x02: H.mul,
  0x03: H.sub,
  0x04: H.div,
  0x06: H.mod,
  0x10: H.lt,
  0x11: H.gt,
  0x12: H.slt,
  0x13: H.sgt,
  0x14: H.eq,
  0x16: H.and,
  0x17: H.or,
  0x18: H.xor,
  0x1a: H.byte,
  0x1b: H.shl,
  0x1c: H.shr,
  0x1d: H.sar,
}

/** Blocks the tier can run: supported ops only, no terminator but jumps, no fall off the code's end. */
function eligible(code: AnalyzedCode, tables: ForkTables, b: Block): boolean {
  if (b.term !== 'fall' && b.term !== 'jump' && b.term !== 'jumpi') return false
  // falling off the end of the code is a STOP, which ends the frame: tier 1's business
  if ((b.term === 'fall' || b.term === 'jumpi') && b.end >= code.length) return false
  if (b.sections.length !== 1) return false
  for (const pc of b.pcs) {
    const op = code.padded[pc]!
    if (tables.gas[op]! < 0 || !wasmSupported(op)) return false
    // ops computed by calling back into BigInt JavaScript are slower here than in tier 1
    if (BIG_OPS[op] !== undefined && op !== 0x04 && op !== 0x06) return false
  }
  return true
}

/**
 * How many stack slots below the entry sp the region may read when entered
 * at each block (-1: unknown, copy the whole stack). Heights relative to
 * one root per component follow static edges; a component whose heights
 * disagree is unknown. Only a performance hint: `run` checks every block's
 * reach against the slots actually copied in and leaves to the interpreter
 * when it would read below them.
 */
export function entryDepths(code: AnalyzedCode, an: Analysis, ids: readonly number[], succ: readonly (readonly number[])[]): Int32Array {
  const n = an.blocks.length
  const need = new Int32Array(n).fill(-1)
  const inW = new Uint8Array(n)
  for (const id of ids) inW[id] = 1
  const h = new Map<number, number>()
  const net = (b: Block): number => {
    let x = 0
    for (const pc of b.pcs) {
      const info = OPCODES[code.padded[pc]!]!
      x += info.outputs - info.inputs
    }
    return x
  }
  for (const root of ids) {
    if (h.has(root)) continue
    const comp: number[] = []
    let consistent = true
    h.set(root, 0)
    const work = [root]
    while (work.length > 0) {
      const v = work.pop()!
      comp.push(v)
      const out = h.get(v)! + net(an.blocks[v]!)
      for (const w of succ[v]!) {
        if (w < 0 || inW[w] === 0) continue
        const hw = h.get(w)
        if (hw === undefined) {
          h.set(w, out)
          work.push(w)
        } else if (hw !== out) consistent = false
      }
    }
    if (!consistent) continue
    let lowest = Infinity
    for (const v of comp) lowest = Math.min(lowest, h.get(v)! + an.blocks[v]!.sections[0]!.low)
    for (const v of comp) need[v] = h.get(v)! - lowest
  }
  return need
}

/**
 * Successors for the cycle search: static edges, plus, for blocks ending
 * in a jump to a computed target, every JUMPDEST block whose pc the code
 * pushes as a constant somewhere (return addresses of internal calls and
 * Huff macros: the loops closed through computed jumps).
 */
export function searchEdges(code: AnalyzedCode, an: Analysis, succ: readonly (readonly number[])[], dynamic: readonly boolean[], jd: Int32Array): number[][] {
  const pushed: number[] = []
  const seen = new Set<number>()
  for (const b of an.blocks) {
    for (const pc of b.pcs) {
      const op = code.padded[pc]!
      if (op < 0x60 || op > 0x7f) continue
      const v = code.pushValues[pc]!
      if (v < BigInt(jd.length) && jd[Number(v)]! >= 0 && !seen.has(Number(v))) {
        seen.add(Number(v))
        pushed.push(jd[Number(v)]!)
      }
    }
  }
  return an.blocks.map((b) => (dynamic[b.id] === true ? [...succ[b.id]!, ...pushed] : [...succ[b.id]!]))
}

/**
 * The blocks to compile to wasm: eligible, reachable blocks on a cycle of
 * eligible blocks (strongly connected components over `succ`, from
 * `searchEdges`, with more than one block or a self-loop). With `all`
 * (forced mode), every eligible reachable block.
 */
export function selectBlocks(code: AnalyzedCode, tables: ForkTables, an: Analysis, succ: readonly (readonly number[])[], reach: Uint8Array, all = false): number[] {
  const n = an.blocks.length
  const ok = new Uint8Array(n)
  for (const b of an.blocks) if (reach[b.id] === 1 && eligible(code, tables, b)) ok[b.id] = 1
  if (all) {
    // forced mode (conformance, fuzzing): every eligible block, loops or not
    const ids: number[] = []
    for (let id = 0; id < n && ids.length < MAX_WASM_BLOCKS; id++) if (ok[id] === 1) ids.push(id)
    return ids
  }
  // Tarjan's SCC, iterative
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const stk: number[] = []
  const out: number[] = []
  let idx = 0
  for (let root = 0; root < n; root++) {
    if (ok[root] === 0 || index[root] !== -1) continue
    const work: [number, number][] = [[root, 0]]
    index[root] = low[root] = idx++
    stk.push(root)
    onStack[root] = 1
    while (work.length > 0) {
      const top = work[work.length - 1]!
      const v = top[0]
      const ss = succ[v]!
      if (top[1] < ss.length) {
        const w = ss[top[1]++]!
        if (w < 0 || ok[w] === 0) continue
        if (index[w] === -1) {
          index[w] = low[w] = idx++
          stk.push(w)
          onStack[w] = 1
          work.push([w, 0])
        } else if (onStack[w] === 1) low[v] = Math.min(low[v]!, index[w]!)
        continue
      }
      work.pop()
      if (work.length > 0) {
        const p = work[work.length - 1]![0]
        low[p] = Math.min(low[p]!, low[v]!)
      }
      if (low[v] === index[v]) {
        const comp: number[] = []
        let w: number
        do {
          w = stk.pop()!
          onStack[w] = 0
          comp.push(w)
        } while (w !== v)
        if (comp.length > 1 || succ[v]!.includes(v)) out.push(...comp)
      }
    }
  }
  out.sort((x, y) => x - y)
  return out.length > MAX_WASM_BLOCKS ? out.slice(0, MAX_WASM_BLOCKS) : out
}

/** A limb: an i64 local's index (number) or a constant (bigint, 0 ≤ v < 2^64). */
type Limb = number | bigint
/** A stack item of a block's virtual stack: in a memory slot (`m`, byte offset from the block's base) and/or as limbs (`l`). */
interface VItem {
  m?: number
  l?: Limb[]
}

const M64 = 0xffffffffffffffffn
const MAX256 = (1n << 256n) - 1n

function constItem(v: bigint): VItem {
  return { l: [v & M64, (v >> 64n) & M64, (v >> 128n) & M64, v >> 192n] }
}

/** The item's value when all its limbs are constants. */
function constOf(it: VItem): bigint | undefined {
  const l = it.l
  if (l === undefined) return undefined
  let v = 0n
  for (let k = 3; k >= 0; k--) {
    const x = l[k]!
    if (typeof x !== 'bigint') return undefined
    v = (v << 64n) | x
  }
  return v
}

/** `k` when `v` is 2^k, else -1. */
function pow2Of(v: bigint): number {
  return v > 0n && (v & (v - 1n)) === 0n ? v.toString(2).length - 1 : -1
}

const toSigned = (x: bigint): bigint => (x >= 1n << 255n ? x - (1n << 256n) : x)

/** A binary op on constants (compile-time folding), with tier 1's semantics (`a` popped first). */
function foldBinary(op: number, a: bigint, b: bigint): bigint {
  switch (op) {
    case 0x01:
      return (a + b) & MAX256
    case 0x02:
      return (a * b) & MAX256
    case 0x03:
      return (a - b) & MAX256
    case 0x04:
      return b === 0n ? 0n : a / b
    case 0x06:
      return b === 0n ? 0n : a % b
    case 0x10:
      return a < b ? 1n : 0n
    case 0x11:
      return a > b ? 1n : 0n
    case 0x12:
      return toSigned(a) < toSigned(b) ? 1n : 0n
    case 0x13:
      return toSigned(a) > toSigned(b) ? 1n : 0n
    case 0x14:
      return a === b ? 1n : 0n
    case 0x16:
      return a & b
    case 0x17:
      return a | b
    case 0x18:
      return a ^ b
    case 0x1a:
      return a < 32n ? (b >> (248n - a * 8n)) & 0xffn : 0n
    case 0x1b:
      return a < 256n ? (b << a) & MAX256 : 0n
    case 0x1c:
      return a < 256n ? b >> a : 0n
    case 0x1d:
      return sar(a, b)
    default:
      throw new Error(`wasm tier: no folding for opcode 0x${op.toString(16)}`)
  }
}

/** Locals of `run`. */
const P_BLK = 0
const P_SP = 1
const P_GASF = 2
const P_ML = 3
/** Lowest stack address copied in from the frame: a block that would read below it leaves to the interpreter. */
const P_LOW = 4

/** Emits the `run` function. */
class RunGen {
  readonly c = new Code(5)
  readonly gas: number
  readonly bp: number
  readonly minsp: number
  /** Written (or zero-filled) memory range [wlo, whi), for the copy back. */
  readonly wlo: number
  readonly whi: number
  readonly o: number
  readonly t32: number
  readonly t64: number
  readonly cost: number
  /** Position of each block id in the wasm order (-1 when outside the tier). */
  readonly pos: Int32Array
  /** Label depth of `br` to the exit label from the current code point. */
  private depthX = 0
  usesDynamic = false

  constructor(
    private readonly code: AnalyzedCode,
    private readonly tables: ForkTables,
    private readonly an: Analysis,
    private readonly ids: readonly number[],
    private readonly jd: Int32Array,
  ) {
    this.gas = this.c.local(I64)
    this.bp = this.c.local(I32)
    this.minsp = this.c.local(I32)
    this.wlo = this.c.local(I32)
    this.whi = this.c.local(I32)
    this.o = this.c.local(I32)
    this.t32 = this.c.local(I32)
    this.t64 = this.c.local(I64)
    this.cost = this.c.local(I64)
    this.pos = new Int32Array(an.blocks.length).fill(-1)
    ids.forEach((id, j) => (this.pos[id] = j))
  }

  /** The whole function body. */
  generate(): Code {
    const c = this.c
    const n = this.ids.length
    c.get(P_GASF).op(Op.i64_trunc_f64_s).set(this.gas)
    c.get(P_SP).set(this.minsp)
    c.i32(MEM_CAP).set(this.wlo)
    c.loop() // L
    c.block() // X
    for (let j = 0; j < n; j++) c.block()
    const targets: number[] = []
    for (let id = 0; id < this.an.blocks.length; id++) targets.push(this.pos[id]! >= 0 ? this.pos[id]! : n)
    c.get(P_BLK).brTable(targets, n)
    for (let j = 0; j < n; j++) {
      c.end()
      this.depthX = n - 1 - j
      this.block(this.an.blocks[this.ids[j]!]!, j)
    }
    c.end() // X: state out
    c.i32(CTRL).get(this.gas).op(Op.f64_convert_i64_s).mem(Op.f64_store, 0)
    c.i32(CTRL).get(P_SP).mem(Op.i32_store, 8)
    c.i32(CTRL).get(P_ML).mem(Op.i32_store, 12)
    c.i32(CTRL).get(this.minsp).mem(Op.i32_store, 16)
    c.i32(CTRL).get(this.wlo).mem(Op.i32_store, 20)
    c.i32(CTRL).get(this.whi).mem(Op.i32_store, 24)
    c.get(P_BLK).op(Op.return)
    c.end() // L
    c.op(Op.unreachable)
    return c
  }

  /** `br` to the exit label with `blk` = the value on the stack. */
  private exitWith(): void {
    this.c.set(P_BLK).br(this.depthX)
  }

  /** Continue at block `id` (sp already set). */
  private goto(id: number): void {
    this.c.i32(id).set(P_BLK).br(this.pos[id]! >= 0 ? this.depthX + 1 : this.depthX)
  }

  /** Leave to the interpreter before the instruction at `pc`, with `refund` pre-charged gas given back and the stack `d` slots above the block entry. */
  private bail(pc: number, refund: number, spExpr: (() => void) | undefined): void {
    const c = this.c
    if (spExpr !== undefined) {
      spExpr()
      c.set(P_SP)
    }
    if (refund > 0) c.get(this.gas).i64(BigInt(refund)).op(Op.i64_add).set(this.gas)
    c.i32(-1 - pc)
    this.exitWith()
  }

  /** Open an `if` (one label deeper). */
  private openIf(): void {
    this.c.if()
    this.depthX++
  }

  private closeIf(): void {
    this.c.end()
    this.depthX--
  }

  // ---- the virtual stack of a block: items in memory slots, in i64 locals or constant limbs ----

  /** i64 locals handed out in the current block (reset per block: no item lives across blocks). */
  private readonly pool: number[] = []
  private used = 0

  private fresh(): number {
    if (this.used < this.pool.length) return this.pool[this.used++]!
    const l = this.c.local(I64)
    this.pool.push(l)
    this.used++
    return l
  }

  /** Push limb `k` of `it` on the wasm stack. */
  private limb(it: VItem, k: number): void {
    if (it.l !== undefined) {
      const x = it.l[k]!
      if (typeof x === 'bigint') this.c.i64(x)
      else this.c.get(x)
    } else this.c.get(this.bp).ld(it.m! + 8 * k)
  }

  /** The item's limbs as locals or constants (a memory item is loaded once; the item keeps both forms). */
  private limbs(it: VItem): Limb[] {
    if (it.l !== undefined) return it.l
    const l: Limb[] = []
    for (let k = 0; k < 4; k++) {
      const x = this.fresh()
      this.c.get(this.bp).ld(it.m! + 8 * k).set(x)
      l.push(x)
    }
    it.l = l
    return l
  }

  /** Push `(l[1] | l[2] | l[3]) != 0` as an i32: the word does not fit in 64 bits. */
  private highLimbsNonZero(l: Limb[]): void {
    this.pushL(l[1]!)
    this.pushL(l[2]!)
    this.c.op(Op.i64_or)
    this.pushL(l[3]!)
    this.c.op(Op.i64_or).i64(0n).op(Op.i64_ne)
  }

  private pushL(x: Limb): void {
    if (typeof x === 'bigint') this.c.i64(x)
    else this.c.get(x)
  }

  /** Bind the i64 on the wasm stack to a fresh local. */
  private bind(): number {
    const x = this.fresh()
    this.c.set(x)
    return x
  }

  /**
   * Write the virtual stack `vs` to its memory slots and set sp. Items
   * whose memory slot another item's store would overwrite are read first;
   * with `persist` (straight-line code only) they keep those limbs, so
   * that a later write-back of a longer stack (a bail of JUMP/JUMPI with
   * its operands) still has them. Without it the model is left alone, so
   * this can run inside a branch.
   */
  private flush(vs: readonly VItem[], persist = false): void {
    const c = this.c
    const src: (Limb[] | undefined)[] = vs.map((it, i) => {
      if (it.m === 32 * i) return undefined // already at home
      if (it.l !== undefined) return it.l
      const l: Limb[] = []
      for (let k = 0; k < 4; k++) {
        const x = this.fresh()
        c.get(this.bp).ld(it.m! + 8 * k).set(x)
        l.push(x)
      }
      if (persist) it.l = l
      return l
    })
    src.forEach((l, i) => {
      if (l === undefined) return
      for (let k = 0; k < 4; k++) {
        c.get(this.bp)
        this.pushL(l[k]!)
        c.st(32 * i + 8 * k)
      }
    })
    c.get(this.bp).i32(32 * vs.length).op(Op.i32_add).set(P_SP)
  }

  /** Leave to the interpreter before the instruction at `pc` with the stack `vs` (inside a branch). */
  private bailWith(vs: readonly VItem[], pc: number, refund: number): void {
    const mark = this.used
    this.flush(vs)
    this.used = mark
    this.bail(pc, refund, undefined)
  }

  private block(b: Block, j: number): void {
    const c = this.c
    const sec = b.sections[0]!
    const L = -sec.low
    const Hh = sec.high
    const start = b.start
    this.used = 0
    // underflow, or a read below the slots copied in: the interpreter runs the block
    c.get(P_SP).i32(32 * L).op(Op.i32_sub).tee(this.bp).get(P_LOW).op(Op.i32_lt_s)
    this.openIf()
    this.bail(start, 0, undefined)
    this.closeIf()
    if (Hh > 0) {
      c.get(P_SP).i32(STACK_BASE + 32 * (MAX_STACK - Hh)).op(Op.i32_gt_u)
      this.openIf()
      this.bail(start, 0, undefined)
      this.closeIf()
    }
    if (sec.gas > 0) {
      c.get(this.gas).i64(BigInt(sec.gas)).op(Op.i64_sub).set(this.gas)
      c.get(this.gas).i64(0n).op(Op.i64_lt_s)
      this.openIf()
      this.bail(start, sec.gas, undefined)
      this.closeIf()
    }
    c.get(this.bp).get(this.minsp).op(Op.i32_lt_u)
    c.if().get(this.bp).set(this.minsp).end()
    const vs: VItem[] = []
    for (let i = 0; i < L; i++) vs.push({ m: 32 * i })
    const bytes = this.code.padded
    const gasT = this.tables.gas
    let dead = false
    for (let i = 0; i < b.pcs.length && !dead; i++) {
      const pc = b.pcs[i]!
      const op = bytes[pc]!
      const refund = gasT[op]! + b.after[i]!
      if (op >= 0x60 && op <= 0x7f) {
        vs.push(constItem(this.code.pushValues[pc]!))
        continue
      }
      if (op >= 0x80 && op <= 0x8f) {
        vs.push(vs[vs.length - (op - 0x7f)]!)
        continue
      }
      if (op >= 0x90 && op <= 0x9f) {
        const t = vs.length - 1
        const o = t - (op - 0x8f)
        const x = vs[t]!
        vs[t] = vs[o]!
        vs[o] = x
        continue
      }
      switch (op) {
        case 0x50:
          vs.pop()
          continue
        case 0x5b:
          continue
        case 0x5f:
          vs.push(constItem(0n))
          continue
        case 0x58:
          vs.push(constItem(BigInt(pc)))
          continue
        case 0x38:
          vs.push(constItem(BigInt(this.code.length)))
          continue
        case 0x59:
          c.get(P_ML).op(Op.i64_extend_i32_u)
          vs.push({ l: [this.bind(), 0n, 0n, 0n] })
          continue
        case 0x5a:
          // GAS: the counter was charged for the whole block; add back what follows this instruction
          c.get(this.gas).i64(BigInt(b.after[i]!)).op(Op.i64_add)
          vs.push({ l: [this.bind(), 0n, 0n, 0n] })
          continue
        case 0x15:
        case 0x19: {
          const a = vs.pop()!
          vs.push(op === 0x15 ? this.iszero(a) : this.bitwise(Op.i64_xor, a, constItem(MAX256)))
          continue
        }
        case 0x36:
          c.i32(0).mem(Op.i32_load, CTRL + 28).op(Op.i64_extend_i32_u)
          vs.push({ l: [this.bind(), 0n, 0n, 0n] })
          continue
        case 0x35:
          vs.push(this.calldataload(vs.pop()!))
          continue
        case 0x37:
          if (!this.calldatacopy(vs, pc, refund)) dead = true
          continue
        case 0x51:
        case 0x52:
        case 0x53: {
          const size = op === 0x53 ? 1 : 32
          if (!this.offsetAndExpand(vs, size, pc, refund)) {
            dead = true
            continue
          }
          vs.pop()
          if (op === 0x51) {
            const r: Limb[] = []
            for (let k = 0; k < 4; k++) {
              c.get(this.o).mem(Op.i64_load, MEM_BASE + 24 - 8 * k)
              this.bswap()
              r.push(this.bind())
            }
            vs.push({ l: r })
          } else if (op === 0x52) {
            const v = vs.pop()!
            for (let k = 0; k < 4; k++) {
              c.get(this.o)
              this.limb(v, k)
              this.bswap()
              c.mem(Op.i64_store, MEM_BASE + 24 - 8 * k)
            }
            this.written(32)
          } else {
            const v = vs.pop()!
            c.get(this.o)
            this.limb(v, 0)
            c.op(Op.i32_wrap_i64).mem(Op.i32_store8, MEM_BASE)
            this.written(1)
          }
          continue
        }
        case 0x56:
        case 0x57: {
          const before = vs.slice()
          const t = vs.pop()!
          const cond = op === 0x57 ? vs.pop()! : undefined
          const tv = constOf(t)
          const cv = cond !== undefined ? constOf(cond) : 1n
          if (cv === 0n) continue // never taken
          // the condition is computed before the stack is written back
          let cnd: number | undefined
          if (cv === undefined) {
            for (let k = 0; k < 4; k++) {
              this.limb(cond!, k)
              if (k > 0) c.op(Op.i64_or)
            }
            c.i64(0n).op(Op.i64_ne).set(this.t32)
            cnd = this.t32
          }
          // a computed target and the condition are read before the write-back too (a bail writes them back)
          if (tv === undefined) this.limbs(t)
          if (cond !== undefined) this.limbs(cond)
          this.flush(vs, true)
          if (cnd !== undefined) {
            c.get(cnd)
            this.openIf()
          }
          this.jump(t, tv, pc, refund, before)
          if (cnd !== undefined) this.closeIf()
          else dead = true
          continue
        }
      }
      const bin = op >= 0x01 && op <= 0x1d && op !== 0x15 && op !== 0x19
      if (!bin) throw new Error(`wasm tier: no generator for opcode 0x${op.toString(16)}`)
      const a = vs.pop()!
      const bb = vs.pop()!
      vs.push(this.binary(op, a, bb))
    }
    if (!dead) {
      this.flush(vs, true)
      const next = b.end < this.code.length ? this.an.blockAt[b.end]! : -1
      if (next < 0) throw new Error(`wasm tier: block at pc ${b.start} falls through to no block`)
      if (this.pos[next] !== j + 1) this.goto(next)
    }
  }

  /** Byte swap of the i64 on the wasm stack (EVM memory is big-endian). */
  private bswap(): void {
    const c = this.c
    const x = this.t64
    c.set(x)
    c.get(x).i64(0x00ff00ff00ff00ffn).op(Op.i64_and).i64(8n).op(Op.i64_shl)
    c.get(x).i64(8n).op(Op.i64_shr_u).i64(0x00ff00ff00ff00ffn).op(Op.i64_and, Op.i64_or).set(x)
    c.get(x).i64(0x0000ffff0000ffffn).op(Op.i64_and).i64(16n).op(Op.i64_shl)
    c.get(x).i64(16n).op(Op.i64_shr_u).i64(0x0000ffff0000ffffn).op(Op.i64_and, Op.i64_or)
    c.i64(32n).op(Op.i64_rotl)
  }

  private iszero(a: VItem): VItem {
    const v = constOf(a)
    if (v !== undefined) return constItem(v === 0n ? 1n : 0n)
    for (let k = 0; k < 4; k++) {
      this.limb(a, k)
      if (k > 0) this.c.op(Op.i64_or)
    }
    this.c.op(Op.i64_eqz, Op.i64_extend_i32_u)
    return { l: [this.bind(), 0n, 0n, 0n] }
  }

  /** AND/OR/XOR limb by limb, constant limbs folded. */
  private bitwise(op: number, a: VItem, b: VItem): VItem {
    const la = this.limbs(a)
    const lb = this.limbs(b)
    const r: Limb[] = []
    for (let k = 0; k < 4; k++) {
      const x = la[k]!
      const y = lb[k]!
      if (typeof x === 'bigint' && typeof y === 'bigint') {
        r.push(op === Op.i64_and ? x & y : op === Op.i64_or ? x | y : x ^ y)
        continue
      }
      const cx = typeof x === 'bigint' ? x : typeof y === 'bigint' ? y : undefined
      const other = typeof x === 'bigint' ? y : x
      if (cx === 0n) {
        r.push(op === Op.i64_and ? 0n : other)
        continue
      }
      if (cx === M64 && op === Op.i64_and) {
        r.push(other)
        continue
      }
      this.pushL(x)
      this.pushL(y)
      this.c.op(op)
      r.push(this.bind())
    }
    return { l: r }
  }

  /** A binary op (`a` popped first). */
  private binary(op: number, a: VItem, b: VItem): VItem {
    const c = this.c
    const ca = constOf(a)
    const cb = constOf(b)
    if (ca !== undefined && cb !== undefined) return constItem(foldBinary(op, ca, cb))
    switch (op) {
      case 0x16:
        return this.bitwise(Op.i64_and, a, b)
      case 0x17:
        return this.bitwise(Op.i64_or, a, b)
      case 0x18:
        return this.bitwise(Op.i64_xor, a, b)
      case 0x01:
      case 0x03: {
        const la = this.limbs(a)
        const lb = this.limbs(b)
        const add = op === 0x01
        const r: Limb[] = []
        const cr = this.fresh()
        const t = this.fresh()
        for (let k = 0; k < 4; k++) {
          if (k === 0) {
            this.pushL(la[0]!)
            this.pushL(lb[0]!)
            c.op(add ? Op.i64_add : Op.i64_sub)
            const r0 = this.bind()
            r.push(r0)
            if (add) c.get(r0)
            else this.pushL(la[0]!)
            if (add) this.pushL(la[0]!)
            else this.pushL(lb[0]!)
            c.op(Op.i64_lt_u, Op.i64_extend_i32_u).set(cr)
            continue
          }
          this.pushL(la[k]!)
          this.pushL(lb[k]!)
          c.op(add ? Op.i64_add : Op.i64_sub).set(t)
          c.get(t).get(cr).op(add ? Op.i64_add : Op.i64_sub)
          const rk = this.bind()
          r.push(rk)
          if (k < 3) {
            if (add) {
              // carry = (t < a_k) | (r_k < t)
              c.get(t)
              this.pushL(la[k]!)
              c.op(Op.i64_lt_u).get(rk).get(t).op(Op.i64_lt_u, Op.i32_or, Op.i64_extend_i32_u).set(cr)
            } else {
              // borrow = (a_k < b_k) | (t < borrow)
              this.pushL(la[k]!)
              this.pushL(lb[k]!)
              c.op(Op.i64_lt_u).get(t).get(cr).op(Op.i64_lt_u, Op.i32_or, Op.i64_extend_i32_u).set(cr)
            }
          }
        }
        return { l: r }
      }
      case 0x10:
      case 0x11:
      case 0x12:
      case 0x13: {
        // x < y with x = a for LT/SLT, x = b for GT/SGT
        const [x, y] = op === 0x10 || op === 0x12 ? [a, b] : [b, a]
        const lx = this.limbs(x)
        const ly = this.limbs(y)
        const signed = op === 0x12 || op === 0x13
        this.pushL(lx[0]!)
        this.pushL(ly[0]!)
        c.op(Op.i64_lt_u).set(this.t32)
        for (let k = 1; k < 4; k++) {
          this.pushL(lx[k]!)
          this.pushL(ly[k]!)
          c.op(k === 3 && signed ? Op.i64_lt_s : Op.i64_lt_u)
          this.pushL(lx[k]!)
          this.pushL(ly[k]!)
          c.op(Op.i64_eq).get(this.t32).op(Op.i32_and, Op.i32_or).set(this.t32)
        }
        c.get(this.t32).op(Op.i64_extend_i32_u)
        return { l: [this.bind(), 0n, 0n, 0n] }
      }
      case 0x14: {
        for (let k = 0; k < 4; k++) {
          this.limb(a, k)
          this.limb(b, k)
          c.op(Op.i64_eq)
          if (k > 0) c.op(Op.i32_and)
        }
        c.op(Op.i64_extend_i32_u)
        return { l: [this.bind(), 0n, 0n, 0n] }
      }
      case 0x1b:
      case 0x1c:
      case 0x1d:
        if (ca !== undefined) return this.shiftConst(op, ca, b)
        break
      case 0x1a:
        if (ca !== undefined) {
          if (ca >= 32n) return constItem(0n)
          const i = Number(ca)
          this.limb(b, 3 - (i >> 3))
          c.i64(BigInt((7 - (i & 7)) * 8)).op(Op.i64_shr_u).i64(0xffn).op(Op.i64_and)
          return { l: [this.bind(), 0n, 0n, 0n] }
        }
        break
      case 0x02: {
        const ka = ca !== undefined ? pow2Of(ca) : -1
        const kb = cb !== undefined ? pow2Of(cb) : -1
        if (ka >= 0) return this.shiftConst(0x1b, BigInt(ka), b)
        if (kb >= 0) return this.shiftConst(0x1b, BigInt(kb), a)
        break
      }
      case 0x04: {
        const kb = cb !== undefined ? pow2Of(cb) : -1
        if (kb >= 0) return this.shiftConst(0x1c, BigInt(kb), a)
        break
      }
      case 0x06: {
        const kb = cb !== undefined ? pow2Of(cb) : -1
        if (kb >= 0) return this.bitwise(Op.i64_and, a, constItem(cb! - 1n))
        break
      }
    }
    // the helper, on operands copied to the scratch words
    const fn = HELPER2[op]!
    for (let k = 0; k < 4; k++) {
      c.i32(0)
      this.limb(a, k)
      c.st(SCR + 32 + 8 * k)
    }
    for (let k = 0; k < 4; k++) {
      c.i32(0)
      this.limb(b, k)
      c.st(SCR + 8 * k)
    }
    c.i32(SCR).call(fn)
    const r: Limb[] = []
    for (let k = 0; k < 4; k++) {
      c.i32(0).ld(SCR + 8 * k)
      r.push(this.bind())
    }
    return { l: r }
  }

  /** SHL (0x1b), SHR (0x1c), SAR (0x1d) of `v` by the constant `s`: limbs picked at compile time. */
  private shiftConst(op: number, s: bigint, v: VItem): VItem {
    const c = this.c
    const lv = this.limbs(v)
    let fill: Limb = 0n
    if (op === 0x1d) {
      const top = lv[3]!
      if (typeof top === 'bigint') fill = top >= 1n << 63n ? M64 : 0n
      else {
        c.get(top).i64(63n).op(Op.i64_shr_s)
        fill = this.bind()
      }
    }
    if (s >= 256n) return { l: [fill, fill, fill, fill] }
    const ws = Number(s >> 6n)
    const bs = Number(s & 63n)
    const src = (i: number): Limb => (i >= 0 && i < 4 ? lv[i]! : op === 0x1b ? 0n : i >= 4 ? fill : 0n)
    const r: Limb[] = []
    for (let k = 0; k < 4; k++) {
      const [x, y] = op === 0x1b ? [src(k - ws), src(k - ws - 1)] : [src(k + ws), src(k + ws + 1)]
      // r = x shifted by bs, with y's bits shifted in (none when bs = 0)
      if (bs === 0) {
        r.push(x)
        continue
      }
      if (typeof x === 'bigint' && typeof y === 'bigint') {
        r.push(op === 0x1b ? ((x << BigInt(bs)) | (y >> BigInt(64 - bs))) & M64 : ((x >> BigInt(bs)) | (y << BigInt(64 - bs))) & M64)
        continue
      }
      this.pushL(x)
      c.i64(BigInt(bs)).op(op === 0x1b ? Op.i64_shl : Op.i64_shr_u)
      this.pushL(y)
      c.i64(BigInt(64 - bs)).op(op === 0x1b ? Op.i64_shr_u : Op.i64_shl, Op.i64_or)
      r.push(this.bind())
    }
    return { l: r }
  }

  /**
   * Offset check and memory expansion for `[off, off + size)` with the
   * offset on top of `vs`: leaves `o` = the offset. Offsets of 32 bits or
   * more, an end beyond `MEM_CAP` and running out of gas for the expansion
   * leave to the interpreter before the instruction. False when the
   * offset is a constant that always fails (the rest of the block is dead).
   */
  private offsetAndExpand(vs: VItem[], size: number, pc: number, refund: number): boolean {
    const c = this.c
    const it = vs[vs.length - 1]!
    const cv = constOf(it)
    if (cv !== undefined) {
      if (cv > BigInt(MEM_CAP - size)) {
        this.bailWith(vs, pc, refund)
        return false
      }
      c.i32(Number(cv)).set(this.o)
    } else {
      const l = this.limbs(it)
      this.highLimbsNonZero(l)
      this.pushL(l[0]!)
      c.i64(BigInt(MEM_CAP - size)).op(Op.i64_gt_u, Op.i32_or)
      this.openIf()
      this.bailWith(vs, pc, refund)
      this.closeIf()
      this.pushL(l[0]!)
      c.op(Op.i32_wrap_i64).set(this.o)
    }
    // end = o + size > memLen: expand
    c.get(this.o).i32(size).op(Op.i32_add).get(P_ML).op(Op.i32_gt_u)
    this.openIf()
    // cost = mcost(words(end)) - mcost(memLen / 32)
    c.get(this.o).i32(size + 31).op(Op.i32_add).i32(5).op(Op.i32_shr_u).op(Op.i64_extend_i32_u).call(H.mcost)
    c.get(P_ML).i32(5).op(Op.i32_shr_u).op(Op.i64_extend_i32_u).call(H.mcost).op(Op.i64_sub).set(this.cost)
    c.get(this.gas).get(this.cost).op(Op.i64_sub).set(this.gas)
    c.get(this.gas).i64(0n).op(Op.i64_lt_s)
    this.openIf()
    c.get(this.gas).get(this.cost).op(Op.i64_add).set(this.gas)
    this.bailWith(vs, pc, refund)
    this.closeIf()
    // zero the new words: memory.fill(MEM_BASE + memLen, 0, newLen - memLen); they are copied back too
    c.get(P_ML).i32(MEM_BASE).op(Op.i32_add).i32(0)
    c.get(this.o).i32(size + 31).op(Op.i32_add).i32(-32).op(Op.i32_and).get(P_ML).op(Op.i32_sub).fill()
    c.get(P_ML).get(this.wlo).op(Op.i32_lt_u).if().get(P_ML).set(this.wlo).end()
    c.get(this.o).i32(size + 31).op(Op.i32_add).i32(-32).op(Op.i32_and).tee(P_ML).set(this.whi)
    this.closeIf()
    return true
  }

  /** CALLDATALOAD: 32 bytes at the offset, zeros beyond the calldata (32 zero bytes follow its copy). */
  private calldataload(it: VItem): VItem {
    const c = this.c
    const l = this.limbs(it)
    const inr = this.t32
    // in range: a 32-bit offset below the calldata size
    this.pushL(l[1]!)
    this.pushL(l[2]!)
    c.op(Op.i64_or)
    this.pushL(l[3]!)
    c.op(Op.i64_or, Op.i64_eqz)
    this.pushL(l[0]!)
    c.i32(0).mem(Op.i32_load, CTRL + 28).op(Op.i64_extend_i32_u, Op.i64_lt_u, Op.i32_and).set(inr)
    this.pushL(l[0]!)
    c.op(Op.i32_wrap_i64).i32(0).get(inr).op(Op.select).set(this.o)
    const r: Limb[] = []
    for (let k = 0; k < 4; k++) {
      c.get(this.o).mem(Op.i64_load, CD_BASE + 24 - 8 * k)
      this.bswap()
      c.i64(0n).get(inr).op(Op.select)
      r.push(this.bind())
    }
    return { l: r }
  }

  /**
   * CALLDATACOPY (dest, offset, size on top of `vs`): the copy gas and the
   * memory expansion are checked together before anything changes (any
   * failure, and sizes or ends beyond the mirror, leave to the interpreter
   * before the instruction); bytes beyond the calldata are zeros. False
   * when it always leaves (the rest of the block is dead).
   */
  private calldatacopy(vs: VItem[], pc: number, refund: number): boolean {
    const c = this.c
    const n = vs.length
    const dst = vs[n - 1]!
    const src = vs[n - 2]!
    const len = vs[n - 3]!
    const ld = this.limbs(dst)
    const ls = this.limbs(src)
    const ll = this.limbs(len)
    const cl = constOf(len)
    if (cl === 0n) {
      vs.length = n - 3
      return true
    }
    if (cl !== undefined && cl > BigInt(MEM_CAP)) {
      this.bailWith(vs, pc, refund)
      return false
    }
    const size = this.fresh()
    const end = this.fresh()
    const s32 = this.fresh()
    // size and dest within 32 bits and dest + size within the mirror (else the interpreter)
    this.pushL(ll[1]!)
    this.pushL(ll[2]!)
    c.op(Op.i64_or)
    this.pushL(ll[3]!)
    c.op(Op.i64_or)
    this.pushL(ld[1]!)
    c.op(Op.i64_or)
    this.pushL(ld[2]!)
    c.op(Op.i64_or)
    this.pushL(ld[3]!)
    c.op(Op.i64_or).i64(0n).op(Op.i64_ne)
    this.pushL(ll[0]!)
    c.i64(BigInt(MEM_CAP)).op(Op.i64_gt_u, Op.i32_or)
    this.pushL(ld[0]!)
    c.i64(BigInt(MEM_CAP)).op(Op.i64_gt_u, Op.i32_or)
    this.openIf()
    this.bailWith(vs, pc, refund)
    this.closeIf()
    this.pushL(ll[0]!)
    c.set(size)
    c.get(size).i64(0n).op(Op.i64_ne)
    c.if() // size 0: nothing at all (no expansion, whatever the offsets)
    this.depthX++
    this.pushL(ld[0]!)
    c.get(size).op(Op.i64_add).tee(end).i64(BigInt(MEM_CAP)).op(Op.i64_gt_u)
    this.openIf()
    this.bailWith(vs, pc, refund)
    this.closeIf()
    // cost = 3 · words(size) + expansion
    c.get(size).i64(31n).op(Op.i64_add).i64(5n).op(Op.i64_shr_u).i64(BigInt(G.COPY_WORD)).op(Op.i64_mul).set(this.cost)
    c.get(end).get(P_ML).op(Op.i64_extend_i32_u).op(Op.i64_gt_u)
    c.if()
    c.get(this.cost).get(end).i64(31n).op(Op.i64_add).i64(5n).op(Op.i64_shr_u).call(H.mcost).op(Op.i64_add)
    c.get(P_ML).i32(5).op(Op.i32_shr_u).op(Op.i64_extend_i32_u).call(H.mcost).op(Op.i64_sub).set(this.cost)
    c.end()
    c.get(this.gas).get(this.cost).op(Op.i64_lt_s)
    this.openIf()
    this.bailWith(vs, pc, refund)
    this.closeIf()
    c.get(this.gas).get(this.cost).op(Op.i64_sub).set(this.gas)
    // expand (zero-fill the new words)
    c.get(end).get(P_ML).op(Op.i64_extend_i32_u).op(Op.i64_gt_u)
    c.if()
    c.get(P_ML).i32(MEM_BASE).op(Op.i32_add).i32(0)
    c.get(end).i64(31n).op(Op.i64_add).op(Op.i32_wrap_i64).i32(-32).op(Op.i32_and).get(P_ML).op(Op.i32_sub).fill()
    c.get(P_ML).get(this.wlo).op(Op.i32_lt_u).if().get(P_ML).set(this.wlo).end()
    c.get(end).i64(31n).op(Op.i64_add).op(Op.i32_wrap_i64).i32(-32).op(Op.i32_and).tee(P_ML).set(this.whi)
    c.end()
    // source clamped to the calldata size; available = min(size, cdsize - src)
    this.highLimbsNonZero(ls)
    this.pushL(ls[0]!)
    c.i32(0).mem(Op.i32_load, CTRL + 28).op(Op.i64_extend_i32_u, Op.i64_gt_u, Op.i32_or)
    c.if(I64).i32(0).mem(Op.i32_load, CTRL + 28).op(Op.i64_extend_i32_u).else()
    this.pushL(ls[0]!)
    c.end().set(s32)
    // avail = min(size, cds - src) into s32's partner: reuse `end` for avail
    c.i32(0).mem(Op.i32_load, CTRL + 28).op(Op.i64_extend_i32_u).get(s32).op(Op.i64_sub).set(end)
    c.get(end).get(size).get(end).get(size).op(Op.i64_lt_u, Op.select).set(end)
    this.pushL(ld[0]!)
    c.op(Op.i32_wrap_i64).set(this.o)
    // memory.copy(MEM_BASE + dst, CD_BASE + src, avail); memory.fill(MEM_BASE + dst + avail, 0, size - avail)
    c.get(this.o).i32(MEM_BASE).op(Op.i32_add).get(s32).op(Op.i32_wrap_i64).i32(CD_BASE).op(Op.i32_add).get(end).op(Op.i32_wrap_i64).copy()
    c.get(this.o).i32(MEM_BASE).op(Op.i32_add).get(end).op(Op.i32_wrap_i64, Op.i32_add).i32(0).get(size).get(end).op(Op.i64_sub, Op.i32_wrap_i64).fill()
    c.get(size).op(Op.i32_wrap_i64).set(this.t32)
    this.writtenRange()
    c.end()
    this.depthX--
    vs.length = n - 3
    return true
  }

  /** Widen the written range by `t32` bytes at `o`. */
  private writtenRange(): void {
    const c = this.c
    c.get(this.o).get(this.wlo).op(Op.i32_lt_u).if().get(this.o).set(this.wlo).end()
    c.get(this.o).get(this.t32).op(Op.i32_add).tee(this.t32).get(this.whi).op(Op.i32_gt_u).if().get(this.t32).set(this.whi).end()
  }

  /** Widen the written range by the `size` bytes at `o`. */
  private written(size: number): void {
    const c = this.c
    c.get(this.o).get(this.wlo).op(Op.i32_lt_u).if().get(this.o).set(this.wlo).end()
    c.get(this.o).i32(size).op(Op.i32_add).tee(this.t32).get(this.whi).op(Op.i32_gt_u).if().get(this.t32).set(this.whi).end()
  }

  /**
   * JUMP/JUMPI to the item `t` (constant `tv` or computed), after the
   * stack was written back; `before` is the stack before the instruction,
   * for a bail on an invalid destination.
   */
  private jump(t: VItem, tv: bigint | undefined, pc: number, refund: number, before: readonly VItem[]): void {
    const c = this.c
    if (tv !== undefined) {
      if (tv >= BigInt(this.code.length) || this.code.jumpdests[Number(tv)] !== 1 || this.jd[Number(tv)]! < 0) {
        this.bailWith(before, pc, refund)
        return
      }
      this.goto(this.jd[Number(tv)]!)
      return
    }
    this.usesDynamic = true
    const l = t.l!
    // wide or out-of-code targets: invalid
    this.highLimbsNonZero(l)
    this.pushL(l[0]!)
    c.i64(BigInt(this.code.length)).op(Op.i64_ge_u, Op.i32_or)
    this.openIf()
    this.bailWith(before, pc, refund)
    this.closeIf()
    this.pushL(l[0]!)
    c.op(Op.i32_wrap_i64).call(FN_PC2BLK).set(this.o)
    c.get(this.o).i32(0).op(Op.i32_lt_s)
    this.openIf()
    this.bailWith(before, pc, refund)
    this.closeIf()
    // dispatch: blocks outside the tier go through the br_table to the exit
    c.get(this.o).set(P_BLK).br(this.depthX + 1)
  }
}

/** Index of the generated `pc2blk` function (after the import and the helpers). */
const FN_PC2BLK = 23
/** Index of `run`. */
const FN_RUN = 24

/** `pc2blk(pc) -> block id of a reachable JUMPDEST at pc, else -1` as a br_table over the code's pcs. */
function genPc2blk(jd: Int32Array): Code {
  const c = new Code(1)
  const dests: number[] = []
  for (let pc = 0; pc < jd.length; pc++) if (jd[pc]! >= 0) dests.push(pc)
  // blocks: one per destination (innermost = first), then the default
  c.block() // default
  for (let k = 0; k < dests.length; k++) c.block()
  const targets: number[] = []
  const at = new Map<number, number>()
  dests.forEach((pc, k) => at.set(pc, k))
  for (let pc = 0; pc < jd.length; pc++) targets.push(at.get(pc) ?? dests.length)
  c.get(0).brTable(targets, dests.length)
  for (let k = 0; k < dests.length; k++) {
    c.end()
    c.i32(jd[dests[k]!]!).op(Op.return)
  }
  c.end()
  c.i32(-1)
  return c
}

/** A region function with tier 1's signature (`RegionFn`). */
export type WasmRegionFn = (f: Frame, evm: unknown, blk: number) => number

/** Run-time counters of one wasm region. */
export interface WasmCounts {
  /** Entries into the region. */
  entries: number
  /** Gas used inside the region, over all entries. */
  gas: number
  /** Exits to the interpreter before an instruction (out of gas, bounds, memory cap, invalid jump). */
  bails: number
  /** The region proved unprofitable (too little gas run per entry to pay for the copies): the code is recompiled without it. */
  drop?: boolean
}

/** Window of entries (a power of two) over which a region's gas per entry is judged. */
export const WASM_PROBE_ENTRIES = 64
/** Least average gas per entry for a region to stay: below it, copying the stack and memory in and out costs more than wasm saves. */
export const WASM_MIN_GAS_PER_ENTRY = 1000

/** The wasm tier of one code: its region function and figures. */
export interface WasmRegion {
  readonly fn: WasmRegionFn
  readonly counts: WasmCounts
  /** Block ids in the region. */
  readonly blocks: readonly number[]
  /** Module size in bytes. */
  readonly bytes: number
}

/**
 * Build the wasm region for `ids` (from `selectBlocks`); `jd` maps pc →
 * block for reachable JUMPDESTs (tier 1's dispatch table); `sink`, when
 * given, also receives the region's counts (a `Jit`'s totals); `all`
 * (forced mode) never marks the region unprofitable.
 */
export function buildWasmRegion(code: AnalyzedCode, tables: ForkTables, an: Analysis, ids: readonly number[], jd: Int32Array, succ: readonly (readonly number[])[], sink?: WasmCounts, all = false): WasmRegion {
  const need = entryDepths(code, an, ids, succ)
  let usesMem = false
  let usesCd = false
  for (const id of ids) {
    for (const pc of an.blocks[id]!.pcs) {
      const op = code.padded[pc]!
      if ((op >= 0x51 && op <= 0x53) || op === 0x37) usesMem = true
      if (op >= 0x35 && op <= 0x37) usesCd = true
    }
  }
  const gen = new RunGen(code, tables, an, ids, jd)
  const run = gen.generate()
  const helpers = helperFuncs()
  if (1 + helpers.length !== FN_PC2BLK) throw new Error('wasm tier: helper table and function indices disagree')
  const funcs = [...helpers, { type: 4, code: genPc2blk(gen.usesDynamic ? jd : new Int32Array(0)) }, { type: 5, code: run }]
  const bytes = buildModule({
    types: [
      { params: [I32], results: [] }, // T_Q = 0
      { params: [I32, I32], results: [] }, // T_BIG = 1
      { params: [I64], results: [I64] }, // T_I64 = 2
      { params: [I32], results: [I64] }, // T_QI64 = 3
      { params: [I32], results: [I32] }, // pc2blk
      { params: [I32, I32, F64, I32, I32], results: [I32] }, // run
    ],
    importFuncs: [{ module: 'env', name: 'big', type: T_BIG }],
    memory: { module: 'env', name: 'mem', minPages: ARENA_PAGES },
    funcs,
    exports: { run: FN_RUN },
  })
  const arena = getArena()
  const mod = new wasmApi.Module(bytes)
  const inst = new wasmApi.Instance(mod, { env: { big: bigOp, mem: arena.memory } })
  // the export's shape is fixed by the type section above
  const runFn = inst.exports['run'] as (blk: number, sp: number, gas: number, memLen: number, low: number) => number
  const { u8, u64, i32, f64 } = arena
  const startPc = an.blocks.map((b) => b.start)
  const counts: WasmCounts = { entries: 0, gas: 0, bails: 0 }
  const low = an.blocks.map((b) => -b.sections[0]!.low)
  const inRegion = new Uint8Array(an.blocks.length)
  for (const id of ids) inRegion[id] = 1
  let windowGas = 0
  const fn: WasmRegionFn = (f, _evm, blk) => enter(f, blk, false)
  const enter = (f: Frame, blk: number, full: boolean): number => {
    const n = f.sp
    const memLen = f.memLen
    if (f.bank !== 0n || memLen > MEM_CAP || (usesCd && f.calldata.length > CD_CAP)) {
      f.pc = startPc[blk]!
      return -1
    }
    if (usesCd) {
      const cd = f.calldata
      u8.set(cd, CD_BASE)
      u8.fill(0, CD_BASE + cd.length, CD_BASE + cd.length + 32)
      i32[(CTRL + 28) >> 2] = cd.length
    }
    const st = f.stack
    const nd = full ? -1 : need[blk]!
    const from = nd < 0 || nd >= n ? 0 : n - nd
    for (let i = from; i < n; i++) putWord(u64, STACK_BASE + 32 * i, st[i]!)
    if (usesMem && memLen > 0) u8.set(f.mem.subarray(0, memLen), MEM_BASE)
    const g0 = f.gas
    const r = runFn(blk, STACK_BASE + 32 * n, g0, memLen, STACK_BASE + 32 * from)
    f.gas = f64[CTRL >> 3]!
    counts.entries++
    counts.gas += g0 - f.gas
    if (sink !== undefined) {
      sink.entries++
      sink.gas += g0 - f.gas
    }
    const spOut = (i32[(CTRL + 8) >> 2]! - STACK_BASE) >> 5
    const minSlot = (i32[(CTRL + 16) >> 2]! - STACK_BASE) >> 5
    for (let i = minSlot; i < spOut; i++) st[i] = getWord(u64, STACK_BASE + 32 * i)
    f.sp = spOut
    const wlo = i32[(CTRL + 20) >> 2]!
    const whi = i32[(CTRL + 24) >> 2]!
    if (whi > wlo) {
      const ml = i32[(CTRL + 12) >> 2]!
      if (ml > f.mem.length) {
        let cap = f.mem.length * 2
        if (cap < ml) cap = ml
        const m = new Uint8Array(cap)
        m.set(f.mem.subarray(0, memLen))
        f.mem = m
        f.view = new DataView(m.buffer)
      }
      f.mem.set(u8.subarray(MEM_BASE + wlo, MEM_BASE + whi), wlo)
      f.memLen = ml
    }
    if (r >= 0) {
      // judged per window of WASM_PROBE_ENTRIES entries (a power of two)
      if (!all && (counts.entries & (WASM_PROBE_ENTRIES - 1)) === 0) {
        if (counts.gas - windowGas < WASM_PROBE_ENTRIES * WASM_MIN_GAS_PER_ENTRY) counts.drop = true
        windowGas = counts.gas
      }
      return 8 + r
    }
    const pc = -1 - r
    const b = an.blockAt[pc]!
    if (from > 0 && b >= 0 && inRegion[b] === 1 && startPc[b] === pc && f.sp >= low[b]! && f.sp - low[b]! < from) {
      // the block reads below the slots copied in (the entry-depth estimate was short): again with the whole stack
      return enter(f, b, true)
    }
    counts.bails++
    if (sink !== undefined) sink.bails++
    f.pc = pc
    return -1
  }
  return { fn, counts, blocks: ids, bytes: bytes.length }
}
