/**
 * Differential testing of the JIT against the interpreter: a harness that
 * runs one message on a fresh state with each engine and compares every
 * outcome (status, gas left, refund, return data, logs, created address,
 * state diff), random and structured program generators, a fixture-code
 * mutator, and a shrinker that reduces a mismatching case to a minimal
 * reproducer. Used by `scripts/fuzz-jit.ts` and the tests; it depends only
 * on the evm and state layers (no `execution/`).
 *
 * Error *reasons* are not compared, only the kind of ending: the JIT checks
 * gas and stack bounds once per basic block, so a block that would fail
 * halfway may report "out of gas" where the interpreter reports "stack
 * underflow"; every exceptional halt consumes all gas and reverts the frame,
 * so the two are consensus-equivalent.
 */
import { keccak256 } from '../../crypto/keccak.js'
import { type Fork } from '../../eth/fork.js'
import { bytesToHexRaw } from '../../primitives/hex.js'
import { MemoryState } from '../../state/memory.js'
import { bigIntToAddress, StateOverlay } from '../../state/overlay.js'
import { CodeCache } from '../code.js'
import { CallKind, type BlockEnv } from '../env.js'
import { Evm } from '../interpreter.js'
import { Jit } from './jit.js'

/** One differential test case: a call into `code` at `TARGET`. */
export interface FuzzCase {
  code: Uint8Array
  calldata: Uint8Array
  value: bigint
  gas: number
  /** Starting call depth (high values reach the 1024 limit quickly). */
  depth: number
  isStatic: boolean
  /** Pre-state storage of the target. */
  storage: [bigint, bigint][]
}

/** What one engine produced. */
export interface Outcome {
  kind: 'success' | 'revert' | 'halt'
  gasLeft: number
  refund: number
  output: string
  created: string
  logs: string
  diff: string
  /** Error reason (informational, not compared). */
  error: string
}

/** Address of the contract under test. */
export const TARGET = 0xc0de00000000000000000000000000000000c0den
/** A helper contract the programs call. */
export const CALLEE = 0xca11ee0000000000000000000000000000000001n
/** The transaction sender. */
export const SENDER = 0x5e4d000000000000000000000000000000000001n

/**
 * CALLEE's code: stores calldata word 0 to slot 1, logs it, and returns it;
 * reverts with it when the word is odd; on value 7 it calls back into the
 * caller (re-entrancy).
 */
export const CALLEE_CODE = hex(
  '600035' + // PUSH1 0 CALLDATALOAD
    '80600155' + // DUP1 PUSH1 1 SSTORE
    '8060005260206000a0' + // DUP1 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 LOG0
    '8060071460' + '28' + '57' + // DUP1 PUSH1 7 EQ PUSH1 0x28 JUMPI
    '6001166020' + // PUSH1 1 AND PUSH1 32  -> [odd, 32]
    '81' + '6023' + '57' + // DUP2 PUSH1 0x24 JUMPI
    '6000f3' + // PUSH1 0 RETURN (32 bytes)
    '5b' + '6000fd' + // 0x23: JUMPDEST PUSH1 0 REVERT  (stack: odd,32 -> REVERT(0,32)? uses top two)
    '00' + '5b' + '6000600060006000600033' + '5af1' + '00', // 0x28: JUMPDEST CALL(gas, caller, 0,0,0,0,0) STOP
)

/** Hex (no 0x) to bytes. */
export function hex(s: string): Uint8Array {
  const h = s.startsWith('0x') ? s.slice(2) : s
  const out = new Uint8Array(h.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16)
  return out
}

function blockEnv(fork: Fork): BlockEnv {
  return {
    number: 1000n,
    timestamp: 1_700_000_000n,
    coinbase: bigIntToAddress(0xc0ffeen),
    gasLimit: 30_000_000n,
    baseFee: 7n,
    prevRandao: keccak256(Uint8Array.of(1)),
    blobBaseFee: 1n,
    chainId: 1n,
    fork,
  }
}

