/**
 * SHA-256 for the QMDB tree: leaf hashes, key hashes and the node hash
 * `H(level, a, b) = sha256(u8 level ‖ a ‖ b)`. Uses `node:crypto`'s one-shot
 * `hash()` (OpenSSL with SHA-NI), whose cost is dominated by per-call overhead;
 * the batched entry points (`hashNodesInto`) are the seam where a SIMD
 * WebAssembly kernel can replace it without touching the tree code.
 * Also holds the precomputed hashes of empty (null) subtrees.
 */
import { hash as cryptoHash } from 'node:crypto'
import { ACTIVE_BITS_BYTES, FIRST_UPPER_LEVEL, LEAVES_PER_TWIG, MAX_LEVEL, TWIG_ROOT_LEVEL, TWIG_SHIFT } from './constants.js'

/** SHA-256 of `data` as a fresh 32-byte Uint8Array (a Buffer view). */
export function sha256(data: Uint8Array): Uint8Array {
  const b = cryptoHash('sha256', data, 'buffer')
  // a plain Uint8Array view, so that .slice() copies (Buffer#slice does not)
  return new Uint8Array(b.buffer, b.byteOffset, 32)
}

const nodeInput = Buffer.alloc(65)

/** `H(level, a, b)` written into `dst[dstOff..+32]`; a/b are read from their arrays at their offsets. */
export function hashNodeInto(level: number, a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, dst: Uint8Array, dstOff: number): void {
  nodeInput[0] = level
  nodeInput.set(a.subarray(aOff, aOff + 32), 1)
  nodeInput.set(b.subarray(bOff, bOff + 32), 33)
  dst.set(cryptoHash('sha256', nodeInput, 'buffer'), dstOff)
}

/** `H(level, a, b)` as a fresh 32-byte array. */
export function hashNode(level: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(32)
  hashNodeInto(level, a, 0, b, 0, out, 0)
  return out
}

/**
 * Batched level hash: for i in [0, n), `dst[dstOff+32i] = H(level, src[srcOff+64i..+32], src[srcOff+64i+32..+32])`.
 * Children are adjacent pairs in `src`, as they are in heap-numbered trees.
 */
export function hashPairsInto(level: number, src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = srcOff + 64 * i
    hashNodeInto(level, src, s, src, s + 32, dst, dstOff + 32 * i)
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
