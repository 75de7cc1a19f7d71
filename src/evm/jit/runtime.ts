/**
 * Runtime helpers called by JIT-generated code for the opcodes that are too
 * large to inline (copies, KECCAK256, LOG, SSTORE, RETURN/REVERT, account
 * queries). Each one mirrors the interpreter's handler step for step and
 * uses the interpreter's own helpers (`interpreterInternals`: memory
 * expansion, `halt`, word I/O) and the shared gas constants `G` from
 * `opcodes.ts`, so there is one implementation of memory and gas rules and
 * no second copy of any gas constant (the lesson of geth's JIT, see
 * shared/research/evm-and-jit.md §6). The differential fuzzer
 * (`scripts/fuzz-jit.ts`) checks every helper against the interpreter.
 *
 * Convention: helpers that charge gas read and write `f.gas` (the caller
 * stores its local gas counter there first and reloads it after) and return
 * `false`/`undefined` after `halt(f, …)` on an exceptional halt.
 */
import { bigIntToAddress } from '../../state/overlay.js'
import { bytes32ToBigInt, type Evm, type Frame, interpreterInternals as I } from '../interpreter.js'
import { keccakWord } from '../keccak.js'
import { G } from '../opcodes.js'

const EMPTY = new Uint8Array(0)
const ADDR_MASK = (1n << 160n) - 1n
const MAX = (1n << 256n) - 1n
const SIGN = 1n << 255n
const MOD = 1n << 256n
const KECCAK_EMPTY_WORD = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470n
const COLD_ACCOUNT_EXTRA = G.COLD_ACCOUNT_ACCESS - G.WARM_ACCESS

const { halt, expand, num, copyPadded, toSigned, expMod } = I

/** Words whose top 24 bytes are all ones (small negative numbers in two's complement). */
const HIGH_ONES = MAX - 0xffffffffffffffffn

/**
 * MLOAD's word read. Same result as the interpreter's `readWord`, with fast
 * paths for the common shapes (top 24 bytes all zero: pointers, lengths,
 * counters; all ones: small negative numbers) that allocate one BigInt
 * instead of seven. The top bytes are tested as 32-bit numbers.
 */
export function readWord(v: DataView, o: number): bigint {
  const a = v.getUint32(o)
  const b = v.getUint32(o + 4)
  const c = v.getUint32(o + 8)
  const d = v.getUint32(o + 12)
  const e = v.getUint32(o + 16)
  const g = v.getUint32(o + 20)
  if ((a | b | c | d | e | g) === 0) return v.getBigUint64(o + 24)
  if ((a & b & c & d & e & g) === -1) return HIGH_ONES | v.getBigUint64(o + 24)
  return (v.getBigUint64(o) << 192n) | (v.getBigUint64(o + 8) << 128n) | (v.getBigUint64(o + 16) << 64n) | v.getBigUint64(o + 24)
}

/** MSTORE's word write (same bytes as the interpreter's `writeWord`; `setBigUint64` keeps the low 64 bits), with the fast paths of `readWord`. */
export function writeWord(v: DataView, o: number, x: bigint): void {
  if (x <= 0xffffffffffffffffn) {
    v.setUint32(o, 0)
    v.setUint32(o + 4, 0)
    v.setUint32(o + 8, 0)
    v.setUint32(o + 12, 0)
    v.setUint32(o + 16, 0)
    v.setUint32(o + 20, 0)
    v.setBigUint64(o + 24, x)
    return
  }
  if (x >= HIGH_ONES) {
    v.setUint32(o, 0xffffffff)
    v.setUint32(o + 4, 0xffffffff)
    v.setUint32(o + 8, 0xffffffff)
    v.setUint32(o + 12, 0xffffffff)
    v.setUint32(o + 16, 0xffffffff)
    v.setUint32(o + 20, 0xffffffff)
    v.setBigUint64(o + 24, x)
    return
  }
  v.setBigUint64(o, x >> 192n)
  v.setBigUint64(o + 8, x >> 128n)
  v.setBigUint64(o + 16, x >> 64n)
  v.setBigUint64(o + 24, x)
}

/** `halt` for boolean-returning helpers. */
function fail(f: Frame, reason: string): false {
  halt(f, reason)
  return false
}

/** EXP's value (the interpreter's short cuts included). */
export function expValue(base: bigint, e: bigint): bigint {
  return e === 0n ? 1n : base === 0n ? 0n : base === 1n ? 1n : e === 1n ? base : expMod(base, e)
}

/** SIGNEXTEND(b, x). */
export function signExtend(b: bigint, x: bigint): bigint {
  if (b < 31n) {
    const bit = b * 8n + 7n
    const mask = (1n << (bit + 1n)) - 1n
    return (x >> bit) & 1n ? (x | ~mask) & MAX : x & mask
  }
  return x
}

/** SAR(shift, value). */
export function sar(s: bigint, v: bigint): bigint {
  if (v < SIGN) return s < 256n ? v >> s : 0n
  return s < 256n ? ((v - MOD) >> s) & MAX : MAX
}

