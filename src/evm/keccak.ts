/**
 * keccak256 for the EVM's KECCAK256 opcode, straight from a memory range to a
 * word. The permutation is a small WebAssembly module generated here (no
 * binary blob): Keccak-f[1600] fully unrolled over 25 i64 locals, absorbing
 * whole 136-byte blocks that the caller has already padded in the module's
 * memory. Compared with the general-purpose `crypto/keccak.ts` (hash-wasm),
 * one call does one copy into wasm memory, one wasm call and one 32-byte
 * read, and no allocation besides the result bigint, which is what mapping
 * lookups (keccak of 64 bytes) need. Synchronous instantiation (Node allows
 * it for modules of any size), single-threaded, not reentrant (no callbacks).
 */
import { sleb, uleb } from '../primitives/leb128.js'

/** Keccak-f[1600] round constants. */
const RC = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n, 0x000000000000808bn, 0x0000000080000001n,
  0x8000000080008081n, 0x8000000000008009n, 0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n,
  0x000000000000800an, 0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
]
/** Rotation offsets by lane index x + 5y. */
const ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14]

/** Rate of keccak256 in bytes. */
const RATE = 136
/** Where the 32-byte digest is written. */
const OUT = 0
/** Where input blocks start. */
const IN = 64

/** Signed LEB128 of an i64 constant (as two's complement within 64 bits). */
const sleb64 = (v: bigint): number[] => sleb(BigInt.asIntN(64, v))

/** The module bytes: memory export `m`, function `k(ptr: i32, blocks: i32)`. */
function buildModule(): Uint8Array {
  // locals: 0 ptr, 1 blocks (params); i64: a[25] 2.., c[5] 27.., d 32, b[25] 33..
  const A = (i: number): number => 2 + i
  const C = (i: number): number => 27 + i
  const D = 32
  const B = (i: number): number => 33 + i
  const code: number[] = []
  const get = (l: number): void => void code.push(0x20, ...uleb(l))
  const set = (l: number): void => void code.push(0x21, ...uleb(l))
  const XOR = 0x85
  const AND = 0x83
  const ROTL = 0x89
  const i64c = (v: bigint): void => void code.push(0x42, ...sleb64(v))

  code.push(0x02, 0x40) // block $done
  code.push(0x03, 0x40) // loop $next
  get(1)
  code.push(0x45, 0x0d, 0x01) // i32.eqz; br_if $done
  for (let i = 0; i < RATE / 8; i++) {
    get(A(i))
    get(0)
    code.push(0x29, 0x03, ...uleb(i * 8)) // i64.load align=8 offset=8i
    code.push(XOR)
    set(A(i))
  }
  for (let r = 0; r < 24; r++) {
    // theta
    for (let x = 0; x < 5; x++) {
      get(A(x))
      for (let y = 1; y < 5; y++) {
        get(A(x + 5 * y))
        code.push(XOR)
      }
      set(C(x))
    }
    for (let x = 0; x < 5; x++) {
      get(C((x + 4) % 5))
      get(C((x + 1) % 5))
      i64c(1n)
      code.push(ROTL, XOR)
      set(D)
      for (let y = 0; y < 5; y++) {
        get(A(x + 5 * y))
        get(D)
        code.push(XOR)
        set(A(x + 5 * y))
      }
    }
    // rho and pi
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        get(A(x + 5 * y))
        const rot = ROT[x + 5 * y]!
        if (rot !== 0) {
          i64c(BigInt(rot))
          code.push(ROTL)
        }
        set(B(y + 5 * ((2 * x + 3 * y) % 5)))
      }
    }
    // chi
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) {
        get(B(x + 5 * y))
        get(B(((x + 1) % 5) + 5 * y))
        i64c(-1n)
        code.push(XOR)
        get(B(((x + 2) % 5) + 5 * y))
        code.push(AND, XOR)
        set(A(x + 5 * y))
      }
    }
    // iota
    get(A(0))
    i64c(RC[r]!)
    code.push(XOR)
    set(A(0))
  }
  get(0)
  code.push(0x41, ...uleb(RATE), 0x6a) // ptr += 136
  set(0)
  get(1)
  code.push(0x41, 0x01, 0x6b) // blocks -= 1
  set(1)
  code.push(0x0c, 0x00) // br $next
  code.push(0x0b, 0x0b) // end loop, end block
  for (let i = 0; i < 4; i++) {
    code.push(0x41, 0x00) // i32.const 0
    get(A(i))
    code.push(0x37, 0x03, ...uleb(OUT + i * 8)) // i64.store
  }
  code.push(0x0b) // end function

  const body = [0x01, 56, 0x7e, ...code] // one local group: 56 × i64
  const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content]
  const name = (s: string): number[] => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))]
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00]), // type: (i32, i32) -> ()
    ...section(3, [0x01, 0x00]), // one function of type 0
    ...section(5, [0x01, 0x00, 0x01]), // memory: min 1 page
    ...section(7, [0x02, ...name('m'), 0x02, 0x00, ...name('k'), 0x00, 0x00]), // exports
    ...section(10, [0x01, ...uleb(body.length), ...body]),
  ])
}

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
const instance = new wasmApi.Instance(new wasmApi.Module(buildModule()), {})
const memory = instance.exports.m as WasmMemory
const permute = instance.exports.k as (ptr: number, blocks: number) => void
let u8 = new Uint8Array(memory.buffer)
let dv = new DataView(memory.buffer)