/** Run `c` with the interpreter (`jit` undefined) or with `jit`; `cache` (optional) is reused so that repeated runs of one code compile it once. */
export function runCase(c: FuzzCase, jit: Jit | undefined, fork: Fork = 'Cancun', cache?: CodeCache): Outcome {
  const mem = new MemoryState()
  mem.blockHashFn = (n) => keccak256(new TextEncoder().encode(n.toString()))
  mem.setAccount(bigIntToAddress(SENDER), { balance: 10n ** 24n })
  mem.setAccount(bigIntToAddress(TARGET), { balance: 10n ** 18n, nonce: 1n, code: c.code, storage: c.storage })
  mem.setAccount(bigIntToAddress(CALLEE), { balance: 5n, nonce: 1n, code: CALLEE_CODE, storage: [[1n, 3n]] })
  const state = new StateOverlay(mem)
  // a caller-given cache keeps one analysed code (and so one compilation) across runs of the same code
  const codeCache = cache ?? new CodeCache()
  const evm = jit !== undefined ? new Evm(state, blockEnv(fork), { codeCache, jit }) : new Evm(state, blockEnv(fork), { codeCache })
  state.beginTransaction()
  evm.tx = { origin: SENDER, gasPrice: 9n, blobHashes: [keccak256(Uint8Array.of(2))] }
  for (const a of [SENDER, TARGET, 1n, 2n, 3n, 4n, 0xc0ffeen]) state.warmAccount(state.account(a))
  const res = evm.execute({
    kind: CallKind.Call,
    caller: SENDER,
    address: TARGET,
    codeAddress: TARGET,
    value: c.value,
    input: c.calldata,
    gas: c.gas,
    isStatic: c.isStatic,
    depth: c.depth,
    transfersValue: true,
    isTopLevel: true,
  })
  const refund = state.refund
  const logs = res.success ? state.logs.map((l) => `${bytesToHexRaw(l.address)}[${l.topics.map(bytesToHexRaw).join(',')}]${bytesToHexRaw(l.data)}`).join(';') : ''
  state.finalizeTransaction()
  const d = state.diff()
  const parts: string[] = []
  for (const k of [...d.accounts.keys()].sort()) {
    const a = d.accounts.get(k)
    parts.push(`${k}:${a === null || a === undefined ? 'deleted' : `${a.nonce}/${a.balance}/${bytesToHexRaw(a.codeHash)}`}`)
  }
  for (const k of [...d.storage.keys()].sort()) {
    const m = d.storage.get(k)!
    parts.push(`${k}{${[...m.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([s, v]) => `${s.toString(16)}=${v.toString(16)}`).join(',')}}`)
  }
  return {
    kind: res.success ? 'success' : res.reverted ? 'revert' : 'halt',
    gasLeft: res.gasLeft,
    refund,
    output: bytesToHexRaw(res.output),
    created: res.createdAddress?.toString(16) ?? '',
    logs,
    diff: parts.join(' '),
    error: res.error ?? '',
  }
}

/** The first field where two outcomes differ, or undefined when they agree. */
export function compareOutcomes(a: Outcome, b: Outcome): string | undefined {
  for (const k of ['kind', 'gasLeft', 'refund', 'output', 'created', 'logs', 'diff'] as const) {
    if (a[k] !== b[k]) return `${k}: interpreter ${JSON.stringify(a[k])} vs jit ${JSON.stringify(b[k])}`
  }
  return undefined
}

/** Result of one differential run. */
export interface DiffResult {
  interp: Outcome
  jit: Outcome
  mismatch: string | undefined
}

/** Run `c` on both engines and compare. `jit` should have threshold 0 (forced). */
export function differential(c: FuzzCase, jit: Jit, fork: Fork = 'Cancun'): DiffResult {
  const interp = runCase(c, undefined, fork)
  let j: Outcome
  try {
    j = runCase(c, jit, fork)
  } catch (e) {
    j = { kind: 'halt', gasLeft: -1, refund: -1, output: '', created: '', logs: '', diff: '', error: `JIT threw: ${(e as Error).stack ?? String(e)}` }
  }
  return { interp, jit: j, mismatch: j.gasLeft === -1 ? j.error : compareOutcomes(interp, j) }
}

