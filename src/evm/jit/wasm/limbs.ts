/**
 * 256-bit arithmetic on 4×i64 limbs for the JIT's WebAssembly tier
 * (`tier.ts`), and the shared linear-memory arena it runs in.
 *
 * A word lives in linear memory as 32 bytes, little-endian: limb 0 (the
 * low 64 bits) first. The EVM stack is an array of such words; each helper
 * takes `q`, the address of its lowest operand slot (the slot the result
 * goes to), with the top operand at the highest address (`a` at q + 32 for
 * binary ops, as the EVM pops it first). MUL uses 32-bit partial products
 * in i64 (wasm has no 64×64→128 multiply). Rare or wide operations (DIV/MOD
 * beyond 64 bits, SDIV, SMOD, ADDMOD, MULMOD, EXP, SIGNEXTEND) call back
 * into JavaScript (`bigOp`) and run the very BigInt functions of tier 1
 * (`runtime.ts`), so there is no second implementation of them.
 *
 * Memory layout of the arena (one per thread: execution is synchronous and
 * the wasm code never re-enters the EVM, like the interpreter's pools):
 * `CTRL` results, `ZERO` shift scratch (zeros around one word), the stack
 * (`STACK_BASE`, 1024 words) and the EVM memory mirror (`MEM_BASE`,
 * `MEM_CAP` bytes, big-endian bytes as in the EVM).
 */
import { expValue, sdiv, addmod, smod, signExtend } from '../runtime.js'
import { buildModule, Code, I32, I64, Op } from './encoder.js'

/** Control block: gas out (f64) at +0, sp out (byte address) at +8, memory length at +12, lowest stack slot written at +16, written memory range [+20, +24), calldata size in at +28. */
export const CTRL = 0
/** Scratch for shifts: zeros at [ZERO, ZERO+32), a word at [ZERO+32, ZERO+64), zeros (or SAR's sign) at [ZERO+64, ZERO+96). */
export const ZERO = 64
/** Scratch words for helper calls from the blocks (operands at SCR and SCR + 32, result at SCR). */
export const SCR = 160
/** First stack slot. */
export const STACK_BASE = 256
/** EVM stack limit (words). */
export const STACK_SLOTS = 1024
/** Start of the EVM memory mirror (page 1). */
export const MEM_BASE = 65536
/** Largest EVM memory the tier mirrors (bytes); frames or expansions beyond it are left to the other tiers. */
export const MEM_CAP = 1 << 20
/** Start of the calldata copy (after the mirror and a spare page for word reads at the cap). */
export const CD_BASE = MEM_BASE + MEM_CAP + 65536
/** Largest calldata the tier copies in (bytes; 32 zero bytes follow it): larger calldata leaves the region to the interpreter. */
export const CD_CAP = 65536 - 64
/** Arena size in 64 KiB pages: control and stack, the mirror, a spare page, calldata, a spare page. */
export const ARENA_PAGES = 1 + MEM_CAP / 65536 + 1 + 2

/** The part of the WebAssembly JS API the tier uses (the project's TypeScript libs do not declare it). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
  Memory: new (desc: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer }
}
/** `globalThis.WebAssembly`, typed by `WasmApi`. */
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** The thread's linear memory and views on it. */
export interface Arena {
  readonly memory: { readonly buffer: ArrayBuffer }
  readonly u8: Uint8Array
  readonly u64: BigUint64Array
  readonly i32: Int32Array
  readonly f64: Float64Array
}

let arena: Arena | undefined

/** The thread's arena (created on first use; its buffer never grows, so the views stay valid). */
export function getArena(): Arena {
  if (arena === undefined) {
    const memory = new wasmApi.Memory({ initial: ARENA_PAGES, maximum: ARENA_PAGES })
    const b = memory.buffer
    arena = { memory, u8: new Uint8Array(b), u64: new BigUint64Array(b), i32: new Int32Array(b), f64: new Float64Array(b) }
  }
  return arena
}