/** SDIV(a, b), on magnitudes (truncation toward zero, as `toSigned(a) / toSigned(b)`). */
export function sdiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n
  const na = a >= SIGN
  const nb = b >= SIGN
  if (!na && !nb) return a / b
  const q = (na ? MOD - a : a) / (nb ? MOD - b : b)
  return na === nb || q === 0n ? q : MOD - q
}

/** ADDMOD(a, b, m): one conditional subtraction instead of a division when both operands are already reduced. */
export function addmod(a: bigint, b: bigint, m: bigint): bigint {
  if (m === 0n) return 0n
  const s = a + b
  if (a < m && b < m) return s >= m ? s - m : s
  return s % m
}

/** SMOD(a, b). */
export function smod(a: bigint, b: bigint): bigint {
  return b === 0n ? 0n : (toSigned(a) % toSigned(b)) & MAX
}

/** RETURN (status S_RETURN) or REVERT (S_REVERT) with gas `gas`; returns the frame status. */
export function ret(f: Frame, gas: number, offB: bigint, lenB: bigint, status: number): number {
  const len = num(lenB)
  if (len < 0) return halt(f, 'out of gas')
  let out = EMPTY
  if (len > 0) {
    const off = num(offB)
    if (off < 0) return halt(f, 'out of gas')
    f.gas = gas
    if (!expand(f, off + len)) return halt(f, 'out of gas')
    gas = f.gas
    out = f.mem.slice(off, off + len)
  }
  f.gas = gas
  f.output = out
  return status
}

/** KECCAK256 over memory; undefined after a halt. */
export function keccak(f: Frame, offB: bigint, lenB: bigint): bigint | undefined {
  const len = num(lenB)
  if (len < 0) {
    halt(f, 'out of gas')
    return undefined
  }
  if (len === 0) return KECCAK_EMPTY_WORD
  const off = num(offB)
  if (off < 0) {
    halt(f, 'out of gas')
    return undefined
  }
  f.gas -= G.KECCAK_WORD * Math.ceil(len / 32)
  if (f.gas < 0 || !expand(f, off + len)) {
    halt(f, 'out of gas')
    return undefined
  }
  return keccakWord(f.mem, off, len)
}

/** CALLDATACOPY (0x37), CODECOPY (0x39), RETURNDATACOPY (0x3e); false after a halt. */
export function copy(f: Frame, op: number, dstB: bigint, srcOff: bigint, lenB: bigint): boolean {
  const len = num(lenB)
  if (len < 0) return fail(f, 'out of gas')
  let src: Uint8Array
  if (op === 0x37) src = f.calldata
  else if (op === 0x39) src = f.code.raw
  else {
    src = f.returnData
    if (srcOff + BigInt(len) > BigInt(src.length)) return fail(f, 'return data out of bounds')
  }
  if (len > 0) {
    const dst = num(dstB)
    if (dst < 0) return fail(f, 'out of gas')
    f.gas -= G.COPY_WORD * Math.ceil(len / 32)
    if (f.gas < 0) return fail(f, 'out of gas')
    if (!expand(f, dst + len)) return fail(f, 'out of gas')
    copyPadded(f.mem, dst, src, srcOff, len)
  }
  return true
}

/** EXTCODECOPY; false after a halt. */
export function extCodeCopy(evm: Evm, f: Frame, addr: bigint, dst: bigint, srcOff: bigint, lenB: bigint): boolean {
  const state = evm.state
  const a = state.account(addr & ADDR_MASK)
  const len = num(lenB)
  if (len < 0) return fail(f, 'out of gas')
  if (state.warmAccount(a)) f.gas -= COLD_ACCOUNT_EXTRA
  if (len > 0) {
    const d = num(dst)
    if (d < 0) return fail(f, 'out of gas')
    f.gas -= G.COPY_WORD * Math.ceil(len / 32)
    if (f.gas < 0) return fail(f, 'out of gas')
    if (!expand(f, d + len)) return fail(f, 'out of gas')
    copyPadded(f.mem, d, state.code(a), srcOff, len)
  } else if (f.gas < 0) return fail(f, 'out of gas')
  return true
}

/** MCOPY; false after a halt. */
export function mcopy(f: Frame, dstB: bigint, srcB: bigint, lenB: bigint): boolean {
  const len = num(lenB)
  if (len < 0) return fail(f, 'out of gas')
  if (len > 0) {
    const src = num(srcB)
    const dst = num(dstB)
    if (src < 0 || dst < 0) return fail(f, 'out of gas')
    f.gas -= G.COPY_WORD * Math.ceil(len / 32)
    if (f.gas < 0) return fail(f, 'out of gas')
    if (!expand(f, Math.max(src, dst) + len)) return fail(f, 'out of gas')
    f.mem.copyWithin(dst, src, src + len)
  }
  return true
}

/**
 * LOG0..LOG4 with `n` topics (`t0` is the top of the stack); false after a
 * halt. Topics and data go straight into the transaction's log arena
 * through the overlay's `emitLog`, as in the interpreter (no per-log
 * arrays or byte copies).
 */
