/**
 * SHA-256 for the QMDB tree: leaf hashes, key hashes and the node hash
 * `H(level, a, b) = sha256(u8 level ‖ a ‖ b)`. One-off hashes use
 * `node:crypto`'s `hash()` (SHA-NI, but ~1 µs of per-call overhead); the
 * batched entry points (`hashPairsInto`, `hashSpansInto`, `hashKeysInto`) run
 * on a selectable kernel:
 * - `simd`: the 4-lane WebAssembly SIMD kernel of `sha256-simd.ts` (default);
 * - `hashwasm`: hash-wasm's SHA-256 with one reused hasher;
 * - `crypto`: `node:crypto` per message (the fallback).
 * All kernels give identical digests (tested). `TACHYON_SHA256=crypto|hashwasm|simd`
 * or `setHashKernel()` selects one. Also holds the hashes of empty (null) subtrees.
 */
import { hash as cryptoHash } from 'node:crypto'
import { createSHA256, type IHasher } from 'hash-wasm'
import { ACTIVE_BITS_BYTES, FIRST_UPPER_LEVEL, LEAVES_PER_TWIG, MAX_LEVEL, TWIG_ROOT_LEVEL, TWIG_SHIFT } from './constants.js'
import { buildSha256SimdModule, SIMD_DESC_BYTES, SIMD_DESC_PTR } from './sha256-simd.js'

/** SHA-256 of `data` as a fresh 32-byte Uint8Array (a Buffer view). */
export function sha256(data: Uint8Array): Uint8Array {
  const b = cryptoHash('sha256', data, 'buffer')
  // a plain Uint8Array view, so that .slice() copies (Buffer#slice does not)
  return new Uint8Array(b.buffer, b.byteOffset, 32)
}

/** Names of the batch kernels. */
export type HashKernelName = 'simd' | 'hashwasm' | 'crypto'

/** Messages per kernel call (bounds the staging area). */
const BATCH = 4096
/** Staging layout: descriptors at SIMD_DESC_PTR, digests at OUT_PTR, message bytes from DATA_PTR. */
const OUT_PTR = SIMD_DESC_PTR + BATCH * SIMD_DESC_BYTES
const DATA_PTR = OUT_PTR + BATCH * 32
/** Message bytes staged per call at most (a span longer than this is hashed alone). */
const DATA_BYTES = 1 << 20

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (m: object) => { exports: Record<string, unknown> }
}
let wasmMemory: WasmMemory | undefined
let wasmRun: ((n: number, desc: number, out: number) => void) | undefined
try {
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
  const inst = new api.Instance(new api.Module(buildSha256SimdModule()))
  wasmMemory = inst.exports['memory'] as WasmMemory
  wasmRun = inst.exports['run'] as (n: number, desc: number, out: number) => void
} catch { /* no WebAssembly SIMD: the crypto kernel is used */ }

let hwHasher: IHasher | undefined
try { hwHasher = await createSHA256() } catch { /* hash-wasm unavailable */ }

/** Staging memory: the wasm memory (simd) or a plain buffer (other kernels). */
let mem = new Uint8Array(0)
let memDv = new DataView(mem.buffer)
let kernel: HashKernelName = 'crypto'
const prefixByte = new Uint8Array(1)

function ensureMem(bytes: number): void {
  if (mem.length >= bytes) return
  if (kernel === 'simd') {
    const have = wasmMemory!.buffer.byteLength
    if (have < bytes) wasmMemory!.grow(Math.ceil((bytes - have) / 65536))
    mem = new Uint8Array(wasmMemory!.buffer)
  } else {
    const g = new Uint8Array(Math.max(bytes, mem.length * 2))
    g.set(mem)
    mem = g
  }
  memDv = new DataView(mem.buffer, mem.byteOffset, mem.byteLength)
}

/** Selects the batch kernel; throws if it is unavailable here. */
export function setHashKernel(name: HashKernelName): void {
  if (name === 'simd' && !wasmRun) throw new Error('WebAssembly SIMD SHA-256 kernel unavailable')
  if (name === 'hashwasm' && !hwHasher) throw new Error('hash-wasm unavailable')
  kernel = name
  mem = new Uint8Array(0)
  ensureMem(DATA_PTR + DATA_BYTES)
}

/** The kernel in use. */
export function hashKernel(): HashKernelName {
  return kernel
}

