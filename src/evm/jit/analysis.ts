/**
 * Basic-block analysis for the JIT. A block starts at pc 0, at every
 * JUMPDEST and after every instruction that ends one: JUMP, JUMPI, the
 * terminators (STOP, RETURN, REVERT, INVALID and opcodes undefined in the
 * fork), and the "hand-off" instructions (CALL*, CREATE*, SELFDESTRUCT),
 * which the compiled code leaves to the interpreter so that sub-calls use
 * exactly the interpreter's code (see `compiler.ts`).
 *
 * Each block is cut into check sections that end after every host
 * instruction (SLOAD, SSTORE, BALANCE, LOG, ...; `OPCODES[op].host`). A
 * section's static gas (from the shared fork table `forkTables(fork).gas`,
 * never a second copy) and its stack bounds (lowest and highest height
 * relative to the block entry, from the shared `OPCODES` inputs/outputs) are
 * checked once at the section start (evmone "advanced" / revmc sections).
 * Hoisting a failure is consensus-safe (every exceptional halt consumes all
 * gas and reverts the frame), and ending sections at host instructions keeps
 * it invisible: a failure is never moved before a state read or write, so
 * read sets, write sets and the overlay's dirty marks match the interpreter.
 * `after[i]` is the static gas of the section's instructions after
 * instruction `i`: adding it to the pre-charged counter gives the exact gas
 * that GAS and SSTORE's stipend sentry observe.
 */
import type { AnalyzedCode } from '../code.js'
import { type ForkTables, OPCODES } from '../opcodes.js'

/** How a block ends. */
export type Terminator = 'fall' | 'jump' | 'jumpi' | 'stop' | 'return' | 'revert' | 'invalid' | 'handoff'

/** One basic block. */
export interface Block {
  /** Index in `Analysis.blocks`. */
  readonly id: number
  /** pc of the first instruction. */
  readonly start: number
  /** pcs of the instructions, in order (the terminator included). */
  readonly pcs: number[]
  /** pc just after the last instruction (the fall-through target). */
  end: number
  /** How the block ends. */
  term: Terminator
  /** Check sections, in order (the first starts at instruction 0). */
  sections: Section[]
  /** Static gas of the section's instructions after each instruction (parallel to `pcs`). */
  after: number[]
}

/** A run of instructions whose gas and stack bounds are checked together. */
export interface Section {
  /** Index in `Block.pcs` of the first instruction. */
  start: number
  /** Static gas of the section (hand-off and invalid ops excluded). */
  gas: number
  /** Lowest stack height reached, relative to the block entry (<= 0). */
  low: number
  /** Highest stack height reached, relative to the block entry (>= 0). */
  high: number
}

/** The analysis of one code under one fork. */
export interface Analysis {
  readonly blocks: Block[]
  /** Block index starting at each pc, or -1 (length `code.length + 1`). */
  readonly blockAt: Int32Array
}

/** Opcodes whose execution the compiled code hands to the interpreter. */
export function isHandoff(op: number): boolean {
  return op === 0xf0 || op === 0xf1 || op === 0xf2 || op === 0xf4 || op === 0xf5 || op === 0xfa || op === 0xff
}

function terminatorOf(op: number, gas: number): Terminator | undefined {
  if (gas < 0) return 'invalid'
  switch (op) {
    case 0x00:
      return 'stop'
    case 0x56:
      return 'jump'
    case 0x57:
      return 'jumpi'
    case 0xf3:
      return 'return'
    case 0xfd:
      return 'revert'
    default:
      return isHandoff(op) ? 'handoff' : undefined
  }
}

/**
 * Longest block (instructions). Longer straight-line runs (unrolled Huff
 * code) are cut into blocks that fall through to each other, so that no
 * region function outgrows what TurboFan optimises (60 KiB of bytecode).
 * A cut only delays the next gas/stack check, which is always exact.
 */
export const MAX_BLOCK_OPS = 160

/** Split `code` into basic blocks and compute per-block gas and stack bounds. */
export function analyze(code: AnalyzedCode, tables: ForkTables, maxBlockOps = MAX_BLOCK_OPS): Analysis {
  const bytes = code.padded
  const n = code.length
  const gasT = tables.gas
  const blocks: Block[] = []
  const blockAt = new Int32Array(n + 1).fill(-1)
  let cur: Block | undefined
  const finish = (b: Block): void => {
    let h = 0
    let sec: Section = { start: 0, gas: 0, low: 0, high: 0 }
    b.sections = [sec]
    const costs: number[] = []
    const secOf: number[] = []
    for (let i = 0; i < b.pcs.length; i++) {
      const op = bytes[b.pcs[i]!]!
      const g = gasT[op]!
      secOf.push(b.sections.length - 1)
      if (g < 0 || isHandoff(op)) {
        costs.push(0)
        continue
      }
      costs.push(g)
      sec.gas += g
      const info = OPCODES[op]!
      if (h - info.inputs < sec.low) sec.low = h - info.inputs
      h += info.outputs - info.inputs
      if (h > sec.high) sec.high = h
      if (info.host && i + 1 < b.pcs.length) {
        sec = { start: i + 1, gas: 0, low: h, high: h }
        b.sections.push(sec)
      }
    }
    b.after = new Array<number>(costs.length)
    let acc = 0
    for (let i = costs.length - 1; i >= 0; i--) {
      if (i + 1 < costs.length && secOf[i + 1] !== secOf[i]) acc = 0
      b.after[i] = acc
      acc += costs[i]!
    }
  }
  for (let pc = 0; pc < n; ) {
    const op = bytes[pc]!
    if (cur === undefined || op === 0x5b) {
      if (cur !== undefined) {
        cur.end = pc
        finish(cur)
      }
      cur = { id: blocks.length, start: pc, pcs: [], end: pc, term: 'fall', sections: [], after: [] }
      blockAt[pc] = cur.id
      blocks.push(cur)
    }
    cur.pcs.push(pc)
    const next = pc + 1 + (op >= 0x60 && op <= 0x7f ? op - 0x5f : 0)
    const t = terminatorOf(op, gasT[op]!)
    if (t !== undefined) {
      cur.term = t
      cur.end = next
      finish(cur)
      cur = undefined
    } else if (cur.pcs.length >= maxBlockOps && next < n) {
      cur.end = next
      finish(cur)
      cur = undefined
    }
    pc = next
  }
  if (cur !== undefined) {
    cur.end = n
    finish(cur)
  }
  return { blocks, blockAt }
}