// ------------------------------------------------------------------ generation

/** Small deterministic PRNG (mulberry32). */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  /** One element of `xs`. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!
  }
}

const ARITH = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d]
const ENV = [0x30, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3a, 0x3d, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x4a, 0x58, 0x59, 0x5a, 0x5f]
const ALL_VALID = [...ARITH, ...ENV, 0x00, 0x20, 0x31, 0x35, 0x37, 0x39, 0x3b, 0x3c, 0x3e, 0x3f, 0x40, 0x49, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x5b, 0x5c, 0x5d, 0x5e, 0xa0, 0xa1, 0xa2, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xfa, 0xfd, 0xfe, 0xff]
const INTERESTING = [0n, 1n, 2n, 3n, 7n, 31n, 32n, 0x20n, 0x40n, 0xffn, 0x100n, 255n, 256n, 1n << 255n, (1n << 256n) - 1n, (1n << 255n) - 1n, (1n << 64n) - 1n, 1n << 32n, TARGET, CALLEE]

function pushBytes(v: bigint): number[] {
  if (v === 0n) return [0x60, 0]
  const bs: number[] = []
  let x = v
  while (x > 0n) {
    bs.unshift(Number(x & 0xffn))
    x >>= 8n
  }
  return [0x5f + bs.length, ...bs]
}

/** A uniformly random 256-bit value. */
function rand256(r: Rng): bigint {
  let v = 0n
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(r.int(256))
  return v
}

/** A random value biased to edge cases and small numbers. */
function value(r: Rng): bigint {
  const k = r.int(10)
  if (k < 5) return BigInt(r.int(k < 3 ? 8 : 300))
  if (k < 8) return r.pick(INTERESTING)
  let v = 0n
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(r.int(256))
  return v
}

/** Bit widths for the masks and powers of two of `narrowChain` (around the 64-bit boundary of the compiler's specialisation). */
const NARROW_BITS = [0, 1, 8, 31, 32, 32, 33, 63, 64, 64, 64, 65, 128, 255]

/**
 * A chain of 64/32-bit style arithmetic (blake2b, sha1): low masks, ADD,
 * MUL, bitwise ops, shifts by constants, DIV/MOD/ADDMOD/MULMOD by powers
 * of two, comparisons, on operands of known and unknown width (constants,
 * CALLDATALOAD, values from earlier blocks). Exercises the compiler's
 * 64-bit specialisation (`BigInt.asUintN` lowering) against the interpreter.
 */
function narrowChain(r: Rng, push: (v: bigint) => void, out: number[], storeAt = -1): void {
  const mask = (): bigint => (1n << BigInt(r.pick(NARROW_BITS))) - 1n
  const src = (): void => {
    const t = r.int(6)
    if (t === 0) push(value(r))
    else if (t >= 4) push(rand256(r) >> BigInt(r.pick([0, 128, 190, 192, 193, 224])))
    else if (t === 1) {
      push(BigInt(r.int(64)))
      out.push(0x35) // CALLDATALOAD: unknown width
    } else if (t === 2) out.push(0x80) // DUP1 (maybe a value from an earlier block)
    else push(BigInt(r.int(1 << 16)) * BigInt(r.int(1 << 16)))
    if (t !== 1 && t !== 2 && r.int(3) !== 0) out.push(0x60, 0xa0, 0x52, 0x60, 0xa0, 0x51) // through memory: the compiler no longer knows the value
  }
  src()
  push(mask())
  out.push(0x16)
  for (let j = 1 + r.int(8); j > 0; j--) {
    const t = r.int(10)
    if (t < 4) {
      src()
      if (r.int(2) === 0) {
        push(mask())
        out.push(0x16)
      }
      out.push(r.pick([0x01, 0x01, 0x02, 0x03, 0x16, 0x17, 0x18, 0x18, 0x10, 0x11, 0x14, 0x15, 0x19]))
    } else if (t < 6) {
      push(BigInt(r.int(r.int(6) === 0 ? 300 : 64)))
      out.push(r.pick([0x1b, 0x1c])) // SHL/SHR by a constant
    } else if (t < 7) {
      push(1n << BigInt(r.pick(NARROW_BITS)))
      out.push(0x90, r.pick([0x04, 0x06])) // SWAP1 DIV/MOD by 2^k
    } else if (t < 8) {
      push(1n << BigInt(r.pick(NARROW_BITS)))
      out.push(0x90)
      src()
      out.push(r.pick([0x08, 0x09])) // ADDMOD/MULMOD by 2^k
    } else if (t < 9) {
      push(mask())
      out.push(0x16)
    } else out.push(0x80, 0x80, 0x01, 0x18) // DUP1 DUP1 ADD XOR
  }
  if (storeAt >= 0) {
    push(BigInt(storeAt))
    out.push(0x52)
    return
  }
  const k = r.int(4)
  if (k === 0) out.push(0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3) // MSTORE at 0, RETURN it now
  else if (k === 1) {
    push(BigInt(32 * r.int(2)))
    out.push(0x52) // MSTORE: the result may show in the final return data
  }
}

