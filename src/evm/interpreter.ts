/**
 * The EVM interpreter: a synchronous, non-recursive engine. Each call frame
 * runs in a tight `switch` loop over pre-decoded code with a BigInt stack
 * (shared/research/evm-and-jit.md §3-4: BigInt words, pre-decoded PUSH
 * immediates, per-fork gas tables from `opcodes.ts`). CALL/CREATE do not
 * recurse in JS: the frame suspends with a pending message, the driver loop
 * in `Evm.execute` runs the child and resumes the parent, so the 1024-deep
 * call limit never touches the JS stack (and a JIT can reuse the protocol).
 *
 * Rules implemented: the Berlin..Prague schedule (EIP-2929/2930 warm/cold,
 * EIP-2200/3529 SSTORE, EIP-150 63/64, EIP-3860 init code, EIP-6780
 * SELFDESTRUCT, EIP-1153, EIP-5656 MCOPY, EIP-4844 BLOBHASH, EIP-7516
 * BLOBBASEFEE, EIP-3855 PUSH0, EIP-7702 delegation in calls). Forks before
 * Berlin are not supported by the gas schedule.
 */
import { createAddress, create2Address } from '../crypto/address.js'
import { keccak256 } from '../crypto/keccak.js'
import { forkAtLeast, type Fork } from '../eth/fork.js'
import { type Account, type StateOverlay, bigIntToAddress, addressToBigInt } from '../state/overlay.js'
import { type AnalyzedCode, analyzeCode, CodeCache } from './code.js'
import { type BlockEnv, CallKind, type Message, type MessageResult, type TxEnv } from './env.js'
import { forkTables, G, MAX_CALL_DEPTH, MAX_CODE_SIZE, MAX_INITCODE_SIZE, MAX_STACK, OPCODES, type ForkTables } from './opcodes.js'
import { getPrecompile, type PrecompileResult } from './precompiles/index.js'
import { keccakWord } from './keccak.js'

const MAX = (1n << 256n) - 1n
const SIGN = 1n << 255n
const MOD = 1n << 256n
const ADDR_MASK = (1n << 160n) - 1n
const EMPTY = new Uint8Array(0)
const U32 = 0xffffffffn

/** BYTE's shift amount (248 - 8i) by byte index, as bigints. */
const BYTE_SHIFT: bigint[] = Array.from({ length: 32 }, (_, i) => BigInt(248 - 8 * i))

/** Frame status returned by `interpret`. */
const S_STOP = 0
const S_RETURN = 1
const S_REVERT = 2
const S_ERROR = 3
const S_SUSPEND = 4

/** EIP-7702 delegation designator prefix. */
export const DELEGATION_PREFIX = Uint8Array.of(0xef, 0x01, 0x00)

/** The delegate address if `code` is an EIP-7702 designator (0xef0100 ‖ address), else undefined. */
export function delegationTarget(code: Uint8Array): bigint | undefined {
  if (code.length === 23 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00) return addressToBigInt(code.subarray(3))
  return undefined
}

/** One call frame's mutable state. */
export class Frame {
  readonly msg: Message
  readonly code: AnalyzedCode
  /** Account whose storage the frame uses (msg.address). */
  readonly account: Account
  pc = 0
  sp = 0
  gas: number
  /** Gas beyond `gas` (exact big-gas accounting; 0n in practice). */
  bank: bigint
  readonly stack: bigint[]
  mem: Uint8Array
  view: DataView
  /** Active memory size in bytes (multiple of 32). */
  memLen = 0
  returnData: Uint8Array = EMPTY
  readonly checkpoint: number
  /** CALLDATA (empty for init code). */
  readonly calldata: Uint8Array
  /** Pending child message while suspended. */
  pending: Message | undefined = undefined
  /** Where a pending call's output goes in memory. */
  retOff = 0
  retLen = 0
  output: Uint8Array = EMPTY
  error: string | undefined = undefined

  constructor(msg: Message, code: AnalyzedCode, account: Account, checkpoint: number, stack: bigint[], mem: Uint8Array, view?: DataView) {
    this.msg = msg
    this.code = code
    this.account = account
    this.gas = msg.gas
    this.bank = msg.gasBank ?? 0n
    this.checkpoint = checkpoint
    this.calldata = msg.kind === CallKind.Create || msg.kind === CallKind.Create2 ? EMPTY : msg.input
    this.stack = stack
    this.mem = mem
    this.view = view ?? new DataView(mem.buffer, mem.byteOffset, mem.byteLength)
  }
}

// Stacks and memories are pooled per thread (frames take one and give it
// back when they end), so a message costs no 8 KB stack or 4 KB memory
// allocation. Safe because execution is synchronous; a frame lost to an
// exception just leaves its buffers to the GC.
const stackPool: bigint[][] = []
const memPool: Uint8Array[] = []
const viewPool: DataView[] = []
/** Pool sizes kept (deeper call chains allocate beyond this). */
const POOL_MAX = 64
/** Largest memory kept in the pool. */
const POOL_MEM_MAX = 1 << 20
/** Total bytes of pooled memories (bounds what the pool pins). */
const POOL_BYTES_MAX = 8 << 20
let pooledBytes = 0

/** Options for an `Evm`. */
export interface EvmOptions {
  /** Shared analysed-code cache (one per engine/worker). */
  codeCache?: CodeCache
  /** JIT hook (issue 6, src/evm/jit): compiled tier tried before `interpret`; defaults to `codeCache.jit`. */
  jit?: FrameRunner
}

/**
 * JIT hook (issue 6, src/evm/jit). `run` executes frame `f` from `f.pc`
 * like `interpret` and returns its status, or returns a negative number to
 * hand the frame (state fully written back to `f.pc`, `f.sp`, `f.gas`,
 * `f.stack`) to the interpreter, which continues from there.
 */
export interface FrameRunner {
  run(evm: Evm, f: Frame): number
}

/** Largest gas a frame tracks in its double; the rest stays in `bank`. */
const GAS_CHUNK = 1n << 52n
const GAS_CHUNK_NUM = 2 ** 52

/** Split exact gas into (number part ≤ 2^52, bigint bank). */
export function splitGas(total: bigint): [number, bigint] {
  if (total <= GAS_CHUNK) return [Number(total), 0n]
  return [Number(GAS_CHUNK), total - GAS_CHUNK]
}

function memCost(words: number): number {
  return 3 * words + Math.floor((words * words) / 512)
}

/** Grow memory to cover `end` bytes, charging gas. False when out of gas. */
function expand(f: Frame, end: number): boolean {
  if (end <= f.memLen) return true
  const words = Math.ceil(end / 32)
  const cost = memCost(words) - memCost(f.memLen >>> 5)
  if (cost > f.gas) return false
  f.gas -= cost
  const newLen = words * 32
  if (newLen > f.mem.length) {
    let cap = f.mem.length * 2
    if (cap < newLen) cap = newLen
    const m = new Uint8Array(cap)
    m.set(f.mem.subarray(0, f.memLen))
    f.mem = m
    f.view = new DataView(m.buffer)
  }
  f.memLen = newLen
  return true
}

/** A u256 as a number when it fits in 32 bits, else -1. */
function num(v: bigint): number {
  return v <= U32 ? Number(v) : -1
}

/**
 * The 32 big-endian bytes at `o` of `v` as a word. Fast paths (no BigInt
 * arithmetic) for values below 2^64 and for 160-bit values (addresses), the
 * common contents of EVM memory and calldata.
 */