/** Store word `v` (0 ≤ v < 2^256) at byte address `addr` (a multiple of 8) as 4 limbs. */
export function putWord(u: BigUint64Array, addr: number, v: bigint): void {
  const j = addr >>> 3
  // BigUint64Array stores keep the low 64 bits of the value
  u[j] = v
  if (v <= 0xffffffffffffffffn) {
    u[j + 1] = 0n
    u[j + 2] = 0n
    u[j + 3] = 0n
  } else {
    u[j + 1] = v >> 64n
    u[j + 2] = v >> 128n
    u[j + 3] = v >> 192n
  }
}

/** Read the word at byte address `addr`. */
export function getWord(u: BigUint64Array, addr: number): bigint {
  const j = addr >>> 3
  const h1 = u[j + 1]!
  const h2 = u[j + 2]!
  const h3 = u[j + 3]!
  if (h1 === 0n && h2 === 0n && h3 === 0n) return u[j]!
  return u[j]! | (h1 << 64n) | (h2 << 128n) | (h3 << 192n)
}

/** Ops `bigOp` computes, by opcode (arity 2 or 3). */
export const BIG_OPS: Record<number, number> = { 0x04: 2, 0x05: 2, 0x06: 2, 0x07: 2, 0x08: 3, 0x09: 3, 0x0a: 2, 0x0b: 2 }

/**
 * The JavaScript side of the wide ops: operands read from the arena at `q`
 * (the lowest operand slot; the first-popped operand highest), the result
 * written at `q`, with exactly tier 1's expressions.
 */
export function bigOp(op: number, q: number): void {
  const u = getArena().u64
  let r: bigint
  if (BIG_OPS[op] === 3) {
    const a = getWord(u, q + 64)
    const b = getWord(u, q + 32)
    const c = getWord(u, q)
    r = op === 0x08 ? addmod(a, b, c) : c === 0n ? 0n : (a * b) % c
  } else {
    const a = getWord(u, q + 32)
    const b = getWord(u, q)
    switch (op) {
      case 0x04:
        r = b === 0n ? 0n : a / b
        break
      case 0x05:
        r = sdiv(a, b)
        break
      case 0x06:
        r = b === 0n ? 0n : a % b
        break
      case 0x07:
        r = smod(a, b)
        break
      case 0x0a:
        r = expValue(a, b)
        break
      default:
        r = signExtend(a, b)
    }
  }
  putWord(u, q, r)
}

/** Function indices of the helpers in every tier module (index 0 is the `bigOp` import). */
export const H = {
  big: 0,
  add: 1,
  sub: 2,
  mul: 3,
  lt: 4,
  gt: 5,
  slt: 6,
  sgt: 7,
  eq: 8,
  iszero: 9,
  and: 10,
  or: 11,
  xor: 12,
  not: 13,
  shl: 14,
  shr: 15,
  sar: 16,
  byte: 17,
  div: 18,
  mod: 19,
  bswap: 20,
  mcost: 21,
  expBytes: 22,
} as const

/** Type indices used by the helpers: 0 = (i32) → (), 1 = (i32, i32) → (), 2 = (i64) → i64, 3 = (i32) → i64. */
export const T_Q = 0
export const T_BIG = 1
export const T_I64 = 2
export const T_QI64 = 3

const M32 = 0xffffffffn

/** Limb `k` of the first-popped operand `a` (at q + 32) and of `b` (at q). */
function ldA(c: Code, k: number): Code {
  return c.get(0).ld(32 + 8 * k)
}
function ldB(c: Code, k: number): Code {
  return c.get(0).ld(8 * k)
}

/** Store limbs at q from locals (`r[k]` local indices). */
function storeLimbs(c: Code, r: number[]): void {
  for (let k = 0; k < 4; k++) c.get(0).get(r[k]!).st(8 * k)
}

/** Store the i32 boolean in local `b` as the word at q. */
function storeBool(c: Code, b: number): void {
  c.get(0).get(b).op(Op.i64_extend_i32_u).st(0)
  for (let k = 1; k < 4; k++) c.get(0).i64(0n).st(8 * k)
}

