/**
 * A 4-lane multi-buffer SHA-256 kernel in WebAssembly SIMD, assembled here as
 * bytes (no toolchain, no .wasm file): four messages are compressed at once,
 * one per i32x4 lane, with the 64 rounds fully unrolled.
 *
 * Memory layout of the module's (exported) linear memory:
 *   [0, 256)         four 64-byte lane scratch blocks (padding is built there)
 *   [256, 256 + 12n) descriptors, 3 × u32 each: data pointer, data length, prefix
 *                    byte (0xffffffff = none). The message hashed is prefix ‖ data.
 *   anything after   caller's data and output areas
 * `run(n, descPtr, outPtr)` writes digest i to `outPtr + 32 i`.
 * Lanes of one group may have different lengths: a lane whose message has no
 * block b keeps its state (bitselect with a per-lane mask).
 */
import { sleb, uleb } from '../primitives/leb128.js'

// ---- a tiny assembler ----------------------------------------------------

/** Signed LEB128 of an i32 constant. */
const sleb32 = (n: number): number[] => sleb(BigInt(n | 0))

const I32 = 0x7f
const V128 = 0x7b

/** Emits a function body into a byte array. */
class Fn {
  readonly code: number[] = []
  private readonly locals: number[] = []
  constructor(private readonly params: number) {}
  local(type: number): number { this.locals.push(type); return this.params + this.locals.length - 1 }
  op(...b: number[]): this { this.code.push(...b); return this }
  get(i: number): this { return this.op(0x20, ...uleb(i)) }
  set(i: number): this { return this.op(0x21, ...uleb(i)) }
  tee(i: number): this { return this.op(0x22, ...uleb(i)) }
  i32(n: number): this { return this.op(0x41, ...sleb32(n)) }
  simd(sub: number, ...rest: number[]): this { return this.op(0xfd, ...uleb(sub), ...rest) }
  body(): number[] {
    const decl: number[] = []
    // run-length encode local types
    const groups: [number, number][] = []
    for (const t of this.locals) {
      const g = groups[groups.length - 1]
      if (g && g[1] === t) g[0]++
      else groups.push([1, t])
    }
    decl.push(...uleb(groups.length))
    for (const [c, t] of groups) decl.push(...uleb(c), t)
    const b = [...decl, ...this.code, 0x0b]
    return [...uleb(b.length), ...b]
  }
}

// opcodes
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40
const I32_LOAD = 0x28, I32_STORE = 0x36, I32_STORE8 = 0x3a
const I32_EQZ = 0x45, I32_LT_U = 0x49, I32_GT_U = 0x4b, I32_GE_U = 0x4f, I32_GE_S = 0x4e
const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_AND = 0x71, I32_OR = 0x72, I32_SHL = 0x74, I32_SHR_U = 0x76
const SELECT = 0x1b
// simd sub-opcodes
const V_CONST = 0x0c, V_SHUFFLE = 0x0d, I32X4_SPLAT = 0x11, I32X4_EXTRACT = 0x1b, I32X4_REPLACE = 0x1c
const V_AND = 0x4e, V_OR = 0x50, V_XOR = 0x51, V_BITSELECT = 0x52
const I32X4_GT_S = 0x3b, I32X4_SHL = 0xab, I32X4_SHR_U = 0xad, I32X4_ADD = 0xae
const MEMARG = (align: number, off: number): number[] => [align, ...uleb(off)]

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
const BSWAP32 = [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12]

/** Byte offset of the descriptor table in the module memory. */
export const SIMD_DESC_PTR = 256
/** Bytes per descriptor. */
export const SIMD_DESC_BYTES = 12