function readWord(v: DataView, o: number): bigint {
  const z0 = v.getUint32(o) | v.getUint32(o + 4) | v.getUint32(o + 8)
  if (z0 === 0) {
    if ((v.getUint32(o + 12) | v.getUint32(o + 16) | v.getUint32(o + 20)) === 0) return v.getBigUint64(o + 24)
    return (BigInt(v.getUint32(o + 12)) << 128n) | (v.getBigUint64(o + 16) << 64n) | v.getBigUint64(o + 24)
  }
  return (v.getBigUint64(o) << 192n) | (v.getBigUint64(o + 8) << 128n) | (v.getBigUint64(o + 16) << 64n) | v.getBigUint64(o + 24)
}

/** Store word `x` as 32 big-endian bytes at `o` of `v` (setBigUint64 keeps the low 64 bits of its argument). */
function writeWord(v: DataView, o: number, x: bigint): void {
  if (x <= 0xffffffffffffffffn) {
    v.setBigUint64(o, 0n)
    v.setBigUint64(o + 8, 0n)
    v.setBigUint64(o + 16, 0n)
    v.setBigUint64(o + 24, x)
    return
  }
  if (x <= 0xffffffffffffffffffffffffffffffffffffffffn) {
    v.setBigUint64(o, 0n)
    v.setUint32(o + 8, 0)
    v.setUint32(o + 12, Number(x >> 128n))
    v.setBigUint64(o + 16, x >> 64n)
    v.setBigUint64(o + 24, x)
    return
  }
  v.setBigUint64(o, x >> 192n)
  v.setBigUint64(o + 8, x >> 128n)
  v.setBigUint64(o + 16, x >> 64n)
  v.setBigUint64(o + 24, x)
}

const SCRATCH = new Uint8Array(32)
const SCRATCH_VIEW = new DataView(SCRATCH.buffer)

/** 32 big-endian bytes as a word. */
export function bytes32ToBigInt(b: Uint8Array): bigint {
  const s = SCRATCH
  for (let i = 0; i < 32; i++) s[i] = b[i]!
  return readWord(SCRATCH_VIEW, 0)
}

/** Read 32 bytes at `off` of `data`, zero-padded past the end. */
function loadPadded(data: Uint8Array, off: bigint): bigint {
  const n = data.length
  if (off >= 0x100000000n) return 0n
  const o = Number(off)
  if (o >= n) return 0n
  const s = SCRATCH
  if (o + 32 <= n) for (let i = 0; i < 32; i++) s[i] = data[o + i]!
  else {
    const k = n - o
    for (let i = 0; i < k; i++) s[i] = data[o + i]!
    s.fill(0, k)
  }
  return readWord(SCRATCH_VIEW, 0)
}

/** Copy `len` bytes from `src[srcOff..]` (zero-padded) into `dst[dstOff..]`. */
function copyPadded(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: bigint, len: number): void {
  const available = srcOff >= BigInt(src.length) ? 0 : src.length - Number(srcOff)
  const n = Math.min(available, len)
  if (n > 0) {
    const s = Number(srcOff)
    dst.set(src.subarray(s, s + n), dstOff)
  }
  if (n < len) dst.fill(0, dstOff + n, dstOff + len)
}

function toSigned(x: bigint): bigint {
  return x >= SIGN ? x - MOD : x
}

function expMod(base: bigint, exp: bigint): bigint {
  let result = 1n
  let b = base
  let e = exp
  while (e > 0n) {
    if (e & 1n) result = (result * b) & MAX
    e >>= 1n
    if (e > 0n) b = (b * b) & MAX
  }
  return result
}

function byteLength(v: bigint): number {
  if (v === 0n) return 0
  return (v.toString(16).length + 1) >> 1
}

function wordToBytes32(v: bigint): Uint8Array {
  writeWord(SCRATCH_VIEW, 0, v)
  const b = new Uint8Array(32)
  for (let i = 0; i < 32; i++) b[i] = SCRATCH[i]!
  return b
}

const SLAB_SIZE = 16384
const SLAB_MAX = 1024
let slab = new Uint8Array(SLAB_SIZE)
let slabPos = 0

/**
 * A copy of `len` bytes of `m` at `off` for short-lived data (call input,
 * RETURN/REVERT output): up to 1 KB it is a view into a shared 16 KB slab,
 * because allocating a typed array above 64 bytes costs a separate backing
 * store (~1 µs) while a view costs a few tens of ns. Never used for data that
 * outlives the transaction (logs, code), so a slab is not pinned for long.
 */
function copyShort(m: Uint8Array, off: number, len: number): Uint8Array {
  if (len > SLAB_MAX) return m.slice(off, off + len)
  if (slabPos + len > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE)
    slabPos = 0
  }
  const o = slabPos
  const out = slab.subarray(o, o + len)
  slabPos = o + len
  const sl = slab
  if (len <= 96) for (let i = 0; i < len; i++) sl[o + i] = m[off + i]!
  else sl.set(m.subarray(off, off + len), o)
  return out
}

/** The EVM: runs messages against a `StateOverlay` under one block's rules. */
export class Evm {
  readonly state: StateOverlay
  readonly block: BlockEnv
  readonly fork: Fork
  /** Transaction environment; set before each transaction. */
  tx: TxEnv = { origin: 0n, gasPrice: 0n, blobHashes: [] }
  readonly codeCache: CodeCache
  /** JIT hook (issue 6): compiled tier, or undefined for interpreter only. */
  readonly jit: FrameRunner | undefined
  /** @internal */
  readonly tables: ForkTables
  /** @internal */
  readonly coinbase: bigint
  /** @internal */
  readonly prevRandao: bigint
  /** @internal rules */
  readonly isPrague: boolean
  readonly isCancun: boolean

  constructor(state: StateOverlay, block: BlockEnv, opts: EvmOptions = {}) {
    this.state = state
    this.block = block
    this.fork = block.fork
    if (!forkAtLeast(this.fork, 'Berlin')) throw new RangeError(`fork ${this.fork} not supported (Berlin or later)`)
    this.tables = forkTables(block.fork)
    this.codeCache = opts.codeCache ?? new CodeCache()
    this.jit = opts.jit ?? this.codeCache.jit // JIT hook (issue 6)
    this.coinbase = addressToBigInt(block.coinbase)
    this.prevRandao = bytes32ToBigInt(block.prevRandao)
    this.isPrague = forkAtLeast(this.fork, 'Prague')
    this.isCancun = forkAtLeast(this.fork, 'Cancun')
  }

  /** True when `address` holds a precompile under this fork. */
  isPrecompile(address: bigint): boolean {
    return address > 0n && address <= 0x11n && getPrecompile(bigIntToAddress(address), this.fork) !== undefined
  }

  /** Run a message (and all its sub-calls) to completion. */
  execute(msg: Message): MessageResult {
    const first = this.enter(msg)
    if (!(first instanceof Frame)) return first
    const frames: Frame[] = [first]
    for (;;) {
      const f = frames[frames.length - 1]!
      // JIT hook (issue 6): the compiled tier runs the frame or hands it back (< 0) to the interpreter
      let status = this.jit !== undefined ? this.jit.run(this, f) : -1
      if (status < 0) status = interpret(this, f)
      if (status === S_SUSPEND) {
        const child = f.pending!
        f.pending = undefined
        const r = this.enter(child)
        if (r instanceof Frame) frames.push(r)
        else this.resume(f, r)
        continue
      }
      const res = this.exit(f, status)
      frames.pop()
      this.release(f)
      if (frames.length === 0) return res
      this.resume(frames[frames.length - 1]!, res)
    }
  }

  private fail(gasLeft: number, error: string): MessageResult {
    return { success: false, reverted: false, gasLeft, output: EMPTY, createdAddress: undefined, error }
  }