function genAdd(): Code {
  const c = new Code(1)
  const a = c.local(I64)
  const t = c.local(I64)
  const r = c.local(I64)
  const carry = c.local(I64)
  for (let k = 0; k < 4; k++) {
    ldA(c, k).set(a)
    c.get(a)
    ldB(c, k).op(Op.i64_add).set(t)
    if (k === 0) {
      c.get(0).get(t).st(0)
      c.get(t).get(a).op(Op.i64_lt_u, Op.i64_extend_i32_u).set(carry)
      continue
    }
    c.get(t).get(carry).op(Op.i64_add).set(r)
    c.get(0).get(r).st(8 * k)
    if (k < 3) c.get(t).get(a).op(Op.i64_lt_u).get(r).get(t).op(Op.i64_lt_u, Op.i32_or, Op.i64_extend_i32_u).set(carry)
  }
  return c
}

function genSub(): Code {
  const c = new Code(1)
  const a = c.local(I64)
  const b = c.local(I64)
  const t = c.local(I64)
  const borrow = c.local(I64)
  for (let k = 0; k < 4; k++) {
    ldA(c, k).set(a)
    ldB(c, k).set(b)
    c.get(a).get(b).op(Op.i64_sub).set(t)
    if (k === 0) {
      c.get(0).get(t).st(0)
      c.get(a).get(b).op(Op.i64_lt_u, Op.i64_extend_i32_u).set(borrow)
      continue
    }
    c.get(0).get(t).get(borrow).op(Op.i64_sub).st(8 * k)
    if (k < 3) c.get(a).get(b).op(Op.i64_lt_u).get(t).get(borrow).op(Op.i64_lt_u, Op.i32_or, Op.i64_extend_i32_u).set(borrow)
  }
  return c
}

/** MUL mod 2^256: schoolbook over 8 32-bit words, each partial sum fits in 64 bits. */
function genMul(): Code {
  const c = new Code(1)
  const A: number[] = []
  const B: number[] = []
  const R: number[] = []
  for (let i = 0; i < 8; i++) A.push(c.local(I64))
  for (let i = 0; i < 8; i++) B.push(c.local(I64))
  for (let i = 0; i < 8; i++) R.push(c.local(I64))
  const t = c.local(I64)
  const carry = c.local(I64)
  for (let k = 0; k < 4; k++) {
    ldA(c, k).set(t)
    c.get(t).i64(M32).op(Op.i64_and).set(A[2 * k]!)
    c.get(t).i64(32n).op(Op.i64_shr_u).set(A[2 * k + 1]!)
    ldB(c, k).set(t)
    c.get(t).i64(M32).op(Op.i64_and).set(B[2 * k]!)
    c.get(t).i64(32n).op(Op.i64_shr_u).set(B[2 * k + 1]!)
  }
  for (let i = 0; i < 8; i++) {
    for (let j = 0; i + j < 8; j++) {
      // t = A[i]*B[j] + R[i+j] + carry  (≤ 2^64 - 1)
      c.get(A[i]!).get(B[j]!).op(Op.i64_mul).get(R[i + j]!).op(Op.i64_add)
      if (j > 0) c.get(carry).op(Op.i64_add)
      c.set(t)
      c.get(t).i64(M32).op(Op.i64_and).set(R[i + j]!)
      if (i + j < 7) c.get(t).i64(32n).op(Op.i64_shr_u).set(carry)
    }
  }
  for (let k = 0; k < 4; k++) c.get(0).get(R[2 * k]!).get(R[2 * k + 1]!).i64(32n).op(Op.i64_shl, Op.i64_or).st(8 * k)
  return c
}

/**
 * Unsigned (or, with `signed`, signed) `x < y` where x is at `xOff` and y
 * at `yOff` from q: lexicographic from the top limb.
 */
function genCmp(xOff: number, yOff: number, signed: boolean): Code {
  const c = new Code(1)
  const r = c.local(I32)
  // start from the lowest limb: r = x0 < y0; then r = xk < yk | (xk == yk & r)
  c.get(0).ld(xOff).get(0).ld(yOff).op(Op.i64_lt_u).set(r)
  for (let k = 1; k < 4; k++) {
    c.get(0).ld(xOff + 8 * k).get(0).ld(yOff + 8 * k).op(k === 3 && signed ? Op.i64_lt_s : Op.i64_lt_u)
    c.get(0).ld(xOff + 8 * k).get(0).ld(yOff + 8 * k).op(Op.i64_eq).get(r).op(Op.i32_and, Op.i32_or).set(r)
  }
  storeBool(c, r)
  return c
}