// A direct-mapped memo of recent 32- and 64-byte inputs (mapping slots: Solidity computes
// keccak(key . slot) again for every read and write of the same entry). Exact: a hit compares
// the whole input. Results are pure, so the memo is shared by every EVM on the thread.
const MEMO_SIZE = 512
const memoWords = new Int32Array(MEMO_SIZE * 16)
const memoLen = new Int32Array(MEMO_SIZE)
const memoVal: bigint[] = new Array<bigint>(MEMO_SIZE).fill(0n)

function u32(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!
}

/** keccak256 of `src[off, off + len)` (the caller guarantees the range is inside `src`) as a word. */
export function keccakWord(src: Uint8Array, off: number, len: number): bigint {
  if (len !== 64 && len !== 32) return keccakRaw(src, off, len)
  const n = len >> 2
  let h = len
  for (let i = 0; i < n; i++) h = Math.imul(h ^ u32(src, off + 4 * i), 0x9e3779b1)
  h ^= h >>> 15
  const e = h & (MEMO_SIZE - 1)
  const base = e * 16
  if (memoLen[e] === len) {
    let same = true
    for (let i = 0; i < n; i++) {
      if (memoWords[base + i] !== u32(src, off + 4 * i)) {
        same = false
        break
      }
    }
    if (same) return memoVal[e]!
  }
  const v = keccakRaw(src, off, len)
  for (let i = 0; i < n; i++) memoWords[base + i] = u32(src, off + 4 * i)
  memoLen[e] = len
  memoVal[e] = v
  return v
}

/** keccak256 of `src[off, off + len)` without the memo. */
function keccakRaw(src: Uint8Array, off: number, len: number): bigint {
  const blocks = Math.floor(len / RATE) + 1
  const end = IN + blocks * RATE
  if (end > u8.length) {
    memory.grow(Math.ceil((end - u8.length) / 65536))
    u8 = new Uint8Array(memory.buffer)
    dv = new DataView(memory.buffer)
  }
  const m = u8
  if (len <= 64) for (let i = 0; i < len; i++) m[IN + i] = src[off + i]!
  else m.set(src.subarray(off, off + len), IN)
  m.fill(0, IN + len, end)
  m[IN + len] = 0x01
  m[end - 1]! |= 0x80
  permute(IN, blocks)
  const v = dv
  return (v.getBigUint64(OUT) << 192n) | (v.getBigUint64(OUT + 8) << 128n) | (v.getBigUint64(OUT + 16) << 64n) | v.getBigUint64(OUT + 24)
}