/** Builds the module bytes. */
export function buildSha256SimdModule(): Uint8Array {
  // run(n, descPtr, outPtr)
  const f = new Fn(3)
  const N = 0, DESC = 1, OUT = 2
  const g = f.local(I32) // group start index
  const b = f.local(I32) // block index
  const maxNb = f.local(I32)
  const t = f.local(I32)
  const lane = [0, 1, 2, 3].map(() => ({ ptr: f.local(I32), len: f.local(I32), pre: f.local(I32), L: f.local(I32), nb: f.local(I32) }))
  const st = [0, 1, 2, 3, 4, 5, 6, 7].map(() => f.local(V128))
  const sv = [0, 1, 2, 3, 4, 5, 6, 7].map(() => f.local(V128))
  const w = Array.from({ length: 16 }, () => f.local(V128))
  const nbv = f.local(V128)
  const mask = f.local(V128)
  const t1 = f.local(V128)

  const splatConst = (c: number): void => { f.i32(c).simd(I32X4_SPLAT) }
  const rotr = (x: number, n: number): void => {
    f.get(x).i32(n).simd(I32X4_SHR_U).get(x).i32(32 - n).simd(I32X4_SHL).simd(V_OR)
  }
  const shr = (x: number, n: number): void => { f.get(x).i32(n).simd(I32X4_SHR_U) }

  f.i32(0).set(g)
  f.op(BLOCK, VOID, LOOP, VOID)
  // while (g < n)
  f.get(g).get(N).op(I32_GE_U, BR_IF, 1)
  // lane setup
  f.i32(0).set(maxNb)
  lane.forEach((ln, l) => {
    // if (g + l < n) { load desc } else nb = 0
    f.get(g).i32(l).op(I32_ADD).get(N).op(I32_LT_U, IF, VOID)
    // t = desc + 12 (g + l)
    f.get(DESC).get(g).i32(l).op(I32_ADD).i32(SIMD_DESC_BYTES).op(I32_MUL, I32_ADD).set(t)
    f.get(t).op(I32_LOAD, ...MEMARG(2, 0)).set(ln.ptr)
    f.get(t).op(I32_LOAD, ...MEMARG(2, 4)).set(ln.len)
    f.get(t).op(I32_LOAD, ...MEMARG(2, 8)).set(ln.pre)
    // L = len + (pre >= 0)
    f.get(ln.len).get(ln.pre).i32(0).op(I32_GE_S, I32_ADD).set(ln.L)
    // nb = (L + 72) >> 6
    f.get(ln.L).i32(72).op(I32_ADD).i32(6).op(I32_SHR_U).set(ln.nb)
    f.op(0x05) // else
    f.i32(0).set(ln.nb)
    f.op(END)
    // maxNb = max(maxNb, nb)
    f.get(ln.nb).get(maxNb).get(ln.nb).get(maxNb).op(I32_GT_U, SELECT).set(maxNb)
  })
  // nbv = (nb0, nb1, nb2, nb3)
  f.get(lane[0]!.nb).simd(I32X4_SPLAT)
  for (let l = 1; l < 4; l++) f.get(lane[l]!.nb).simd(I32X4_REPLACE, l)
  f.set(nbv)
  // state = IV
  for (let k = 0; k < 8; k++) { splatConst(IV[k]!); f.set(st[k]!) }
  f.i32(0).set(b)
  f.op(BLOCK, VOID, LOOP, VOID)
  f.get(b).get(maxNb).op(I32_GE_U, BR_IF, 1)
  // pad each lane's block b into scratch[l]
  lane.forEach((ln, l) => {
    const S = 64 * l
    f.get(b).get(ln.nb).op(I32_LT_U, IF, VOID)
    // memory.fill(S, 0, 64)
    f.i32(S).i32(0).i32(64).op(0xfc, 11, 0)
    // s = 64 b (message offset); dstart = (b == 0 && pre >= 0)
    // if (b == 0 && pre >= 0) store8(S, pre)
    f.get(b).op(I32_EQZ).get(ln.pre).i32(0).op(I32_GE_S, I32_AND, IF, VOID)
    f.i32(S).get(ln.pre).op(I32_STORE8, ...MEMARG(0, 0))
    f.op(END)
    // srcFrom = 64 b + dstart - hp, where dstart = (b == 0) & hp. t = srcFrom
    const hp = (): void => { f.get(ln.pre).i32(0).op(I32_GE_S) }
    const dstart = (): void => { f.get(b).op(I32_EQZ); hp(); f.op(I32_AND) }
    f.get(b).i32(6).op(I32_SHL); dstart(); f.op(I32_ADD); hp(); f.op(I32_SUB).set(t)
    // if (t < len) memory.copy(S + dstart, ptr + t, min(64 - dstart, len - t))
    f.get(t).get(ln.len).op(I32_LT_U, IF, VOID)
    f.i32(S); dstart(); f.op(I32_ADD)
    f.get(ln.ptr).get(t).op(I32_ADD)
    // min(a, c) with a = 64 - dstart, c = len - t
    f.i32(64); dstart(); f.op(I32_SUB)
    f.get(ln.len).get(t).op(I32_SUB)
    f.i32(64); dstart(); f.op(I32_SUB)
    f.get(ln.len).get(t).op(I32_SUB)
    f.op(I32_LT_U, SELECT)
    f.op(0xfc, 10, 0, 0)
    f.op(END)
    // if (L >= 64 b && L < 64 b + 64) store8(S + L - 64 b, 0x80)
    f.get(ln.L).get(b).i32(6).op(I32_SHL, I32_SUB).set(t)
    f.get(t).i32(64).op(I32_LT_U).get(ln.L).get(b).i32(6).op(I32_SHL, I32_GE_U, I32_AND, IF, VOID)
    f.i32(S).get(t).op(I32_ADD).i32(0x80).op(I32_STORE8, ...MEMARG(0, 0))
    f.op(END)
    // last block: big-endian bit length in bytes 60..63 (messages < 512 MiB)
    f.get(b).i32(1).op(I32_ADD).get(ln.nb).op(0x46 /* i32.eq */, IF, VOID)
    f.get(ln.L).i32(3).op(I32_SHL).set(t)
    f.i32(S).get(t).i32(24).op(I32_SHR_U).op(I32_STORE8, ...MEMARG(0, 60))
    f.i32(S).get(t).i32(16).op(I32_SHR_U).op(I32_STORE8, ...MEMARG(0, 61))
    f.i32(S).get(t).i32(8).op(I32_SHR_U).op(I32_STORE8, ...MEMARG(0, 62))
    f.i32(S).get(t).op(I32_STORE8, ...MEMARG(0, 63))
    f.op(END)
    f.op(END) // if b < nb
  })
  // W[j] = big-endian words of the 4 scratch blocks, transposed into lanes
  for (let j = 0; j < 16; j++) {
    f.i32(0).op(I32_LOAD, ...MEMARG(2, 4 * j)).simd(I32X4_SPLAT)
    for (let l = 1; l < 4; l++) f.i32(0).op(I32_LOAD, ...MEMARG(2, 64 * l + 4 * j)).simd(I32X4_REPLACE, l)
    f.set(w[j]!).get(w[j]!).get(w[j]!).op(0xfd, ...uleb(V_SHUFFLE), ...BSWAP32).set(w[j]!)
  }
  // mask = nbv > splat(b)
  f.get(nbv).get(b).simd(I32X4_SPLAT).simd(I32X4_GT_S).set(mask)
  for (let k = 0; k < 8; k++) f.get(st[k]!).set(sv[k]!)
  // 64 rounds; working variables by renaming
  const v = [...sv]
  for (let r = 0; r < 64; r++) {
    const wi = w[r & 15]!
    if (r >= 16) {
      // w[r] = σ1(w[r-2]) + w[r-7] + σ0(w[r-15]) + w[r-16]
      const w2 = w[(r - 2) & 15]!, w7 = w[(r - 7) & 15]!, w15 = w[(r - 15) & 15]!
      rotr(w2, 17); rotr(w2, 19); f.simd(V_XOR); shr(w2, 10); f.simd(V_XOR)
      f.get(w7).simd(I32X4_ADD)
      rotr(w15, 7); rotr(w15, 18); f.simd(V_XOR); shr(w15, 3); f.simd(V_XOR)
      f.simd(I32X4_ADD)
      f.get(wi).simd(I32X4_ADD).set(wi)
    }
    const [a, bb, c, d, e, ff, gg, h] = v as [number, number, number, number, number, number, number, number]
    // t1 = h + Σ1(e) + Ch(e,f,g) + K[r] + w
    f.get(h)
    rotr(e, 6); rotr(e, 11); f.simd(V_XOR); rotr(e, 25); f.simd(V_XOR)
    f.simd(I32X4_ADD)
    f.get(ff).get(gg).get(e).simd(V_BITSELECT).simd(I32X4_ADD)
    splatConst(K[r]!); f.simd(I32X4_ADD)
    f.get(wi).simd(I32X4_ADD).set(t1)
    // d += t1
    f.get(d).get(t1).simd(I32X4_ADD).set(d)
    // h = t1 + Σ0(a) + Maj(a,b,c)   (h becomes the new a)
    f.get(t1)
    rotr(a, 2); rotr(a, 13); f.simd(V_XOR); rotr(a, 22); f.simd(V_XOR)
    f.simd(I32X4_ADD)
    f.get(bb).get(a).get(a).get(c).simd(V_XOR).simd(V_BITSELECT).simd(I32X4_ADD)
    f.set(h)
    // rotate names: new (a..h) = (h, a, b, c, d, e, f, g)
    v.unshift(v.pop()!)
  }
  // st = mask ? st + v : st
  for (let k = 0; k < 8; k++) {
    f.get(st[k]!).get(v[k]!).simd(I32X4_ADD).get(st[k]!).get(mask).simd(V_BITSELECT).set(st[k]!)
  }
  f.get(b).i32(1).op(I32_ADD).set(b)
  f.op(BR, 0, END, END)
  // write digests of lanes g + l < n
  for (let k = 0; k < 8; k++) { f.get(st[k]!).get(st[k]!).op(0xfd, ...uleb(V_SHUFFLE), ...BSWAP32).set(st[k]!) }
  for (let l = 0; l < 4; l++) {
    f.get(g).i32(l).op(I32_ADD).get(N).op(I32_LT_U, IF, VOID)
    // t = out + 32 (g + l)
    f.get(OUT).get(g).i32(l).op(I32_ADD).i32(5).op(I32_SHL, I32_ADD).set(t)
    for (let k = 0; k < 8; k++) f.get(t).get(st[k]!).simd(I32X4_EXTRACT, l).op(I32_STORE, ...MEMARG(2, 4 * k))
    f.op(END)
  }
  f.get(g).i32(4).op(I32_ADD).set(g)
  f.op(BR, 0, END, END)
  void V_CONST; void V_AND

  const body = f.body()
  const sec = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content]
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // type: (i32 i32 i32) -> ()
    ...sec(1, [1, 0x60, 3, I32, I32, I32, 0]),
    // function 0 of type 0
    ...sec(3, [1, 0]),
    // memory: min 16 pages (1 MiB), no max
    ...sec(5, [1, 0x00, 16]),
    // exports: "run" func 0, "memory" mem 0
    ...sec(7, [2, 3, ...'run'.split('').map((ch) => ch.charCodeAt(0)), 0x00, 0, 6, ...'memory'.split('').map((ch) => ch.charCodeAt(0)), 0x02, 0]),
    ...sec(10, [1, ...body]),
  ]
  return Uint8Array.from(bytes)
}
