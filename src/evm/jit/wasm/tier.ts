/**
 * Tier 2 of the JIT: hot pure-compute loops compiled to WebAssembly over
 * 4×i64 limbs (issue 6; shared/research/evm-and-jit.md §3–4).
 *
 * Which blocks: every reachable basic block whose instructions are all
 * supported (PUSH/DUP/SWAP/POP, arithmetic, comparisons, bitwise ops and
 * shifts, MLOAD/MSTORE/MSTORE8, JUMP/JUMPI/JUMPDEST, PC, GAS, MSIZE,
 * CODESIZE) and that ends in a jump or falls through to another block, kept
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
import { ARENA_PAGES, bigOp, BIG_OPS, CTRL, getArena, getWord, H, helperFuncs, MEM_BASE, MEM_CAP, putWord, STACK_BASE, T_BIG, wasmApi } from './limbs.js'

/** Whether opcode `op` runs in the wasm tier. */
export function wasmSupported(op: number): boolean {
  return (
    (op >= 0x01 && op <= 0x0b) ||
    (op >= 0x10 && op <= 0x1d) ||
    (op >= 0x50 && op <= 0x53) ||
    (op >= 0x56 && op <= 0x5b) ||
    (op >= 0x5f && op <= 0x9f) ||
    op === 0x38
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

  private block(b: Block, j: number): void {
    const c = this.c
    const sec = b.sections[0]!
    const L = -sec.low
    const Hh = sec.high
    const start = b.start
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
    // d: stack height relative to the block entry; known: compile-time constants by relative slot
    let d = 0
    const known = new Map<number, bigint>()
    const off = (k: number): number => 32 * (d - k + L) // byte offset from bp of the k-th item from the top (k = 1: top)
    const spAt = (dd: number) => () => c.get(this.bp).i32(32 * (dd + L)).op(Op.i32_add)
    const setSp = (): void => {
      spAt(d)()
      c.set(P_SP)
    }
    const bytes = this.code.padded
    const gasT = this.tables.gas
    let dead = false
    for (let i = 0; i < b.pcs.length && !dead; i++) {
      const pc = b.pcs[i]!
      const op = bytes[pc]!
      const refund = gasT[op]! + b.after[i]!
      const push = (v: bigint): void => {
        const o = off(0)
        for (let k = 0; k < 4; k++) c.get(this.bp).i64((v >> BigInt(64 * k)) & 0xffffffffffffffffn).st(o + 8 * k)
        known.set(d, v)
        d++
      }
      if (op >= 0x60 && op <= 0x7f) {
        push(this.code.pushValues[pc]!)
        continue
      }
      if (op >= 0x80 && op <= 0x8f) {
        const nn = op - 0x7f
        const src = off(nn)
        const dst = off(0)
        for (let k = 0; k < 4; k++) c.get(this.bp).get(this.bp).ld(src + 8 * k).st(dst + 8 * k)
        const kv = known.get(d - nn)
        if (kv !== undefined) known.set(d, kv)
        else known.delete(d)
        d++
        continue
      }
      if (op >= 0x90 && op <= 0x9f) {
        const nn = op - 0x8f
        const top = off(1)
        const oth = off(nn + 1)
        for (let k = 0; k < 4; k++) {
          c.get(this.bp).ld(top + 8 * k).set(this.t64)
          c.get(this.bp).get(this.bp).ld(oth + 8 * k).st(top + 8 * k)
          c.get(this.bp).get(this.t64).st(oth + 8 * k)
        }
        const x = known.get(d - 1)
        const y = known.get(d - 1 - nn)
        if (y !== undefined) known.set(d - 1, y)
        else known.delete(d - 1)
        if (x !== undefined) known.set(d - 1 - nn, x)
        else known.delete(d - 1 - nn)
        continue
      }
      const h2 = HELPER2[op]
      if (h2 !== undefined) {
        c.get(this.bp).i32(off(2)).op(Op.i32_add).call(h2)
        d--
        known.delete(d - 1)
        continue
      }
      if (BIG_OPS[op] !== undefined) {
        const ar = BIG_OPS[op]!
        if (op === 0x0a) {
          // EXP: 50 gas per exponent byte, charged before the result (out of gas leaves to the interpreter)
          c.get(this.bp).i32(off(2)).op(Op.i32_add).call(H.expBytes).i64(BigInt(G.EXP_BYTE)).op(Op.i64_mul).set(this.cost)
          c.get(this.gas).get(this.cost).op(Op.i64_sub).set(this.gas)
          c.get(this.gas).i64(0n).op(Op.i64_lt_s)
          this.openIf()
          c.get(this.gas).get(this.cost).op(Op.i64_add).set(this.gas)
          this.bail(pc, refund, spAt(d))
          this.closeIf()
        }
        c.i32(op).get(this.bp).i32(off(ar)).op(Op.i32_add).call(H.big)
        d -= ar - 1
        known.delete(d - 1)
        continue
      }
      switch (op) {
        case 0x15:
          c.get(this.bp).i32(off(1)).op(Op.i32_add).call(H.iszero)
          known.delete(d - 1)
          break
        case 0x19:
          c.get(this.bp).i32(off(1)).op(Op.i32_add).call(H.not)
          known.delete(d - 1)
          break
        case 0x50:
          d--
          break
        case 0x5b:
          break
        case 0x5f:
          push(0n)
          break
        case 0x58:
          push(BigInt(pc))
          break
        case 0x38:
          push(BigInt(this.code.length))
          break
        case 0x59: {
          const o = off(0)
          c.get(this.bp).get(P_ML).op(Op.i64_extend_i32_u).st(o)
          for (let k = 1; k < 4; k++) c.get(this.bp).i64(0n).st(o + 8 * k)
          known.delete(d)
          d++
          break
        }
        case 0x5a: {
          // GAS: the counter was charged for the whole block; add back what follows this instruction
          const o = off(0)
          c.get(this.bp).get(this.gas).i64(BigInt(b.after[i]!)).op(Op.i64_add).st(o)
          for (let k = 1; k < 4; k++) c.get(this.bp).i64(0n).st(o + 8 * k)
          known.delete(d)
          d++
          break
        }
        case 0x51:
        case 0x52:
        case 0x53: {
          const size = op === 0x53 ? 1 : 32
          this.offsetAndExpand(off(1), size, pc, refund, spAt(d))
          if (op === 0x51) {
            const o = off(1)
            for (let k = 0; k < 4; k++) c.get(this.bp).get(this.o).mem(Op.i64_load, MEM_BASE + 24 - 8 * k).call(H.bswap).st(o + 8 * k)
            known.delete(d - 1)
          } else if (op === 0x52) {
            const v = off(2)
            for (let k = 0; k < 4; k++) c.get(this.o).get(this.bp).ld(v + 8 * k).call(H.bswap).mem(Op.i64_store, MEM_BASE + 24 - 8 * k)
            this.written(32)
            d -= 2
          } else {
            c.get(this.o).get(this.bp).ld(off(2)).op(Op.i32_wrap_i64).mem(Op.i32_store8, MEM_BASE)
            this.written(1)
            d -= 2
          }
          break
        }
        case 0x56:
        case 0x57: {
          const tgt = known.get(d - 1)
          const dBefore = d
          d -= op === 0x56 ? 1 : 2
          // the popped target's slot: just above the new top (JUMP) or above the condition (JUMPI)
          const tOff = op === 0x56 ? off(0) : off(-1)
          if (op === 0x57) {
            const cv = known.get(d)
            if (cv === undefined) {
              const co = off(0) // cond slot (now just above the new top)
              c.get(this.bp).ld(co).get(this.bp).ld(co + 8).op(Op.i64_or).get(this.bp).ld(co + 16).op(Op.i64_or).get(this.bp).ld(co + 24).op(Op.i64_or).i64(0n).op(Op.i64_ne)
              this.openIf()
              this.jump(tgt, pc, refund, spAt(d), spAt(dBefore), tOff)
              this.closeIf()
            } else if (cv !== 0n) {
              this.jump(tgt, pc, refund, spAt(d), spAt(dBefore), tOff)
              dead = true
            }
          } else {
            this.jump(tgt, pc, refund, spAt(d), spAt(dBefore), tOff)
            dead = true
          }
          break
        }
        default:
          throw new Error(`wasm tier: no generator for opcode 0x${op.toString(16)}`)
      }
    }
    if (!dead) {
      setSp()
      const next = b.end < this.code.length ? this.an.blockAt[b.end]! : -1
      if (next < 0) throw new Error(`wasm tier: block at pc ${b.start} falls through to no block`)
      if (this.pos[next] !== j + 1) this.goto(next)
    }
  }

  /**
   * Pop-free offset check and memory expansion for `[off, off + size)`,
   * the offset word at `offAddr` from bp: leaves `o` = the offset. Offsets
   * of 32 bits or more, or an end beyond `MEM_CAP`, and running out of gas
   * for the expansion leave to the interpreter before the instruction.
   */
  private offsetAndExpand(offAddr: number, size: number, pc: number, refund: number, sp: () => void): void {
    const c = this.c
    c.get(this.bp).ld(offAddr + 8).get(this.bp).ld(offAddr + 16).op(Op.i64_or).get(this.bp).ld(offAddr + 24).op(Op.i64_or).i64(0n).op(Op.i64_ne)
    c.get(this.bp).ld(offAddr).i64(BigInt(MEM_CAP - size)).op(Op.i64_gt_u, Op.i32_or)
    this.openIf()
    this.bail(pc, refund, sp)
    this.closeIf()
    c.get(this.bp).ld(offAddr).op(Op.i32_wrap_i64).set(this.o)
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
    this.bail(pc, refund, sp)
    this.closeIf()
    // zero the new words: memory.fill(MEM_BASE + memLen, 0, newLen - memLen); they are copied back too
    c.get(P_ML).i32(MEM_BASE).op(Op.i32_add).i32(0)
    c.get(this.o).i32(size + 31).op(Op.i32_add).i32(-32).op(Op.i32_and).get(P_ML).op(Op.i32_sub).fill()
    c.get(P_ML).get(this.wlo).op(Op.i32_lt_u).if().get(P_ML).set(this.wlo).end()
    c.get(this.o).i32(size + 31).op(Op.i32_add).i32(-32).op(Op.i32_and).tee(P_ML).set(this.whi)
    this.closeIf()
  }

  /** Widen the written range by the `size` bytes at `o`. */
  private written(size: number): void {
    const c = this.c
    c.get(this.o).get(this.wlo).op(Op.i32_lt_u).if().get(this.o).set(this.wlo).end()
    c.get(this.o).i32(size).op(Op.i32_add).tee(this.t32).get(this.whi).op(Op.i32_gt_u).if().get(this.t32).set(this.whi).end()
  }

  /**
   * JUMP/JUMPI to `tgt` (a constant) or to the word at `tgtOff` from bp
   * (already popped: `spAfter` is the stack after the instruction,
   * `spBefore` before it, for a bail on an invalid destination).
   */
  private jump(tgt: bigint | undefined, pc: number, refund: number, spAfter: () => void, spBefore: () => void, tgtOff: number): void {
    const c = this.c
    if (tgt !== undefined) {
      if (tgt >= BigInt(this.code.length) || this.code.jumpdests[Number(tgt)] !== 1 || this.jd[Number(tgt)]! < 0) {
        this.bail(pc, refund, spBefore)
        return
      }
      spAfter()
      c.set(P_SP)
      this.goto(this.jd[Number(tgt)]!)
      return
    }
    this.usesDynamic = true
    // wide or out-of-code targets: invalid
    c.get(this.bp).ld(tgtOff + 8).get(this.bp).ld(tgtOff + 16).op(Op.i64_or).get(this.bp).ld(tgtOff + 24).op(Op.i64_or).i64(0n).op(Op.i64_ne)
    c.get(this.bp).ld(tgtOff).i64(BigInt(this.code.length)).op(Op.i64_ge_u, Op.i32_or)
    this.openIf()
    this.bail(pc, refund, spBefore)
    this.closeIf()
    c.get(this.bp).ld(tgtOff).op(Op.i32_wrap_i64).call(FN_PC2BLK).set(this.o)
    c.get(this.o).i32(0).op(Op.i32_lt_s)
    this.openIf()
    this.bail(pc, refund, spBefore)
    this.closeIf()
    spAfter()
    c.set(P_SP)
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
  for (const id of ids) for (const pc of an.blocks[id]!.pcs) if (code.padded[pc]! >= 0x51 && code.padded[pc]! <= 0x53) usesMem = true
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
    if (f.bank !== 0n || memLen > MEM_CAP) {
      f.pc = startPc[blk]!
      return -1
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