  /** A message refused before running: all its gas goes back. */
  private refuse(msg: Message, error: string): MessageResult {
    return { success: false, reverted: false, gasLeft: msg.gas, gasBank: msg.gasBank, output: EMPTY, createdAddress: undefined, error }
  }

  /** A message that succeeded without running code. */
  private noop(msg: Message, createdAddress: bigint | undefined): MessageResult {
    return { success: true, reverted: false, gasLeft: msg.gas, gasBank: msg.gasBank, output: EMPTY, createdAddress, error: undefined }
  }

  private newFrame(msg: Message, code: AnalyzedCode, account: Account, cp: number): Frame {
    const st = stackPool.length > 0 ? stackPool.pop()! : new Array<bigint>(1024).fill(0n)
    if (memPool.length > 0) {
      const m = memPool.pop()!
      pooledBytes -= m.length
      return new Frame(msg, code, account, cp, st, m, viewPool.pop()!)
    }
    return new Frame(msg, code, account, cp, st, new Uint8Array(4096))
  }

  private release(f: Frame): void {
    if (stackPool.length < POOL_MAX) stackPool.push(f.stack)
    const m = f.mem
    if (m.length <= POOL_MEM_MAX && memPool.length < POOL_MAX && pooledBytes + m.length <= POOL_BYTES_MAX) {
      pooledBytes += m.length
      m.fill(0, 0, f.memLen)
      memPool.push(m)
      viewPool.push(f.view)
    }
  }

  /** Start a message: either an immediate result or a frame to interpret. */
  private enter(msg: Message): MessageResult | Frame {
    const state = this.state
    if (msg.kind === CallKind.Create || msg.kind === CallKind.Create2) return this.enterCreate(msg)
    if (!msg.isTopLevel) {
      if (msg.depth > MAX_CALL_DEPTH) return this.refuse(msg, 'call depth exceeded')
      if (msg.transfersValue || msg.kind === CallKind.CallCode) {
        if (msg.value > 0n && state.account(msg.caller).balance < msg.value) return this.refuse(msg, 'insufficient balance for transfer')
      }
    }
    const cp = state.checkpoint()
    const target = state.account(msg.address)
    const isPre = this.isPrecompile(msg.codeAddress)
    if (msg.kind === CallKind.Call) {
      if (!target.exists) {
        if (!isPre && msg.value === 0n) {
          return this.noop(msg, undefined)
        }
        state.createAccount(target)
      }
      if (msg.value > 0n) state.transfer(state.account(msg.caller), target, msg.value)
      state.touch(target)
    } else if (msg.kind === CallKind.StaticCall) {
      state.touch(target)
    }
    if (isPre) {
      const pc = getPrecompile(bigIntToAddress(msg.codeAddress), this.fork)!
      let r: PrecompileResult
      try {
        r = pc(msg.input, BigInt(msg.gas) + (msg.gasBank ?? 0n), this.fork)
      } catch (e) {
        r = { ok: false, reason: `precompile threw: ${(e as Error).message}` }
      }
      const total = BigInt(msg.gas) + (msg.gasBank ?? 0n)
      if (!r.ok || r.gasUsed > total) {
        state.revert(cp)
        return this.fail(0, r.ok ? 'precompile out of gas' : r.reason)
      }
      const [gl, gb] = splitGas(total - r.gasUsed)
      return { success: true, reverted: false, gasLeft: gl, gasBank: gb, output: r.output, createdAddress: undefined, error: undefined }
    }
    let code: AnalyzedCode
    if (msg.code !== undefined) {
      if (msg.code.length === 0) return this.noop(msg, undefined)
      code = msg.codeHash ? this.codeCache.get(msg.codeHash, msg.code) : analyzeCode(msg.code)
    } else {
      const ca = msg.codeAddress === msg.address ? target : state.account(msg.codeAddress)
      const raw = state.code(ca)
      if (raw.length === 0) return this.noop(msg, undefined)
      code = this.codeCache.get(ca.codeHash, raw)
    }
    return this.newFrame(msg, code, target, cp)
  }

  private enterCreate(msg: Message): MessageResult | Frame {
    const state = this.state
    const creator = state.account(msg.caller)
    if (!msg.isTopLevel) {
      if (msg.depth > MAX_CALL_DEPTH) return this.refuse(msg, 'call depth exceeded')
      if (creator.balance < msg.value) return this.refuse(msg, 'insufficient balance for create')
      if (creator.nonce >= 0xffffffffffffffffn) return this.refuse(msg, 'nonce overflow')
      const from = bigIntToAddress(msg.caller)
      const addr =
        msg.kind === CallKind.Create
          ? createAddress(from, creator.nonce)
          : create2Address(from, wordToBytes32(msg.address), keccak256(msg.input))
      state.setNonce(creator, creator.nonce + 1n)
      msg.address = addressToBigInt(addr)
      msg.codeAddress = msg.address
    }
    const target = state.account(msg.address)
    state.warmAccount(target)
    const hasStorage = target.exists && (target.writtenCount > 0 ? hasNonZero(target) : (state.reader.hasStorage?.(bigIntToAddress(target.address)) ?? false))
    if (target.nonce !== 0n || state.code(target).length !== 0 || hasStorage) {
      return this.fail(0, 'create collision')
    }
    const cp = state.checkpoint()
    state.createAccount(target)
    state.markCreated(target)
    state.setNonce(target, 1n)
    state.transfer(creator, target, msg.value)
    state.touch(target)
    if (msg.input.length === 0) {
      return this.noop(msg, msg.address)
    }
    return this.newFrame(msg, analyzeCode(msg.input), target, cp)
  }

  /** Finish a frame: revert on failure, deposit code for creates. */
  private exit(f: Frame, status: number): MessageResult {
    const state = this.state
    const msg = f.msg
    if (status === S_ERROR) {
      state.revert(f.checkpoint)
      return this.fail(0, f.error ?? 'exceptional halt')
    }
    if (status === S_REVERT) {
      state.revert(f.checkpoint)
      return { success: false, reverted: true, gasLeft: f.gas, gasBank: f.bank, output: f.output, createdAddress: undefined, error: 'execution reverted' }
    }
    if (msg.kind === CallKind.Create || msg.kind === CallKind.Create2) {
      const code = status === S_RETURN ? f.output : EMPTY
      if (code.length > MAX_CODE_SIZE) {
        state.revert(f.checkpoint)
        return this.fail(0, 'max code size exceeded')
      }
      if (code.length > 0 && code[0] === 0xef) {
        state.revert(f.checkpoint)
        return this.fail(0, 'invalid code: starts with 0xEF')
      }
      const cost = G.CODE_DEPOSIT * code.length
      if (cost > f.gas) {
        state.revert(f.checkpoint)
        return this.fail(0, 'code deposit out of gas')
      }
      f.gas -= cost
      if (code.length > 0) state.setCode(f.account, code.slice())
      return { success: true, reverted: false, gasLeft: f.gas, gasBank: f.bank, output: EMPTY, createdAddress: msg.address, error: undefined }
    }
    return { success: true, reverted: false, gasLeft: f.gas, gasBank: f.bank, output: status === S_RETURN ? f.output : EMPTY, createdAddress: undefined, error: undefined }
  }

