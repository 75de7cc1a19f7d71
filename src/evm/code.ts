/**
 * Bytecode pre-decoding, done once per code hash: a jump-destination map
 * (JUMPDESTs that are not inside PUSH data), PUSH immediates decoded to
 * bigints indexed by pc, and the code padded with STOP bytes so the
 * dispatch loop never bounds-checks the pc. `CodeCache` keeps the results per
 * engine (no module-level state, DESIGN.md).
 */
import { bytesToHexRaw } from '../primitives/hex.js'
import type { FrameRunner } from './interpreter.js'

/** Code prepared for the interpreter (and the JIT). */
export interface AnalyzedCode {
  /** The original bytecode. */
  readonly raw: Uint8Array
  /** Bytecode followed by 33 zero (STOP) bytes. */
  readonly padded: Uint8Array
  /** Original length. */
  readonly length: number
  /** 1 at each valid JUMPDEST position. */
  readonly jumpdests: Uint8Array
  /** The PUSHn immediate at each PUSH position (0n elsewhere). */
  readonly pushValues: bigint[]
}

/** Decode `code`. */
export function analyzeCode(code: Uint8Array): AnalyzedCode {
  const n = code.length
  const padded = new Uint8Array(n + 33)
  padded.set(code)
  const jumpdests = new Uint8Array(n)
  const pushValues: bigint[] = new Array<bigint>(n).fill(0n)
  for (let pc = 0; pc < n; pc++) {
    const op = code[pc]!
    if (op === 0x5b) {
      jumpdests[pc] = 1
    } else if (op >= 0x60 && op <= 0x7f) {
      const len = op - 0x5f
      pushValues[pc] = readImmediate(padded, pc + 1, len)
      pc += len
    }
  }
  return { raw: code, padded, length: n, jumpdests, pushValues }
}

function readImmediate(b: Uint8Array, off: number, len: number): bigint {
  if (len <= 6) {
    let v = 0
    for (let i = 0; i < len; i++) v = v * 256 + b[off + i]!
    return BigInt(v)
  }
  let v = 0n
  let i = 0
  for (; i + 6 <= len; i += 6) {
    const chunk = b[off + i]! * 0x10000000000 + b[off + i + 1]! * 0x100000000 + ((b[off + i + 2]! << 24) >>> 0) + (b[off + i + 3]! << 16) + (b[off + i + 4]! << 8) + b[off + i + 5]!
    v = (v << 48n) | BigInt(chunk)
  }
  for (; i < len; i++) v = (v << 8n) | BigInt(b[off + i]!)
  return v
}

/** Per-engine cache of analysed code by code hash (bounded; clears when full). */
export class CodeCache {
  private readonly byRef = new WeakMap<Uint8Array, AnalyzedCode>()
  private readonly byHash = new Map<string, AnalyzedCode>()
  private readonly maxEntries: number
  /** JIT hook (issue 6): compiled tier used by every `Evm` built on this cache (see `EvmOptions.jit`). */
  jit: FrameRunner | undefined = undefined

  constructor(maxEntries = 4096) {
    this.maxEntries = maxEntries
  }

  /** Analysed code for `code` whose hash is `codeHash`. */
  get(codeHash: Uint8Array, code: Uint8Array): AnalyzedCode {
    let a = this.byRef.get(codeHash)
    if (a !== undefined) return a
    const key = bytesToHexRaw(codeHash)
    a = this.byHash.get(key)
    if (a === undefined) {
      a = analyzeCode(code)
      if (this.byHash.size >= this.maxEntries) this.byHash.clear()
      this.byHash.set(key, a)
    }
    this.byRef.set(codeHash, a)
    return a
  }
}