export function log(evm: Evm, f: Frame, offB: bigint, lenB: bigint, n: number, t0: bigint, t1: bigint, t2: bigint, t3: bigint): boolean {
  if (f.msg.isStatic) return fail(f, 'state change in static call')
  const len = num(lenB)
  if (len < 0) return fail(f, 'out of gas')
  let o = 0
  if (len > 0) {
    o = num(offB)
    if (o < 0) return fail(f, 'out of gas')
    f.gas -= G.LOG_DATA * len
    if (f.gas < 0) return fail(f, 'out of gas')
    if (!expand(f, o + len)) return fail(f, 'out of gas')
  }
  evm.state.emitLog((f.account.addressBytes ??= bigIntToAddress(f.msg.address)), n, t0, t1, t2, t3, f.mem, o, len)
  return true
}

/**
 * SSTORE. `after` is the static gas the block has already charged for the
 * instructions after this one, so `f.gas + after` is the exact gas the
 * interpreter would see (the EIP-2200 stipend sentry reads it). One slot
 * entry lookup (`slot`/`warmSlotEntry`/`writeSlot`, the interpreter's
 * path) instead of separate warm, current and original reads.
 */
export function sstore(evm: Evm, f: Frame, key: bigint, val: bigint, after: number): boolean {
  if (f.msg.isStatic) return fail(f, 'state change in static call')
  if (f.gas + after <= G.SSTORE_SENTRY && f.bank === 0n) return fail(f, 'out of gas (SSTORE sentry)')
  const state = evm.state
  const a = f.account
  const sl = state.slot(a, key)
  let cost = 0
  if (state.warmSlotEntry(sl)) cost += G.COLD_SLOAD
  const cur = sl.value
  if (cur === val) cost += G.WARM_ACCESS
  else {
    const orig = sl.origEpoch === state.epoch ? sl.orig : cur
    if (orig === cur) {
      if (orig === 0n) cost += G.SSTORE_SET
      else {
        cost += G.SSTORE_RESET
        if (val === 0n) state.addRefund(G.SSTORE_CLEARS_REFUND)
      }
    } else {
      cost += G.WARM_ACCESS
      if (orig !== 0n) {
        if (cur === 0n) state.addRefund(-G.SSTORE_CLEARS_REFUND)
        else if (val === 0n) state.addRefund(G.SSTORE_CLEARS_REFUND)
      }
      if (orig === val) state.addRefund(orig === 0n ? G.SSTORE_SET - G.WARM_ACCESS : G.SSTORE_RESET - G.WARM_ACCESS)
    }
  }
  f.gas -= cost
  if (f.gas < 0) return fail(f, 'out of gas')
  if (cur !== val) state.writeSlot(a, sl, val)
  return true
}

/** SLOAD slow path (cold slot or not cached yet; the interpreter's `slot`/`warmSlotEntry`); undefined after a halt. */
export function sload(evm: Evm, f: Frame, key: bigint): bigint | undefined {
  const state = evm.state
  const sl = state.slot(f.account, key)
  if (state.warmSlotEntry(sl)) {
    f.gas -= G.COLD_SLOAD - G.WARM_ACCESS
    if (f.gas < 0) {
      halt(f, 'out of gas')
      return undefined
    }
  }
  return sl.value
}

/** BALANCE (0x31), EXTCODESIZE (0x3b), EXTCODEHASH (0x3f); undefined after a halt. */
export function accountQuery(evm: Evm, f: Frame, op: number, x: bigint): bigint | undefined {
  const state = evm.state
  const a = state.account(x & ADDR_MASK)
  if (state.warmAccount(a)) {
    f.gas -= COLD_ACCOUNT_EXTRA
    if (f.gas < 0) {
      halt(f, 'out of gas')
      return undefined
    }
  }
  if (op === 0x31) return a.balance
  if (op === 0x3b) return BigInt(state.code(a).length)
  return !a.exists || a.isEmpty() ? 0n : bytes32ToBigInt(a.codeHash)
}

/** BLOCKHASH. */
export function blockHash(evm: Evm, n: bigint): bigint {
  const cur = evm.block.number
  return n < cur && n + 256n >= cur ? bytes32ToBigInt(evm.state.reader.blockHash(n)) : 0n
}

/** BLOBHASH. */
export function blobHash(evm: Evm, i: bigint): bigint {
  const hs = evm.tx.blobHashes
  return i < BigInt(hs.length) ? bytes32ToBigInt(hs[Number(i)]!) : 0n
}

/** Everything generated code receives as `rt`. */
export const runtime = {
  ...I,
  readWord,
  writeWord,
  expValue,
  signExtend,
  sar,
  sdiv,
  addmod,
  smod,
  ret,
  keccak,
  copy,
  extCodeCopy,
  mcopy,
  log,
  sstore,
  sload,
  accountQuery,
  blockHash,
  blobHash,
  bytes32ToBigInt,
  EMPTY,
  MAX,
  ADDR_MASK,
} as const

/** Type of `runtime`. */
export type Runtime = typeof runtime