/** Kernels available in this process. */
export function availableHashKernels(): HashKernelName[] {
  return [...(wasmRun ? ['simd' as const] : []), ...(hwHasher ? ['hashwasm' as const] : []), 'crypto']
}

{
  const want = process.env['TACHYON_SHA256']
  setHashKernel(want === 'crypto' || want === 'hashwasm' || want === 'simd' ? want : (wasmRun ? 'simd' : 'crypto'))
}

/** Runs the kernel over `n` staged descriptors; digests land at OUT_PTR. */
function runStaged(n: number): void {
  if (n === 0) return
  if (kernel === 'simd') { wasmRun!(n, SIMD_DESC_PTR, OUT_PTR); return }
  for (let i = 0; i < n; i++) {
    const d = SIMD_DESC_PTR + SIMD_DESC_BYTES * i
    const ptr = memDv.getUint32(d, true), len = memDv.getUint32(d + 4, true), pre = memDv.getInt32(d + 8, true)
    const data = mem.subarray(ptr, ptr + len)
    let h: Uint8Array
    if (kernel === 'hashwasm') {
      hwHasher!.init()
      if (pre >= 0) { prefixByte[0] = pre; hwHasher!.update(prefixByte) }
      h = hwHasher!.update(data).digest('binary')
    } else if (pre >= 0) {
      const m = new Uint8Array(len + 1)
      m[0] = pre
      m.set(data, 1)
      h = cryptoHash('sha256', m, 'buffer')
    } else h = cryptoHash('sha256', data, 'buffer')
    mem.set(h, OUT_PTR + 32 * i)
  }
}

function setDesc(i: number, ptr: number, len: number, prefix: number): void {
  const d = SIMD_DESC_PTR + SIMD_DESC_BYTES * i
  memDv.setUint32(d, ptr, true)
  memDv.setUint32(d + 4, len, true)
  memDv.setInt32(d + 8, prefix, true)
}

/** `H(level, a, b)` written into `dst[dstOff..+32]`; a/b are read from their arrays at their offsets. */
export function hashNodeInto(level: number, a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, dst: Uint8Array, dstOff: number): void {
  nodeInput[0] = level
  nodeInput.set(a.subarray(aOff, aOff + 32), 1)
  nodeInput.set(b.subarray(bOff, bOff + 32), 33)
  dst.set(cryptoHash('sha256', nodeInput, 'buffer'), dstOff)
}
const nodeInput = Buffer.alloc(65)

/** `H(level, a, b)` as a fresh 32-byte array. */
export function hashNode(level: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(32)
  hashNodeInto(level, a, 0, b, 0, out, 0)
  return out
}

/**
 * Batched level hash: for i in [0, n), `dst[dstOff+32i] = H(level, src[srcOff+64i..+32], src[srcOff+64i+32..+32])`.
 * Children are adjacent pairs in `src`, as they are in heap-numbered trees. `src` and `dst` may overlap
 * (inputs are staged before outputs are written).
 */
export function hashPairsInto(level: number, src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, n: number): void {
  for (let done = 0; done < n;) {
    const k = Math.min(n - done, BATCH)
    mem.set(src.subarray(srcOff + 64 * done, srcOff + 64 * (done + k)), DATA_PTR)
    for (let i = 0; i < k; i++) setDesc(i, DATA_PTR + 64 * i, 64, level)
    runStaged(k)
    dst.set(mem.subarray(OUT_PTR, OUT_PTR + 32 * k), dstOff + 32 * done)
    done += k
  }
}

/**
 * Batched hash of `n` spans of one buffer: `dst[dstOff+32i] = sha256(buf[offs[i] .. offs[i]+lens[i]))`.
 * Spans should be ordered by offset (they are staged in runs of up to 1 MiB).
 */
export function hashSpansInto(buf: Uint8Array, offs: ArrayLike<number>, lens: ArrayLike<number>, n: number, dst: Uint8Array, dstOff: number): void {
  let i = 0
  while (i < n) {
    if (lens[i]! > DATA_BYTES) {
      dst.set(sha256(buf.subarray(offs[i]!, offs[i]! + lens[i]!)), dstOff + 32 * i)
      i++
      continue
    }
    const base = offs[i]!
    let k = 0, end = base
    while (i + k < n && k < BATCH) {
      const o = offs[i + k]!, e = o + lens[i + k]!
      if (o < base || e - base > DATA_BYTES) break
      if (e > end) end = e
      k++
    }
    mem.set(buf.subarray(base, end), DATA_PTR)
    for (let j = 0; j < k; j++) setDesc(j, DATA_PTR + offs[i + j]! - base, lens[i + j]!, -1)
    runStaged(k)
    dst.set(mem.subarray(OUT_PTR, OUT_PTR + 32 * k), dstOff + 32 * i)
    i += k
  }
}