/**
 * A program of `narrowChain`s only, each result stored to its own memory
 * word and all of them returned, sometimes inside a counted loop (values
 * carried across blocks): every result of the 64-bit specialisation is
 * observed.
 */
export function genNarrow(r: Rng): Uint8Array {
  const out: number[] = []
  const push = (v: bigint): void => void out.push(...pushBytes(v))
  const n = 1 + r.int(6)
  const loop = r.int(3) === 0
  let top = 0
  if (loop) {
    push(BigInt(1 + r.int(5)))
    top = out.length
    out.push(0x5b)
  }
  for (let i = 0; i < n; i++) narrowChain(r, push, out, 32 * i)
  if (loop) out.push(0x60, 1, 0x90, 0x03, 0x80, 0x61, top >> 8, top & 0xff, 0x57, 0x50) // PUSH1 1 SWAP1 SUB DUP1 PUSH2 top JUMPI POP
  push(BigInt(32 * n))
  out.push(0x5f, 0xf3)
  return Uint8Array.from(out)
}

/** Operands around the wasm tier's limb and sign boundaries, shift widths and division by zero. */
const LIMB_EDGES = [0n, 1n, 2n, 8n, 31n, 32n, 63n, 64n, 65n, 127n, 128n, 255n, 256n, 257n, 1000n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 1n << 64n, (1n << 64n) + 1n, (1n << 128n) - 1n, 1n << 128n, 1n << 192n, (1n << 192n) - 1n, (1n << 255n) - 1n, 1n << 255n, (1n << 256n) - 1n, (1n << 256n) - 2n]
/** Ops the wasm tier runs natively, plus a few it leaves to tier 1 (so loops cross between the tiers). */
const WASM_BIN = [0x01, 0x02, 0x03, 0x04, 0x06, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a, 0x1b, 0x1c, 0x1d]
const WASM_OTHER = [0x05, 0x07, 0x0a, 0x0b]
/** Shift and BYTE amounts at the limb, byte and width boundaries. */
const SHIFT_EDGES = [0n, 1n, 7n, 8n, 31n, 32n, 33n, 63n, 64n, 65n, 127n, 128n, 129n, 191n, 192n, 193n, 248n, 255n, 256n, 257n, 1n << 64n, (1n << 256n) - 1n]

function limbValue(r: Rng): bigint {
  const k = r.int(6)
  if (k < 3) return r.pick(LIMB_EDGES)
  if (k === 3) return 1n << BigInt(r.int(256))
  if (k === 4) return BigInt(r.int(300))
  return rand256(r)
}