  /** Deliver a child's result to the suspended parent. */
  private resume(f: Frame, r: MessageResult): void {
    if (f.bank === 0n && !r.gasBank && f.gas + r.gasLeft <= GAS_CHUNK_NUM) f.gas += r.gasLeft
    else {
      const [g, b] = splitGas(BigInt(f.gas) + f.bank + BigInt(r.gasLeft) + (r.gasBank ?? 0n))
      f.gas = g
      f.bank = b
    }
    const kind = f.msg.kind // unused; kept for clarity of the protocol
    void kind
    const child = f.retLen < 0 // create marker
    if (child) {
      f.returnData = r.success ? EMPTY : r.output
      f.stack[f.sp++] = r.success ? r.createdAddress! : 0n
      return
    }
    f.returnData = r.output
    const n = Math.min(f.retLen, r.output.length)
    if (n > 0) f.mem.set(r.output.subarray(0, n), f.retOff)
    f.stack[f.sp++] = r.success ? 1n : 0n
  }
}

function hasNonZero(a: Account): boolean {
  if (a.slots !== undefined) for (const s of a.slots.values()) if (s.loaded && s.value !== 0n) return true
  return false
}

/**
 * Per-(code, fork) basic-block tables. A block runs from a JUMPDEST, the
 * start of code or the op after a JUMPI or a host op up to and including
 * the next JUMP, JUMPI, terminator, undefined opcode or host op (state
 * access, logs, calls), or up to the op before the next JUMPDEST. Ending
 * blocks at host ops means a failure is never hoisted past a state access,
 * so reads, caches and the diff are exactly those of per-op execution (as in
 * the JIT's sections). For every op position `pc`:
 * - `gas[pc]`: static gas of the ops from `pc` to the end of its block;
 * - `min[pc]` / `span[pc]`: the stack heights at `pc` for which the rest of
 *   the block runs without underflow or overflow are `min ≤ sp ≤ min + span`
 *   (`span` -1: the rest of the block reaches an undefined opcode).
 * The interpreter charges and checks a block once, where it is entered
 * (JUMPDEST, after JUMPI or a host op, on entry or resume at any pc),
 * instead of per op.
 * Exact: a block cannot be left early except by an exceptional halt, which
 * consumes all gas and reverts the frame wherever in the block it happens;
 * the ops that observe the remaining gas (GAS, SSTORE's stipend sentry,
 * CALL*, CREATE*) add back the block's gas after them (`gas[pc] - base`).
 */
interface BlockTables {
  readonly gas: Int32Array
  readonly min: Int16Array
  readonly span: Int16Array
  /**
   * The bytes the loop dispatches on: the code, except that a PUSH1..4
   * directly followed by JUMP or JUMPI becomes OP_STATIC_JUMP/OP_STATIC_JUMPI
   * (both ops in one dispatch, target decoded once into `target`).
   */
  readonly ops: Uint8Array
  /** Static jump target at a fused PUSH position (-1: not a valid JUMPDEST). */
  readonly target: Int32Array
}

/** Fused PUSH1..4 + JUMP (an opcode byte unassigned in every fork, only ever placed by `buildBlockTables`). */
const OP_STATIC_JUMP = 0x0c
/** Fused PUSH1..4 + JUMPI. */
const OP_STATIC_JUMPI = 0x0d

// Bounded (about 13 bytes per code byte each): cleared when full, like CodeCache, and rebuilt on demand.
const blockCache = new Map<AnalyzedCode, [ForkTables, BlockTables][]>()
const BLOCK_CACHE_MAX = 1024

/** The block tables of `code` under the fork of `t` (built once, cached with the analysed code). */
export function blockTables(code: AnalyzedCode, t: ForkTables): BlockTables {
  let list = blockCache.get(code)
  if (list === undefined) {
    if (blockCache.size >= BLOCK_CACHE_MAX) blockCache.clear()
    blockCache.set(code, (list = []))
  }
  for (const [ft, b] of list) if (ft === t) return b
  const b = buildBlockTables(code, t)
  list.push([t, b])
  return b
}

function buildBlockTables(code: AnalyzedCode, t: ForkTables): BlockTables {
  const bytes = code.padded
  const n = code.length
  const size = bytes.length
  const gas = new Int32Array(size)
  const min = new Int16Array(size) // heights are at most 1024
  const span = new Int16Array(size).fill(MAX_STACK) // past the code: STOP
  const starts: number[] = []
  for (let pc = 0; pc < n; pc++) {
    starts.push(pc)
    const op = bytes[pc]!
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f
  }
  // backwards: (rg, rmin, rmax) describe the rest of the block after the current op
  let rg = 0
  let rmin = 0
  let rmax = MAX_STACK
  for (let k = starts.length - 1; k >= 0; k--) {
    const pc = starts[k]!
    const op = bytes[pc]!
    const g = t.gas[op]!
    if (g < 0) {
      rg = 0
      rmin = 0
      rmax = -1
    } else {
      const info = OPCODES[op]!
      if (info.terminates || info.jumps || info.host) {
        rg = 0
        rmin = 0
        rmax = MAX_STACK
      }
      const delta = info.outputs - info.inputs
      rg += g
      rmin = Math.max(t.minStack[op]!, rmin - delta)
      rmax = Math.min(t.maxStack[op]!, rmax - delta)
    }
    gas[pc] = rg
    // feasible ranges lie within [0, 1024] (fit Int16); an infeasible one always fails the test
    min[pc] = rmax >= rmin ? rmin : 0
    span[pc] = rmax >= rmin ? rmax - rmin : -1
    if (op === 0x5b) {
      // a JUMPDEST starts a block: the op before it ends one
      rg = 0
      rmin = 0
      rmax = MAX_STACK
    }
  }
  const ops = bytes.slice()
  const target = new Int32Array(size)
  for (const pc of starts) {
    const op = ops[pc]!
    if (op === OP_STATIC_JUMP || op === OP_STATIC_JUMPI) ops[pc] = 0xfe // never dispatched (undefined: the block check halts first), but keep the fused codes unambiguous
    if (op >= 0x60 && op <= 0x63) {
      const next = bytes[pc + op - 0x5e]!
      if ((next === 0x56 || next === 0x57) && pc + op - 0x5e < n && t.gas[next]! >= 0) {
        const d = Number(code.pushValues[pc]!)
        ops[pc] = next === 0x56 ? OP_STATIC_JUMP : OP_STATIC_JUMPI
        target[pc] = d < n && code.jumpdests[d] === 1 ? d : -1
      }
    }
  }
  return { gas, min, span, ops, target }
}

/** The halt for a block whose stack/validity test failed at `pc`. */
function haltBlock(f: Frame, code: Uint8Array, t: ForkTables, pc: number, sp: number): number {
  // report the first failing op of the rest of the block (diagnostics only; every halt has the same effect)
  let h = sp
  for (let p = pc; p < code.length; ) {
    const op = code[p]!
    if (t.gas[op]! < 0) return halt(f, `invalid opcode 0x${op.toString(16)}`)
    if (h < t.minStack[op]!) return halt(f, 'stack underflow')
    if (h > t.maxStack[op]!) return halt(f, 'stack overflow')
    h += OPCODES[op]!.outputs - OPCODES[op]!.inputs
    p += op >= 0x60 && op <= 0x7f ? op - 0x5e : 1
  }
  return halt(f, 'stack out of bounds')
}