/** Batched key hashes: `dst[dstOff+32i] = sha256(keys[i])` (keys of at most 255 bytes). */
export function hashKeysInto(keys: readonly Uint8Array[], dst: Uint8Array, dstOff: number): void {
  const n = keys.length
  for (let done = 0; done < n;) {
    let k = 0, p = DATA_PTR
    while (done + k < n && k < BATCH && p + 256 <= DATA_PTR + DATA_BYTES) {
      const key = keys[done + k]!
      mem.set(key, p)
      setDesc(k, p, key.length, -1)
      p += key.length
      k++
    }
    runStaged(k)
    dst.set(mem.subarray(OUT_PTR, OUT_PTR + 32 * k), dstOff + 32 * done)
    done += k
  }
}

/** Payload of the null entry that fills unused twig leaves (empty key/value, nkh 0, version -2, sn 2^64-1). */
export const NULL_ENTRY_PAYLOAD: Uint8Array = (() => {
  const b = new Uint8Array(53)
  const dv = new DataView(b.buffer)
  dv.setUint32(37, 0xfffffffe, true)
  dv.setUint32(41, 0xffffffff, true)
  dv.setUint32(45, 0xffffffff, true)
  dv.setUint32(49, 0xffffffff, true)
  return b
})()

/** Leaf hash of the null entry. */
export const NULL_LEAF: Uint8Array = sha256(NULL_ENTRY_PAYLOAD)

/** The full left tree (heap order, nodes 1..4095, 32 B each, node 0 unused) of a twig with only null leaves. */
export const NULL_LEFT_TREE: Uint8Array = (() => {
  const t = new Uint8Array(2 * LEAVES_PER_TWIG * 32)
  for (let n = LEAVES_PER_TWIG; n < 2 * LEAVES_PER_TWIG; n++) t.set(NULL_LEAF, n * 32)
  for (let lvl = 0, width = LEAVES_PER_TWIG >> 1; lvl < TWIG_SHIFT; lvl++, width >>= 1) {
    // nodes [width, 2*width) have children [2*width, 4*width) at level lvl
    hashPairsInto(lvl, t, 2 * width * 32, t, width * 32, width)
  }
  return t
})()

/** Root of the left tree of a twig with only null leaves. */
export const NULL_LEFT_ROOT: Uint8Array = NULL_LEFT_TREE.slice(32, 64)

/** Right-tree root (L3) of the ActiveBits `bits[off..off+256]`: L1 = H(8,·), L2 = H(9,·), L3 = H(10,·). */
export function activeBitsRoot(bits: Uint8Array, off: number): Uint8Array {
  const l1 = new Uint8Array(4 * 32)
  hashPairsInto(8, bits, off, l1, 0, 4)
  const l2 = new Uint8Array(2 * 32)
  hashPairsInto(9, l1, 0, l2, 0, 2)
  const l3 = new Uint8Array(32)
  hashPairsInto(10, l2, 0, l3, 0, 1)
  return l3
}

/** Twig root `H(11, leftRoot, L3)`. */
export function twigRootOf(leftRoot: Uint8Array, l3: Uint8Array): Uint8Array {
  return hashNode(TWIG_ROOT_LEVEL, leftRoot, l3)
}

/** Root of a twig with null leaves and no active bits. */
export const NULL_TWIG_ROOT: Uint8Array = twigRootOf(NULL_LEFT_ROOT, activeBitsRoot(new Uint8Array(ACTIVE_BITS_BYTES), 0))

/** NULL_NODE[L]: root of an upper subtree at level L (>= 12) containing only null twigs. */
export const NULL_NODE: readonly Uint8Array[] = (() => {
  const out: Uint8Array[] = []
  for (let l = 0; l < FIRST_UPPER_LEVEL; l++) out.push(new Uint8Array(32))
  out.push(NULL_TWIG_ROOT)
  for (let l = FIRST_UPPER_LEVEL + 1; l <= MAX_LEVEL; l++) out.push(hashNode(l - 1, out[l - 1]!, out[l - 1]!))
  return out
})()