/**
 * A counted loop of 256-bit arithmetic, memory and jumps for the wasm tier
 * (issue 6): operands at limb and sign boundaries, shifts of 256 and more,
 * division by zero, signed ops, MLOAD/MSTORE/MSTORE8 at small, growing,
 * beyond-the-mirror and beyond-32-bit offsets, GAS/MSIZE/PC, computed jump
 * targets (valid and not), loops that grow the stack towards its limit, and
 * ops the tier leaves to tier 1 in the middle of the loop, CALLDATALOAD /
 * CALLDATACOPY / CALLDATASIZE at offsets in and beyond the calldata. The
 * memory is returned, so every value is compared.
 */
export function genWasmLoop(r: Rng): Uint8Array {
  const out: number[] = []
  const push = (v: bigint): void => void out.push(...pushBytes(v))
  const grow = r.int(6) === 0
  // wide values under the counter: a read below the right slot shows
  for (let i = r.int(3); i > 0; i--) push(rand256(r) | (1n << 255n))
  push(BigInt(1 + (grow && r.int(2) === 0 ? 1000 + r.int(40) : r.int(r.int(3) === 0 ? 200 : 12))))
  const top = out.length
  out.push(0x5b)
  const slot = (): bigint => BigInt(32 * r.int(8) + (r.int(4) === 0 ? r.int(32) : 0))
  const n = 1 + r.int(16)
  for (let i = 0; i < n; i++) {
    const k = r.int(12)
    if (k < 5) {
      // operand from memory (changes across iterations) or a constant, op, result to memory
      const op = r.int(12) === 0 ? r.pick(WASM_OTHER) : r.pick(WASM_BIN)
      // sometimes a wide word right under the operands (popped after), so a read one slot too low shows
      const under = r.int(3) === 0
      if (under) push(rand256(r) | (1n << 255n))
      if (r.int(2) === 0) {
        push(slot())
        out.push(0x51)
      } else push(limbValue(r))
      // the first-popped operand: shift and byte amounts around 0, 32, 64·k and 256 for SHL/SHR/SAR/BYTE
      if ((op === 0x1a || op === 0x1b || op === 0x1c || op === 0x1d) && r.int(4) !== 0) push(r.pick(SHIFT_EDGES))
      else if (r.int(2) === 0) {
        push(slot())
        out.push(0x51)
      } else push(limbValue(r))
      out.push(op)
      if (r.int(4) === 0) out.push(r.pick([0x15, 0x19]))
      push(slot())
      out.push(r.int(6) === 0 ? 0x53 : 0x52)
      if (under) out.push(0x50)
    } else if (k < 6) {
      // memory growth: a store further out, rarely beyond the mirror or 32 bits
      push(limbValue(r))
      const far = r.int(20)
      push(far === 0 ? 1n << 32n : far === 1 ? BigInt((1 << 20) - 16 + r.int(32)) : BigInt(256 + r.int(4000)))
      out.push(0x52)
    } else if (k < 7) {
      // observed values: GAS, MSIZE, PC
      out.push(r.pick([0x5a, 0x59, 0x58]))
      push(slot())
      out.push(0x52)
    } else if (k < 8) {
      // stack shuffles over the counter and fresh values
      push(limbValue(r))
      push(limbValue(r))
      out.push(r.pick([0x80, 0x81, 0x82]), r.pick([0x90, 0x91]), r.pick(WASM_BIN), 0x18)
      push(slot())
      out.push(0x52)
    } else if (k < 9 && grow) {
      // leave an item each iteration: the stack grows (overflow inside the loop with a high count)
      push(limbValue(r))
      out.push(0x90)
    } else if (k < 10) {
      // a forward jump over junk through a computed target
      const at = out.length
      out.push(0x61, 0, 0, 0x5f, 0x01, 0x56, 0xfe)
      const dest = out.length + (r.int(25) === 0 ? 1 : 0)
      out.push(0x5b)
      out[at + 1] = dest >> 8
      out[at + 2] = dest & 0xff
    } else if (k < 11) {
      // calldata: CALLDATALOAD at offsets in range, at the end, beyond it and beyond 64 bits; CALLDATACOPY of 0..80 bytes; CALLDATASIZE
      const cdOff = (): bigint => r.pick([0n, 1n, BigInt(r.int(40)), BigInt(r.int(200)), 1n << 64n, (1n << 256n) - 1n])
      const w = r.int(3)
      if (w === 0) {
        push(cdOff())
        out.push(0x35)
        push(slot())
        out.push(0x52)
      } else if (w === 1) {
        push(BigInt(r.pick([0, 0, 1, 31, 32, 33, 80, r.int(300)])))
        push(cdOff())
        push(r.int(10) === 0 ? (1n << 32n) + 7n : slot())
        out.push(0x37)
      } else {
        out.push(0x36)
        push(slot())
        out.push(0x52)
      }
    } else {
      push(limbValue(r))
      out.push(0x15, 0x50)
    }
  }
  // counter: PUSH1 1 SWAP1 SUB DUP1 PUSH2 top [PUSH0 ADD] JUMPI
  out.push(0x60, 1, 0x90, 0x03, 0x80, 0x61, top >> 8, top & 0xff)
  if (r.int(3) === 0) out.push(0x5f, 0x01)
  out.push(0x57)
  // sometimes the code ends at the loop's JUMPI: falling through is an implicit STOP
  if (r.int(6) !== 0) {
    push(256n)
    out.push(0x5f, 0xf3)
  }
  return Uint8Array.from(out)
}