/** Run frame `f` until it halts or suspends for a sub-call. Returns a status code. */
function interpret(evm: Evm, f: Frame): number {
  const code = f.code.padded
  const codeLen = f.code.length
  const jumpdests = f.code.jumpdests
  const pushes = f.code.pushValues
  const t = evm.tables
  const gasT = t.gas
  const blocks = blockTables(f.code, t)
  const bgas = blocks.gas
  const bmin = blocks.min
  const bspan = blocks.span
  const ops = blocks.ops
  const jtarget = blocks.target
  const st = f.stack
  const msg = f.msg
  const state = evm.state
  const epoch = state.epoch
  let pc = f.pc
  let sp = f.sp
  let gas = f.gas
  // entry (or resume) inside a block: charge and check the rest of it (a JUMPDEST does so itself)
  if (code[pc] !== 0x5b) {
    if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
    gas -= bgas[pc]!
    if (gas < 0) return halt(f, 'out of gas')
  }

  for (;;) {
    const op = ops[pc]!
    switch (op) {
      case OP_STATIC_JUMP: {
        // PUSHn d; JUMP (gas and stack were checked with the block)
        const d = jtarget[pc]!
        if (d < 0) return halt(f, 'invalid jump destination')
        pc = d
        break
      }
      case OP_STATIC_JUMPI: {
        // PUSHn d; JUMPI: the condition is the current top
        sp--
        if (st[sp]! !== 0n) {
          const d = jtarget[pc]!
          if (d < 0) return halt(f, 'invalid jump destination')
          pc = d
        } else {
          pc += code[pc]! - 0x5e + 1
          if (code[pc] !== 0x5b) {
            if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
            gas -= bgas[pc]!
            if (gas < 0) return halt(f, 'out of gas')
          }
        }
        break
      }
      case 0x00:
        f.gas = gas
        f.output = EMPTY
        return S_STOP
      case 0x01: {
        sp--
        const r = st[sp - 1]! + st[sp]!
        st[sp - 1] = r > MAX ? r - MOD : r
        pc++
        break
      }
      case 0x02: {
        sp--
        const r = st[sp - 1]! * st[sp]!
        st[sp - 1] = r > MAX ? r & MAX : r
        pc++
        break
      }
      case 0x03: {
        sp--
        const r = st[sp]! - st[sp - 1]!
        st[sp - 1] = r < 0n ? r + MOD : r
        pc++
        break
      }
      case 0x04: {
        sp--
        const b = st[sp - 1]!
        st[sp - 1] = b === 0n ? 0n : st[sp]! / b
        pc++
        break
      }
      case 0x05: {
        sp--
        const a = st[sp]!
        const b = st[sp - 1]!
        if (b === 0n) st[sp - 1] = 0n
        else if (a < SIGN && b < SIGN) st[sp - 1] = a / b
        else {
          // |a| / |b|, negated when the signs differ (SDIV(-2^255, -1) = -2^255 falls out)
          const q = (a >= SIGN ? MOD - a : a) / (b >= SIGN ? MOD - b : b)
          st[sp - 1] = a >= SIGN !== b >= SIGN && q !== 0n ? MOD - q : q
        }
        pc++
        break
      }
      case 0x06: {
        sp--
        const b = st[sp - 1]!
        st[sp - 1] = b === 0n ? 0n : st[sp]! % b
        pc++
        break
      }
      case 0x07: {
        sp--
        const a = st[sp]!
        const b = st[sp - 1]!
        if (b === 0n) st[sp - 1] = 0n
        else if (a < SIGN && b < SIGN) st[sp - 1] = a % b
        else {
          // |a| % |b| with the sign of a
          const r = (a >= SIGN ? MOD - a : a) % (b >= SIGN ? MOD - b : b)
          st[sp - 1] = a >= SIGN && r !== 0n ? MOD - r : r
        }
        pc++
        break
      }
      case 0x08: {
        sp -= 2
        const n = st[sp - 1]!
        const a = st[sp + 1]!
        const b = st[sp]!
        if (n === 0n) st[sp - 1] = 0n
        else if (a < n && b < n) {
          // reduced operands (field arithmetic): one conditional subtraction instead of a division
          const r = a + b
          st[sp - 1] = r >= n ? r - n : r
        } else st[sp - 1] = (a + b) % n
        pc++
        break
      }
      case 0x09: {
        sp -= 2
        const n = st[sp - 1]!
        st[sp - 1] = n === 0n ? 0n : (st[sp + 1]! * st[sp]!) % n
        pc++
        break
      }
      case 0x0a: {
        sp--
        const base = st[sp]!
        const e = st[sp - 1]!
        gas -= G.EXP_BYTE * byteLength(e)
        if (gas < 0) return halt(f, 'out of gas')
        st[sp - 1] = e === 0n ? 1n : base === 0n ? 0n : base === 1n ? 1n : e === 1n ? base : expMod(base, e)
        pc++
        break
      }
      case 0x0b: {
        sp--
        const b = st[sp]!
        const x = st[sp - 1]!
        if (b < 31n) {
          const bit = b * 8n + 7n
          const mask = (1n << (bit + 1n)) - 1n
          st[sp - 1] = (x >> bit) & 1n ? (x | ~mask) & MAX : x & mask
        }
        pc++
        break
      }
      case 0x10:
        sp--
        st[sp - 1] = st[sp]! < st[sp - 1]! ? 1n : 0n
        pc++
        break
      case 0x11:
        sp--
        st[sp - 1] = st[sp]! > st[sp - 1]! ? 1n : 0n
        pc++
        break
      case 0x12: {
        sp--
        const a = st[sp]!
        const b = st[sp - 1]!
        const an = a >= SIGN
        st[sp - 1] = an !== b >= SIGN ? (an ? 1n : 0n) : a < b ? 1n : 0n
        pc++
        break
      }
      case 0x13: {
        sp--
        const a = st[sp]!
        const b = st[sp - 1]!
        const an = a >= SIGN
        st[sp - 1] = an !== b >= SIGN ? (an ? 0n : 1n) : a > b ? 1n : 0n
        pc++
        break
      }
      case 0x14:
        sp--
        st[sp - 1] = st[sp]! === st[sp - 1]! ? 1n : 0n
        pc++
        break
      case 0x15:
        st[sp - 1] = st[sp - 1]! === 0n ? 1n : 0n
        pc++
        break
      case 0x16:
        sp--
        st[sp - 1] = st[sp]! & st[sp - 1]!
        pc++
        break
      case 0x17:
        sp--
        st[sp - 1] = st[sp]! | st[sp - 1]!
        pc++
        break
      case 0x18:
        sp--
        st[sp - 1] = st[sp]! ^ st[sp - 1]!
        pc++
        break
      case 0x19:
        st[sp - 1] = MAX ^ st[sp - 1]!
        pc++
        break
      case 0x1a: {
        sp--
        const i = st[sp]!
        st[sp - 1] = i < 32n ? (st[sp - 1]! >> BYTE_SHIFT[Number(i)]!) & 0xffn : 0n
        pc++
        break
      }
      case 0x1b: {
        sp--
        const s = st[sp]!
        if (s < 256n) {
          const r = st[sp - 1]! << s
          st[sp - 1] = r > MAX ? r & MAX : r
        } else st[sp - 1] = 0n
        pc++
        break
      }
      case 0x1c: {
        sp--
        const s = st[sp]!
        st[sp - 1] = s < 256n ? st[sp - 1]! >> s : 0n
        pc++
        break
      }
      case 0x1d: {
        sp--
        const s = st[sp]!
        const v = st[sp - 1]!
        if (v < SIGN) st[sp - 1] = s < 256n ? v >> s : 0n
        else st[sp - 1] = s < 256n ? ((v - MOD) >> s) & MAX : MAX
        pc++
        break
      }
      case 0x20: {
        sp--
        const len = num(st[sp - 1]!)
        if (len < 0) return halt(f, 'out of gas')
        let h: bigint
        if (len === 0) {
          gas -= 0
          h = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470n
        } else {
          const off = num(st[sp]!)
          if (off < 0) return halt(f, 'out of gas')
          gas -= G.KECCAK_WORD * Math.ceil(len / 32)
          if (gas < 0) return halt(f, 'out of gas')
          f.gas = gas
          if (!expand(f, off + len)) return halt(f, 'out of gas')
          gas = f.gas
          h = keccakWord(f.mem, off, len)
        }
        st[sp - 1] = h
        pc++
        break
      }
      case 0x30:
        st[sp++] = msg.address
        pc++
        break
      case 0x31: {
        const a = state.account(st[sp - 1]! & ADDR_MASK)
        if (state.warmAccount(a)) {
          gas -= G.COLD_ACCOUNT_ACCESS - G.WARM_ACCESS
          if (gas < 0) return halt(f, 'out of gas')
        }
        st[sp - 1] = a.balance
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      }
      case 0x32:
        st[sp++] = evm.tx.origin
        pc++
        break
      case 0x33:
        st[sp++] = msg.caller
        pc++
        break
      case 0x34:
        st[sp++] = msg.value
        pc++
        break
      case 0x35:
        st[sp - 1] = loadPadded(f.calldata, st[sp - 1]!)
        pc++
        break
      case 0x36:
        st[sp++] = BigInt(f.calldata.length)
        pc++
        break
      case 0x37:
      case 0x39:
      case 0x3e: {
        sp -= 3
        const len = num(st[sp]!)
        const srcOff = st[sp + 1]!
        if (len < 0) return halt(f, 'out of gas')
        let src: Uint8Array
        if (op === 0x37) src = f.calldata
        else if (op === 0x39) src = f.code.raw
        else {
          src = f.returnData
          if (srcOff + BigInt(len) > BigInt(src.length)) return halt(f, 'return data out of bounds')
        }
        if (len > 0) {
          const dst = num(st[sp + 2]!)
          if (dst < 0) return halt(f, 'out of gas')
          gas -= G.COPY_WORD * Math.ceil(len / 32)
          if (gas < 0) return halt(f, 'out of gas')
          f.gas = gas
          if (!expand(f, dst + len)) return halt(f, 'out of gas')
          gas = f.gas
          copyPadded(f.mem, dst, src, srcOff, len)
        }
        pc++
        break
      }
      case 0x38:
        st[sp++] = BigInt(codeLen)
        pc++
        break
      case 0x3a:
        st[sp++] = evm.tx.gasPrice
        pc++
        break
      case 0x3b: {
        const a = state.account(st[sp - 1]! & ADDR_MASK)
        if (state.warmAccount(a)) {
          gas -= G.COLD_ACCOUNT_ACCESS - G.WARM_ACCESS
          if (gas < 0) return halt(f, 'out of gas')
        }
        st[sp - 1] = BigInt(state.code(a).length)
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      }
      case 0x3c: {
        sp -= 4
        const a = state.account(st[sp + 3]! & ADDR_MASK)
        const dst = st[sp + 2]!
        const srcOff = st[sp + 1]!
        const len = num(st[sp]!)
        if (len < 0) return halt(f, 'out of gas')
        if (state.warmAccount(a)) gas -= G.COLD_ACCOUNT_ACCESS - G.WARM_ACCESS
        if (len > 0) {
          const d = num(dst)
          if (d < 0) return halt(f, 'out of gas')
          gas -= G.COPY_WORD * Math.ceil(len / 32)
          if (gas < 0) return halt(f, 'out of gas')
          f.gas = gas
          if (!expand(f, d + len)) return halt(f, 'out of gas')
          gas = f.gas
          copyPadded(f.mem, d, state.code(a), srcOff, len)
        } else if (gas < 0) return halt(f, 'out of gas')
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      }
      case 0x3d:
        st[sp++] = BigInt(f.returnData.length)
        pc++
        break
      case 0x3f: {
        const a = state.account(st[sp - 1]! & ADDR_MASK)
        if (state.warmAccount(a)) {
          gas -= G.COLD_ACCOUNT_ACCESS - G.WARM_ACCESS
          if (gas < 0) return halt(f, 'out of gas')
        }
        st[sp - 1] = !a.exists || a.isEmpty() ? 0n : bytes32ToBigInt(a.codeHash)
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      }
      case 0x40: {
        const n = st[sp - 1]!
        const cur = evm.block.number
        st[sp - 1] = n < cur && n + 256n >= cur ? bytes32ToBigInt(state.reader.blockHash(n)) : 0n
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      }
      case 0x41:
        st[sp++] = evm.coinbase
        pc++
        break
      case 0x42:
        st[sp++] = evm.block.timestamp
        pc++
        break
      case 0x43:
        st[sp++] = evm.block.number
        pc++
        break
      case 0x44:
        st[sp++] = evm.prevRandao
        pc++
        break
      case 0x45:
        st[sp++] = evm.block.gasLimit
        pc++
        break
      case 0x46:
        st[sp++] = evm.block.chainId
        pc++
        break
      case 0x47:
        st[sp++] = f.account.balance
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      case 0x48:
        st[sp++] = evm.block.baseFee
        pc++
        break
      case 0x49: {
        const i = st[sp - 1]!
        const hs = evm.tx.blobHashes
        st[sp - 1] = i < BigInt(hs.length) ? bytes32ToBigInt(hs[Number(i)]!) : 0n
        pc++
        break
      }
      case 0x4a:
        st[sp++] = evm.block.blobBaseFee
        pc++
        break
      case 0x50:
        sp--
        pc++
        break
      case 0x51: {
        const off = num(st[sp - 1]!)
        if (off < 0) return halt(f, 'out of gas')
        if (off + 32 > f.memLen) {
          f.gas = gas
          if (!expand(f, off + 32)) return halt(f, 'out of gas')
          gas = f.gas
        }
        st[sp - 1] = readWord(f.view, off)
        pc++
        break
      }
      case 0x52: {
        sp -= 2
        const off = num(st[sp + 1]!)
        if (off < 0) return halt(f, 'out of gas')
        if (off + 32 > f.memLen) {
          f.gas = gas
          if (!expand(f, off + 32)) return halt(f, 'out of gas')
          gas = f.gas
        }
        writeWord(f.view, off, st[sp]!)
        pc++
        break
      }
      case 0x53: {
        sp -= 2
        const off = num(st[sp + 1]!)
        if (off < 0) return halt(f, 'out of gas')
        if (off + 1 > f.memLen) {
          f.gas = gas
          if (!expand(f, off + 1)) return halt(f, 'out of gas')
          gas = f.gas
        }
        f.mem[off] = Number(st[sp]! & 0xffn)
        pc++
        break
      }
      case 0x54: {
        const key = st[sp - 1]!
        const a = f.account
        const slots = a.slots
        let sl = slots !== undefined ? slots.get(key) : undefined
        if (sl === undefined || sl.warm !== epoch || !sl.loaded) {
          sl = state.slot(a, key)
          if (state.warmSlotEntry(sl)) {
            gas -= G.COLD_SLOAD - G.WARM_ACCESS
            if (gas < 0) return halt(f, 'out of gas')
          }
        }
        st[sp - 1] = sl.value
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      }
      case 0x55: {
        if (msg.isStatic) return halt(f, 'state change in static call')
        if (gas + bgas[pc]! <= G.SSTORE_SENTRY && f.bank === 0n) return halt(f, 'out of gas (SSTORE sentry)') // exact gas: SSTORE's base is 0
        sp -= 2
        const slot = st[sp + 1]!
        const val = st[sp]!
        const a = f.account
        const sl = state.slot(a, slot)
        let cost = 0
        if (state.warmSlotEntry(sl)) cost += G.COLD_SLOAD
        const cur = sl.value
        if (cur === val) cost += G.WARM_ACCESS
        else {
          const orig = sl.origEpoch === epoch ? sl.orig : cur
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
        gas -= cost
        if (gas < 0) return halt(f, 'out of gas')
        if (cur !== val) state.writeSlot(a, sl, val)
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      }
      case 0x56: {
        sp--
        const d = st[sp]!
        if (d >= U32 || jumpdests[Number(d)] !== 1) return halt(f, 'invalid jump destination')
        pc = Number(d)
        break
      }
      case 0x57: {
        sp -= 2
        if (st[sp]! !== 0n) {
          const d = st[sp + 1]!
          if (d >= U32 || jumpdests[Number(d)] !== 1) return halt(f, 'invalid jump destination')
          pc = Number(d)
        } else {
          // fall-through starts a block (a JUMPDEST checks its own)
          pc++
          if (code[pc] !== 0x5b) {
            if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
            gas -= bgas[pc]!
            if (gas < 0) return halt(f, 'out of gas')
          }
        }
        break
      }
      case 0x58:
        st[sp++] = BigInt(pc)
        pc++
        break
      case 0x59:
        st[sp++] = BigInt(f.memLen)
        pc++
        break
      case 0x5a: {
        const exact = gas + bgas[pc]! - G.BASE // add back the rest of the block
        st[sp++] = f.bank === 0n ? BigInt(exact) : BigInt(exact) + f.bank
        pc++
        break
      }
      case 0x5b:
        // block start: charge and check the whole block
        if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
        gas -= bgas[pc]!
        if (gas < 0) return halt(f, 'out of gas')
        pc++
        break
      case 0x5c:
        st[sp - 1] = state.tload(f.account, st[sp - 1]!)
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      case 0x5d:
        if (msg.isStatic) return halt(f, 'state change in static call')
        sp -= 2
        state.tstore(f.account, st[sp + 1]!, st[sp]!)
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      case 0x5e: {
        sp -= 3
        const len = num(st[sp]!)
        if (len < 0) return halt(f, 'out of gas')
        if (len > 0) {
          const src = num(st[sp + 1]!)
          const dst = num(st[sp + 2]!)
          if (src < 0 || dst < 0) return halt(f, 'out of gas')
          gas -= G.COPY_WORD * Math.ceil(len / 32)
          if (gas < 0) return halt(f, 'out of gas')
          f.gas = gas
          if (!expand(f, Math.max(src, dst) + len)) return halt(f, 'out of gas')
          gas = f.gas
          f.mem.copyWithin(dst, src, src + len)
        }
        pc++
        break
      }
      case 0x5f:
        st[sp++] = 0n
        pc++
        break
      case 0x60:
      case 0x61:
      case 0x62:
      case 0x63:
      case 0x64:
      case 0x65:
      case 0x66:
      case 0x67:
      case 0x68:
      case 0x69:
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x6d:
      case 0x6e:
      case 0x6f:
      case 0x70:
      case 0x71:
      case 0x72:
      case 0x73:
      case 0x74:
      case 0x75:
      case 0x76:
      case 0x77:
      case 0x78:
      case 0x79:
      case 0x7a:
      case 0x7b:
      case 0x7c:
      case 0x7d:
      case 0x7e:
      case 0x7f:
        st[sp++] = pushes[pc]!
        pc += op - 0x5e
        break
      case 0x80:
      case 0x81:
      case 0x82:
      case 0x83:
      case 0x84:
      case 0x85:
      case 0x86:
      case 0x87:
      case 0x88:
      case 0x89:
      case 0x8a:
      case 0x8b:
      case 0x8c:
      case 0x8d:
      case 0x8e:
      case 0x8f:
        st[sp] = st[sp - (op - 0x7f)]!
        sp++
        pc++
        break
      case 0x90:
      case 0x91:
      case 0x92:
      case 0x93:
      case 0x94:
      case 0x95:
      case 0x96:
      case 0x97:
      case 0x98:
      case 0x99:
      case 0x9a:
      case 0x9b:
      case 0x9c:
      case 0x9d:
      case 0x9e:
      case 0x9f: {
        const j = sp - 2 - (op - 0x90)
        const tmp = st[sp - 1]!
        st[sp - 1] = st[j]!
        st[j] = tmp
        pc++
        break
      }
      case 0xa0:
      case 0xa1:
      case 0xa2:
      case 0xa3:
      case 0xa4: {
        if (msg.isStatic) return halt(f, 'state change in static call')
        const n = op - 0xa0
        sp -= 2 + n
        const off = st[sp + n + 1]!
        const len = num(st[sp + n]!)
        if (len < 0) return halt(f, 'out of gas')
        let o = 0
        if (len > 0) {
          o = num(off)
          if (o < 0) return halt(f, 'out of gas')
          gas -= G.LOG_DATA * len
          if (gas < 0) return halt(f, 'out of gas')
          f.gas = gas
          if (!expand(f, o + len)) return halt(f, 'out of gas')
          gas = f.gas
        }
        // topic k is st[sp + n - 1 - k]; the account's cached address bytes are immutable and shared by its logs
        const t0 = sp + n - 1
        state.emitLog(
          (f.account.addressBytes ??= bigIntToAddress(msg.address)),
          n,
          n > 0 ? st[t0]! : 0n,
          n > 1 ? st[t0 - 1]! : 0n,
          n > 2 ? st[t0 - 2]! : 0n,
          n > 3 ? st[t0 - 3]! : 0n,
          f.mem,
          o,
          len,
        )
        pc++
        if (code[pc] !== 0x5b) {
          // a host op ends its block: enter the next one
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      }
      case 0xf0:
      case 0xf5:
      case 0xf1:
      case 0xf2:
      case 0xf4:
      case 0xfa: {
        // the callee sees the exact gas: add back the rest of the block (charged again on resume)
        const rest = bgas[pc]! - gasT[op]!
        f.pc = pc
        f.sp = sp
        f.gas = gas + rest
        const r = op === 0xf0 || op === 0xf5 ? opCreate(evm, f, op) : opCall(evm, f, op)
        if (r === S_ERROR) return S_ERROR
        f.pc = ++pc
        if (r === S_SUSPEND) return S_SUSPEND
        sp = f.sp
        gas = f.gas - rest
        if (gas < 0) return halt(f, 'out of gas')
        if (code[pc] !== 0x5b) {
          if ((sp - bmin[pc]!) >>> 0 > bspan[pc]!) return haltBlock(f, code, t, pc, sp)
          gas -= bgas[pc]!
          if (gas < 0) return halt(f, 'out of gas')
        }
        break
      }
      case 0xf3:
      case 0xfd: {
        sp -= 2
        const len = num(st[sp]!)
        if (len < 0) return halt(f, 'out of gas')
        let out: Uint8Array = EMPTY
        if (len > 0) {
          const off = num(st[sp + 1]!)
          if (off < 0) return halt(f, 'out of gas')
          f.gas = gas
          if (!expand(f, off + len)) return halt(f, 'out of gas')
          gas = f.gas
          out = copyShort(f.mem, off, len)
        }
        f.gas = gas
        f.output = out
        return op === 0xf3 ? S_RETURN : S_REVERT
      }
      case 0xff: {
        f.gas = gas
        f.sp = sp
        return opSelfdestruct(evm, f)
      }
      default:
        return halt(f, `invalid opcode 0x${op.toString(16)}`)
    }
  }
}

function halt(f: Frame, reason: string): number {
  f.gas = 0
  f.bank = 0n
  f.error = reason
  f.output = EMPTY
  return S_ERROR
}

/** CALL, CALLCODE, DELEGATECALL, STATICCALL. Returns S_SUSPEND, S_ERROR or 0 (continue; result pushed). */
function opCall(evm: Evm, f: Frame, op: number): number {
  const st = f.stack
  const state = evm.state
  const hasValue = op === 0xf1 || op === 0xf2
  const n = hasValue ? 7 : 6
  let sp = f.sp - n
  const reqGas = st[sp + n - 1]!
  const to = st[sp + n - 2]! & ADDR_MASK
  const value = hasValue ? st[sp + 4]! : 0n
  const argsOffB = st[sp + 3]!
  const argsLenB = st[sp + 2]!
  const retOffB = st[sp + 1]!
  const retLenB = st[sp]!
  if (op === 0xf1 && value !== 0n && f.msg.isStatic) return halt(f, 'value transfer in static call')
  const argsLen = num(argsLenB)
  const retLen = num(retLenB)
  if (argsLen < 0 || retLen < 0) return halt(f, 'out of gas')
  let argsOff = 0
  let retOff = 0
  if (argsLen > 0) {
    argsOff = num(argsOffB)
    if (argsOff < 0 || !expand(f, argsOff + argsLen)) return halt(f, 'out of gas')
  }
  if (retLen > 0) {
    retOff = num(retOffB)
    if (retOff < 0 || !expand(f, retOff + retLen)) return halt(f, 'out of gas')
  }
  const target = state.account(to)
  let extra = 0
  if (state.warmAccount(target)) extra += G.COLD_ACCOUNT_ACCESS - G.WARM_ACCESS
  if (value !== 0n) {
    extra += G.CALL_VALUE
    if (op === 0xf1 && !target.isLive()) extra += G.NEW_ACCOUNT
  }
  // EIP-7702: calls into a delegated account run the delegate's code
  let code: Uint8Array | undefined
  let codeHash: Uint8Array | undefined
  let codeAddress = to
  if (evm.isPrague) {
    const dt = delegationTarget(state.code(target))
    if (dt !== undefined) {
      const d = state.account(dt)
      extra += state.warmAccount(d) ? G.COLD_ACCOUNT_ACCESS : G.WARM_ACCESS
      code = state.code(d)
      codeHash = d.codeHash
      codeAddress = dt
    }
  }
  if (extra > f.gas) return halt(f, 'out of gas')
  f.gas -= extra
  let gas: number
  let gasBank: bigint | undefined
  if (f.bank === 0n) {
    const cap = f.gas - Math.floor(f.gas / 64)
    gas = reqGas < BigInt(cap) ? Number(reqGas) : cap
    f.gas -= gas
    if (value !== 0n) gas += G.CALL_STIPEND
  } else {
    const total = BigInt(f.gas) + f.bank
    const cap = total - total / 64n
    const give = reqGas < cap ? reqGas : cap
    ;[f.gas, f.bank] = splitGas(total - give)
    const [g, b] = splitGas(give + (value !== 0n ? BigInt(G.CALL_STIPEND) : 0n))
    gas = g
    if (b !== 0n) gasBank = b
  }
  const input = argsLen > 0 ? copyShort(f.mem, argsOff, argsLen) : EMPTY
  f.sp = sp
  f.retOff = retOff
  f.retLen = retLen
  const m = f.msg
  let child: Message
  if (op === 0xf1) {
    child = { kind: CallKind.Call, caller: m.address, address: to, codeAddress, value, input, gas, isStatic: m.isStatic, depth: m.depth + 1, transfersValue: true, isTopLevel: false, code, codeHash }
  } else if (op === 0xf2) {
    child = { kind: CallKind.CallCode, caller: m.address, address: m.address, codeAddress, value, input, gas, isStatic: m.isStatic, depth: m.depth + 1, transfersValue: false, isTopLevel: false, code, codeHash }
  } else if (op === 0xf4) {
    child = { kind: CallKind.DelegateCall, caller: m.caller, address: m.address, codeAddress, value: m.value, input, gas, isStatic: m.isStatic, depth: m.depth + 1, transfersValue: false, isTopLevel: false, code, codeHash }
  } else {
    child = { kind: CallKind.StaticCall, caller: m.address, address: to, codeAddress, value: 0n, input, gas, isStatic: true, depth: m.depth + 1, transfersValue: false, isTopLevel: false, code, codeHash }
  }
  if (gasBank !== undefined) child.gasBank = gasBank
  f.pending = child
  return S_SUSPEND
}

/** CREATE and CREATE2. */
function opCreate(evm: Evm, f: Frame, op: number): number {
  if (f.msg.isStatic) return halt(f, 'state change in static call')
  const st = f.stack
  const n = op === 0xf5 ? 4 : 3
  const sp = f.sp - n
  const value = st[sp + n - 1]!
  const offB = st[sp + n - 2]!
  const len = num(st[sp + n - 3]!)
  const salt = op === 0xf5 ? st[sp]! : 0n
  if (len < 0 || len > MAX_INITCODE_SIZE) return halt(f, len < 0 ? 'out of gas' : 'init code too large')
  let off = 0
  if (len > 0) {
    off = num(offB)
    if (off < 0 || !expand(f, off + len)) return halt(f, 'out of gas')
  }
  const words = Math.ceil(len / 32)
  const extra = G.INITCODE_WORD * words + (op === 0xf5 ? G.KECCAK_WORD * words : 0)
  if (extra > f.gas) return halt(f, 'out of gas')
  f.gas -= extra
  let gas: number
  let gasBank: bigint | undefined
  if (f.bank === 0n) {
    gas = f.gas - Math.floor(f.gas / 64)
    f.gas -= gas
  } else {
    const total = BigInt(f.gas) + f.bank
    const give = total - total / 64n
    ;[f.gas, f.bank] = splitGas(total - give)
    const [g, b] = splitGas(give)
    gas = g
    if (b !== 0n) gasBank = b
  }
  const input = len > 0 ? copyShort(f.mem, off, len) : EMPTY
  f.sp = sp
  f.retOff = 0
  f.retLen = -1
  f.returnData = EMPTY
  const m = f.msg
  // for CREATE2 the salt travels in `address` until enterCreate computes the real address
  f.pending = { kind: op === 0xf5 ? CallKind.Create2 : CallKind.Create, caller: m.address, address: salt, codeAddress: 0n, value, input, gas, gasBank, isStatic: false, depth: m.depth + 1, transfersValue: true, isTopLevel: false }
  return S_SUSPEND
}

/** SELFDESTRUCT (EIP-6780 from Cancun). */
function opSelfdestruct(evm: Evm, f: Frame): number {
  if (f.msg.isStatic) return halt(f, 'state change in static call')
  const state = evm.state
  const ben = state.account(f.stack[f.sp - 1]! & ADDR_MASK)
  const self = f.account
  let cost = 0
  if (state.warmAccount(ben)) cost += G.COLD_ACCOUNT_ACCESS
  if (self.balance !== 0n && !ben.isLive()) cost += G.NEW_ACCOUNT
  if (cost > f.gas) return halt(f, 'out of gas')
  f.gas -= cost
  const bal = self.balance
  if (!ben.exists) state.createAccount(ben)
  if (!evm.isCancun || self.created) {
    state.addBalance(ben, bal)
    state.setBalance(self, 0n)
    state.markDestructed(self)
  } else if (ben !== self) {
    state.transfer(self, ben, bal)
  }
  state.touch(ben)
  state.touch(self)
  f.output = EMPTY
  return S_STOP
}

// ---- JIT hook (issue 6, src/evm/jit): the frame statuses and helpers the compiled tier shares with `interpret`, so both tiers run one implementation ----
/** @internal Used by src/evm/jit only. */
export const interpreterInternals = { S_STOP, S_RETURN, S_REVERT, S_ERROR, S_SUSPEND, expand, halt, num, readWord, writeWord, loadPadded, copyPadded, toSigned, expMod, byteLength, wordToBytes32, interpret } as const