function genEq(): Code {
  const c = new Code(1)
  const r = c.local(I32)
  c.i32(1).set(r)
  for (let k = 0; k < 4; k++) ldA(c, k).get(0).ld(8 * k).op(Op.i64_eq).get(r).op(Op.i32_and).set(r)
  storeBool(c, r)
  return c
}

function genIszero(): Code {
  const c = new Code(1)
  const r = c.local(I32)
  c.get(0).ld(0).get(0).ld(8).op(Op.i64_or).get(0).ld(16).op(Op.i64_or).get(0).ld(24).op(Op.i64_or, Op.i64_eqz).set(r)
  storeBool(c, r)
  return c
}

function genBitwise(op: number): Code {
  const c = new Code(1)
  for (let k = 0; k < 4; k++) {
    c.get(0)
    ldA(c, k)
    ldB(c, k).op(op).st(8 * k)
  }
  return c
}

function genNot(): Code {
  const c = new Code(1)
  for (let k = 0; k < 4; k++) c.get(0).get(0).ld(8 * k).i64(-1n).op(Op.i64_xor).st(8 * k)
  return c
}

/** Leaves i32 "shift amount ≥ limit or wider than 64 bits" for the word at q + off. */
function bigShift(c: Code, off: number, limit: number): void {
  c.get(0).ld(off + 8).get(0).ld(off + 16).op(Op.i64_or).get(0).ld(off + 24).op(Op.i64_or).i64(0n).op(Op.i64_ne)
  c.get(0).ld(off).i64(BigInt(limit)).op(Op.i64_ge_u, Op.i32_or)
}

/**
 * SHL, SHR and SAR (shift = a at q + 32, value = b at q). The value is
 * copied between zero (or sign) words in `ZERO` and each result limb is
 * two loads at a computed address: no data-dependent branches but one.
 * `(y << 1) << (63 - s)` is `y << (64 - s)` for s in 1..63 and 0 for s = 0.
 */
function genShift(kind: 'shl' | 'shr' | 'sar'): Code {
  const c = new Code(1)
  const s = c.local(I64)
  const base = c.local(I32)
  const fillv = c.local(I64)
  const W = ZERO + 32
  if (kind === 'sar') {
    c.get(0).ld(24).i64(63n).op(Op.i64_shr_s).set(fillv)
  }
  bigShift(c, 32, 256)
  c.if()
  for (let k = 0; k < 4; k++) c.get(0).get(fillv).st(8 * k)
  c.op(Op.return).end()
  ldA(c, 0).set(s)
  for (let k = 0; k < 4; k++) c.i32(0).get(0).ld(8 * k).st(W + 8 * k)
  if (kind === 'sar') for (let k = 0; k < 4; k++) c.i32(0).get(fillv).st(W + 32 + 8 * k)
  // base = W ± 8·(s >> 6)
  c.get(s).i64(6n).op(Op.i64_shr_u, Op.i32_wrap_i64).i32(3).op(Op.i32_shl).set(base)
  c.get(s).i64(63n).op(Op.i64_and).set(s)
  if (kind === 'shl') {
    c.i32(W).get(base).op(Op.i32_sub).set(base)
    for (let k = 0; k < 4; k++) {
      c.get(0)
      c.get(base).ld(8 * k).get(s).op(Op.i64_shl)
      // the limb below: at base - 8 for k = 0 (≥ ZERO), computed since memarg offsets are unsigned
      if (k === 0) c.get(base).i32(8).op(Op.i32_sub).ld(0)
      else c.get(base).ld(8 * k - 8)
      c.i64(1n).op(Op.i64_shr_u).i64(63n).get(s).op(Op.i64_sub, Op.i64_shr_u, Op.i64_or).st(8 * k)
    }
  } else {
    c.i32(W).get(base).op(Op.i32_add).set(base)
    for (let k = 0; k < 4; k++) {
      c.get(0)
      c.get(base).ld(8 * k).get(s).op(Op.i64_shr_u)
      c.get(base).ld(8 * k + 8).i64(1n).op(Op.i64_shl).i64(63n).get(s).op(Op.i64_sub, Op.i64_shl, Op.i64_or).st(8 * k)
    }
  }
  if (kind === 'sar') for (let k = 0; k < 4; k++) c.i32(0).i64(0n).st(W + 32 + 8 * k)
  return c
}