/** Structured random program: snippets with sensible operands, loops, calls, storage, logs and a final RETURN/REVERT. */
export function genStructured(r: Rng): Uint8Array {
  const out: number[] = []
  const labels: number[] = []
  const fixups: number[] = []
  const push = (v: bigint): void => void out.push(...pushBytes(v))
  const pushLabel = (): void => {
    out.push(0x61, 0, 0)
    fixups.push(out.length - 2)
  }
  const n = 3 + r.int(25)
  for (let i = 0; i < n; i++) {
    const k = r.int(20)
    if (k < 3) {
      const op = r.pick(ARITH)
      for (let j = 0; j < 3; j++) push(value(r))
      out.push(op)
    } else if (k < 5) {
      narrowChain(r, push, out)
    } else if (k < 7) {
      out.push(r.pick(ENV))
    } else if (k < 8) {
      // memory
      push(value(r))
      push(BigInt(r.int(r.int(8) === 0 ? 100000 : 200)))
      out.push(r.pick([0x52, 0x53, 0x51]))
    } else if (k < 9) {
      // storage
      push(BigInt(r.int(4)))
      push(BigInt(r.int(5)))
      out.push(r.pick([0x55, 0x54, 0x5c, 0x5d]))
    } else if (k < 10) {
      out.push(0x5b)
      labels.push(out.length - 1)
    } else if (k < 11) {
      // loop: counter on the stack, body of a few ops
      push(BigInt(1 + r.int(r.int(4) === 0 ? 300 : 20)))
      const top = out.length
      out.push(0x5b)
      for (let j = r.int(4); j > 0; j--) {
        push(value(r))
        out.push(r.pick([0x80, 0x50, 0x01, 0x02, 0x16, 0x1c, 0x59]))
        if (r.int(3) === 0) out.push(0x50)
      }
      out.push(0x60, 1, 0x90, 0x03, 0x80) // PUSH1 1 SWAP1 SUB DUP1
      out.push(0x61, top >> 8, top & 0xff, 0x57, 0x50) // PUSH2 top JUMPI POP
    } else if (k < 12) {
      // call
      const op = r.pick([0xf1, 0xf1, 0xf4, 0xfa, 0xf2])
      push(BigInt(r.int(64)))
      push(BigInt(r.int(64))) // retLen, retOff
      push(BigInt(r.int(64)))
      push(BigInt(r.int(64))) // argsLen, argsOff
      if (op === 0xf1 || op === 0xf2) push(r.int(4) === 0 ? BigInt(r.int(3)) : 0n)
      push(r.pick([CALLEE, TARGET, 1n, 2n, 4n, 9n, 0xdeadn, CALLEE]))
      if (r.int(2) === 0) out.push(0x5a)
      else push(BigInt(r.int(100000)))
      out.push(op)
    } else if (k < 13) {
      // log
      const t = r.int(3)
      for (let j = 0; j < t; j++) push(value(r))
      push(BigInt(r.int(40)))
      push(BigInt(r.int(64)))
      out.push(0xa0 + t)
    } else if (k < 14) {
      // jump to a label (fixed up later), sometimes conditional
      if (r.int(2) === 0) push(BigInt(r.int(2)))
      pushLabel()
      out.push(r.int(2) === 0 ? 0x57 : 0x56)
    } else if (k < 15) {
      // create
      push(BigInt(r.int(40)))
      push(BigInt(r.int(64)))
      push(BigInt(r.int(2)))
      out.push(r.int(2) === 0 ? 0xf0 : 0xf5)
      if (out[out.length - 1] === 0xf5) out.splice(out.length - 1, 0, ...pushBytes(value(r)))
    } else if (k < 16) {
      out.push(r.pick([0x80, 0x81, 0x82, 0x8f, 0x90, 0x91, 0x9f, 0x50]))
    } else if (k < 17) {
      out.push(r.pick(ALL_VALID))
    } else if (k < 18 && r.int(3) === 0) {
      // stack growth: a counted loop leaving k items per iteration, ending near the 1024 limit
      const k = 1 + r.int(3)
      push(BigInt(Math.floor((1000 + r.int(40)) / k)))
      const top = out.length
      out.push(0x5b)
      for (let j = k; j > 0; j--) out.push(r.pick([0x58, 0x59, 0x5f, 0x36]), 0x90) // push, keep the counter on top
      if (r.int(2) === 0) out.push(0x5b, 0x5b)
      out.push(0x60, 1, 0x90, 0x03, 0x80) // PUSH1 1 SWAP1 SUB DUP1
      out.push(0x61, top >> 8, top & 0xff, 0x57, 0x50) // PUSH2 top JUMPI POP
    } else if (k < 18) {
      push(BigInt(r.int(64)))
      push(BigInt(r.int(64)))
      push(BigInt(r.int(40)))
      out.push(r.pick([0x37, 0x39, 0x3e, 0x5e, 0x20]))
    } else {
      for (let j = r.int(6); j > 0; j--) out.push(r.int(256))
    }
  }
  push(BigInt(r.int(64)))
  push(BigInt(r.int(64)))
  out.push(r.pick([0xf3, 0xf3, 0xfd, 0x00]))
  for (const at of fixups) {
    const t = labels.length > 0 && r.int(8) !== 0 ? r.pick(labels) : r.int(out.length + 4)
    out[at] = t >> 8
    out[at + 1] = t & 0xff
  }
  return Uint8Array.from(out)
}

/** Random bytes biased to valid opcodes and small pushes. */
export function genRandom(r: Rng): Uint8Array {
  const n = 1 + r.int(120)
  const out: number[] = []
  while (out.length < n) {
    const k = r.int(10)
    if (k < 5) out.push(r.pick(ALL_VALID))
    else if (k < 8) out.push(0x60, r.int(k === 7 ? 256 : 40))
    else out.push(r.int(256))
  }
  return Uint8Array.from(out)
}

/** Mutate existing bytecode: byte flips, inserted snippets, deletions, changed immediates. */
export function mutate(r: Rng, code: Uint8Array): Uint8Array {
  const out = Array.from(code)
  const m = 1 + r.int(4)
  for (let i = 0; i < m && out.length > 0; i++) {
    const at = r.int(out.length)
    const k = r.int(5)
    if (k === 0) out[at] = r.pick(ALL_VALID)
    else if (k === 1) out.splice(at, 0, ...genRandom(r).slice(0, 1 + r.int(8)))
    else if (k === 2) out.splice(at, 1 + r.int(4))
    else if (k === 3) out[at] = r.int(256)
    else out.splice(at, 0, 0x5b)
  }
  return Uint8Array.from(out)
}

/** PUSH4 immediates of `code` (likely function selectors). */
export function selectors(code: Uint8Array): number[] {
  const out: number[] = []
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc]!
    if (op === 0x63 && pc + 4 < code.length) out.push(((code[pc + 1]! << 24) | (code[pc + 2]! << 16) | (code[pc + 3]! << 8) | code[pc + 4]!) >>> 0)
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f
  }
  return out
}