/** BYTE(i = a at q + 32, x = b at q): byte i from the most significant end is byte 31 - i of the little-endian word. */
function genByte(): Code {
  const c = new Code(1)
  const r = c.local(I64)
  bigShift(c, 32, 32)
  c.if()
  c.i64(0n).set(r)
  c.else()
  c.get(0).i32(31).op(Op.i32_add).get(0).ld(32).op(Op.i32_wrap_i64, Op.i32_sub).mem(Op.i32_load8_u, 0).op(Op.i64_extend_i32_u).set(r)
  c.end()
  c.get(0).get(r).st(0)
  for (let k = 1; k < 4; k++) c.get(0).i64(0n).st(8 * k)
  return c
}

/**
 * DIV / MOD (a at q + 32, b at q): in wasm when both fit in 64 bits or the
 * divisor is a power of two (SHR / a low mask; Solidity and Huff shift by
 * dividing), else `bigOp`.
 */
function genDivMod(op: 0x04 | 0x06): Code {
  const c = new Code(1)
  const b = [c.local(I64), c.local(I64), c.local(I64), c.local(I64)]
  const r = c.local(I64)
  const s = c.local(I64)
  const t = c.local(I64)
  for (let k = 0; k < 4; k++) ldB(c, k).set(b[k]!)
  c.get(b[1]!).get(b[2]!).op(Op.i64_or).get(b[3]!).op(Op.i64_or, Op.i64_eqz)
  ldA(c, 1)
  ldA(c, 2).op(Op.i64_or)
  ldA(c, 3).op(Op.i64_or, Op.i64_eqz, Op.i32_and)
  c.if()
  // both below 2^64
  c.get(b[0]!).op(Op.i64_eqz).if().i64(0n).set(r).else()
  ldA(c, 0).get(b[0]!).op(op === 0x04 ? Op.i64_div_u : Op.i64_rem_u).set(r)
  c.end()
  c.get(0).get(r).st(0)
  for (let k = 1; k < 4; k++) c.get(0).i64(0n).st(8 * k)
  c.op(Op.return)
  c.end()
  // a power-of-two divisor 2^s: one bit set over the four limbs
  for (let k = 0; k < 4; k++) {
    c.get(b[k]!).op(Op.i64_popcnt)
    if (k > 0) c.op(Op.i64_add)
  }
  c.i64(1n).op(Op.i64_eq)
  c.if()
  // s = 64k + ctz(b_k) for the nonzero limb k
  c.i64(192n).get(b[3]!).op(Op.i64_ctz, Op.i64_add).set(s)
  for (let k = 2; k >= 0; k--) c.i64(BigInt(64 * k)).get(b[k]!).op(Op.i64_ctz, Op.i64_add).get(s).get(b[k]!).i64(0n).op(Op.i64_ne, Op.select).set(s)
  if (op === 0x06) {
    // a mod 2^s: limb k keeps its low s - 64k bits (all when ≥ 64, none when ≤ 0)
    for (let k = 0; k < 4; k++) {
      c.get(s).i64(BigInt(64 * k)).op(Op.i64_sub).set(t)
      c.get(0)
      ldA(c, k)
      c.i64(-1n).i64(0n).i64(1n).get(t).op(Op.i64_shl).i64(1n).op(Op.i64_sub).get(t).i64(0n).op(Op.i64_le_s)
      // stack: -1, 0, (1<<t)-1, t<=0 → select(0, (1<<t)-1, t<=0) then select(-1, that, t>=64)
      c.op(Op.select)
      c.get(t).i64(64n).op(Op.i64_ge_s, Op.select)
      c.op(Op.i64_and).st(8 * k)
    }
  } else {
    // a / 2^s = SHR(s, a): move a to q, s to q + 32
    for (let k = 0; k < 4; k++) {
      c.get(0)
      ldA(c, k).st(8 * k)
    }
    c.get(0).get(s).st(32)
    for (let k = 1; k < 4; k++) c.get(0).i64(0n).st(32 + 8 * k)
    c.get(0).call(H.shr)
  }
  c.op(Op.return)
  c.end()
  c.i32(op).get(0).call(H.big)
  return c
}

/** Byte swap of an i64 (EVM memory is big-endian). */
function genBswap(): Code {
  const c = new Code(1)
  const x = 0
  c.get(x).i64(0x00ff00ff00ff00ffn).op(Op.i64_and).i64(8n).op(Op.i64_shl)
  c.get(x).i64(8n).op(Op.i64_shr_u).i64(0x00ff00ff00ff00ffn).op(Op.i64_and, Op.i64_or).set(x)
  c.get(x).i64(0x0000ffff0000ffffn).op(Op.i64_and).i64(16n).op(Op.i64_shl)
  c.get(x).i64(16n).op(Op.i64_shr_u).i64(0x0000ffff0000ffffn).op(Op.i64_and, Op.i64_or)
  c.i64(32n).op(Op.i64_rotl)
  return c
}

/** Memory cost of `words` words (the interpreter's `memCost`: 3w + ⌊w²/512⌋). */
function genMcost(): Code {
  const c = new Code(1)
  c.get(0).i64(3n).op(Op.i64_mul).get(0).get(0).op(Op.i64_mul).i64(512n).op(Op.i64_div_u, Op.i64_add)
  return c
}

/** Byte length of the word at q (EXP's dynamic gas). */
function genExpBytes(): Code {
  const c = new Code(1)
  for (let k = 3; k >= 0; k--) {
    c.get(0).ld(8 * k).i64(0n).op(Op.i64_ne).if()
    // 8k + ⌊(64 - clz + 7) / 8⌋ = ⌊(64k + 71 - clz) / 8⌋
    c.i64(BigInt(64 * k + 71)).get(0).ld(8 * k).op(Op.i64_clz, Op.i64_sub).i64(3n).op(Op.i64_shr_u).op(Op.return).end()
  }
  c.i64(0n)
  return c
}

/** The helper functions, in `H` order (after the import). */
export function helperFuncs(): { type: number; code: Code }[] {
  return [
    { type: T_Q, code: genAdd() },
    { type: T_Q, code: genSub() },
    { type: T_Q, code: genMul() },
    { type: T_Q, code: genCmp(32, 0, false) },
    { type: T_Q, code: genCmp(0, 32, false) },
    { type: T_Q, code: genCmp(32, 0, true) },
    { type: T_Q, code: genCmp(0, 32, true) },
    { type: T_Q, code: genEq() },
    { type: T_Q, code: genIszero() },
    { type: T_Q, code: genBitwise(Op.i64_and) },
    { type: T_Q, code: genBitwise(Op.i64_or) },
    { type: T_Q, code: genBitwise(Op.i64_xor) },
    { type: T_Q, code: genNot() },
    { type: T_Q, code: genShift('shl') },
    { type: T_Q, code: genShift('shr') },
    { type: T_Q, code: genShift('sar') },
    { type: T_Q, code: genByte() },
    { type: T_Q, code: genDivMod(0x04) },
    { type: T_Q, code: genDivMod(0x06) },
    { type: T_I64, code: genBswap() },
    { type: T_I64, code: genMcost() },
    { type: T_QI64, code: genExpBytes() },
  ]
}

/**
 * The helpers alone in a module with each one exported under its `H` name,
 * over the thread's arena: for unit tests of the limb arithmetic against
 * BigInt.
 */
export function helperModule(): Record<keyof typeof H, (...args: (number | bigint)[]) => number | bigint | undefined> {
  const funcs = helperFuncs()
  const bytes = buildModule({
    types: [
      { params: [I32], results: [] },
      { params: [I32, I32], results: [] },
      { params: [I64], results: [I64] },
      { params: [I32], results: [I64] },
    ],
    importFuncs: [{ module: 'env', name: 'big', type: T_BIG }],
    memory: { module: 'env', name: 'mem', minPages: ARENA_PAGES },
    funcs,
    exports: Object.fromEntries(Object.entries(H).filter(([k]) => k !== 'big')),
  })
  const inst = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { big: bigOp, mem: getArena().memory } })
  // exported functions: their shapes follow the type section above
  return { ...(inst.exports as Record<keyof typeof H, (...args: (number | bigint)[]) => number | bigint | undefined>), big: bigOp as unknown as (...args: (number | bigint)[]) => undefined }
}