/** Random calldata, starting with one of `sels` when given. */
export function genCalldata(r: Rng, sels: number[]): Uint8Array {
  const words = r.int(4)
  const withSel = sels.length > 0 && r.int(4) !== 0
  const out = new Uint8Array((withSel ? 4 : 0) + words * 32 + (r.int(3) === 0 ? r.int(31) : 0))
  if (withSel) new DataView(out.buffer).setUint32(0, r.pick(sels))
  for (let i = withSel ? 4 : 0; i < out.length; i++) out[i] = r.int(4) === 0 ? r.int(256) : 0
  for (let w = 0; w < words; w++) {
    const p = (withSel ? 4 : 0) + w * 32 + 31
    if (p < out.length) out[p] = r.int(256)
  }
  return out
}

/** A case around `code` with random inputs. */
export function genCase(r: Rng, code: Uint8Array, calldata?: Uint8Array): FuzzCase {
  const storage: [bigint, bigint][] = []
  for (let s = 0n; s < 4n; s++) if (r.int(2) === 0) storage.push([s, BigInt(1 + r.int(3))])
  return {
    code,
    calldata: calldata ?? genCalldata(r, selectors(code)),
    value: r.int(4) === 0 ? BigInt(r.int(1000)) : 0n,
    gas: r.int(5) === 0 ? r.int(30000) : 50000 + r.int(2_000_000),
    depth: r.int(12) === 0 ? 1021 + r.int(3) : 0,
    isStatic: r.int(15) === 0,
    storage,
  }
}

// ------------------------------------------------------------------ shrinking

/** Reduce a mismatching case (fewer code bytes, shorter calldata, less gas) while it still mismatches. */
export function shrink(c: FuzzCase, jit: Jit, fork: Fork = 'Cancun', budget = 1500): FuzzCase {
  let best = c
  let runs = 0
  const fails = (x: FuzzCase): boolean => {
    runs++
    return differential(x, jit, fork).mismatch !== undefined
  }
  for (let chunk = Math.max(1, best.code.length >> 1); chunk >= 1 && runs < budget; chunk >>= 1) {
    for (let at = 0; at < best.code.length && runs < budget; ) {
      const code = new Uint8Array(best.code.length - Math.min(chunk, best.code.length - at))
      code.set(best.code.subarray(0, at))
      code.set(best.code.subarray(at + chunk), at)
      const cand = { ...best, code }
      if (fails(cand)) best = cand
      else at += chunk
    }
  }
  for (let len = best.calldata.length >> 1; len >= 0 && runs < budget; len = len === 0 ? -1 : len >> 1) {
    const cand = { ...best, calldata: best.calldata.slice(0, len) }
    if (fails(cand)) best = cand
  }
  if (best.storage.length > 0 && fails({ ...best, storage: [] })) best = { ...best, storage: [] }
  if (best.value !== 0n && fails({ ...best, value: 0n })) best = { ...best, value: 0n }
  if (best.depth !== 0 && fails({ ...best, depth: 0 })) best = { ...best, depth: 0 }
  return best
}

/** A reproducer line for a case. */
export function describeCase(c: FuzzCase): string {
  return `code=0x${bytesToHexRaw(c.code)} calldata=0x${bytesToHexRaw(c.calldata)} value=${c.value} gas=${c.gas} depth=${c.depth} static=${c.isStatic} storage=${JSON.stringify(c.storage.map(([k, v]) => [k.toString(), v.toString()]))}`
}

/** A JIT forced on from the first call, for differential runs. */
export function forcedJit(): Jit {
  return new Jit({ threshold: 0 })
}
