/**
 * Adaptive tiering for the JIT: the `FrameRunner` the interpreter's hook
 * calls for every frame run (`EvmOptions.jit` / `CodeCache.jit`).
 *
 * Every contract starts in the interpreter. Frame entries are counted per
 * analysed code (the `CodeCache` keeps one `AnalyzedCode` per code hash, so
 * this is a count per code hash); at `threshold` entries the code is
 * compiled (`compiler.ts`) and kept in a bounded cache (least recently used
 * entry evicted). Compilation is timed; with `async: true` it runs from
 * `setImmediate`, off the transaction's critical path, while the
 * interpreter keeps executing the code meanwhile. A frame resumed after a
 * sub-call (pc at a block start) can switch tiers either way, since both
 * keep the whole frame state in the `Frame`.
 *
 * Safety net (`adaptive`, on when `threshold` > 1): while a code is still
 * being counted, its frames are run by calling the interpreter from here,
 * timed, so the JIT learns the interpreter's gas rate on that very code.
 * Once compiled, frame runs are timed again after `evalMs` of warm-up (so
 * TurboFan has optimised them); after another `evalMs` the rates are
 * compared, and a code that runs slower compiled than interpreted is
 * demoted to the interpreter for good (`stats.demoted`). Only frame
 * segments that end the frame (STOP, RETURN, REVERT) count on either side:
 * errors burn all gas and suspensions forward gas to a child, so neither
 * says anything about speed.
 */
import type { AnalyzedCode } from '../code.js'
import { type Evm, type Frame, type FrameRunner, interpreterInternals as I } from '../interpreter.js'
import type { ForkTables } from '../opcodes.js'
import { compile, type CompiledCode, type CompileOptions, JitCompileError } from './compiler.js'
import type { WasmCounts } from './wasm/tier.js'

/** JIT tuning. */
export interface JitOptions {
  /** Frame entries before a code is compiled; 0 or 1 compiles on the first call (default 8, as revmc). */
  threshold?: number
  /** Compiled codes kept (default 512). */
  maxEntries?: number
  /** Codes larger than this stay interpreted (default 64 KiB; init code included). */
  maxCodeSize?: number
  /** Compile from `setImmediate` instead of synchronously at the threshold (default false). */
  async?: boolean
  /** Soft cap on one region function's source size (characters). */
  regionChars?: number
  /**
   * Region exits through dynamic jumps after which a code is recompiled
   * with its hot dynamic edges inside regions (default `HOT_LEAVES`; 0
   * switches the relayout off).
   */
  hotLeaves?: number
  /** Compare compiled and interpreted speed per code and demote codes the JIT slows down (default: `threshold` > 1). */
  adaptive?: boolean
  /** Warm-up and then measurement budget of compiled run time per code before the comparison (ms, default 100). */
  evalMs?: number
  /** Compile hot pure-compute loops to WebAssembly (tier 2, `wasm/tier.ts`; default true). */
  wasm?: boolean
  /** Every eligible block goes to wasm, loops or not (default: `threshold` is 0, the forced mode of conformance and the fuzzer). */
  wasmAll?: boolean
}

/** Counters for reports and tests. */
export interface JitStats {
  /** Codes compiled. */
  compiled: number
  /** Total compile time (ms). */
  compileMs: number
  /** Compilations that failed (the code stays interpreted). */
  failed: number
  /** Frame runs started in compiled code. */
  compiledRuns: number
  /** Frame runs left to the interpreter (cold code, mid-block pcs). */
  interpretedRuns: number
  /** Cache evictions. */
  evictions: number
  /** Codes demoted to the interpreter because they ran slower compiled. */
  demoted: number
  /** Codes recompiled with their hot dynamic edges inside regions. */
  relayouts: number
  /** Compilations that produced a WebAssembly region (tier 2), and its build time (ms, part of `compileMs`). */
  wasmRegions: number
  wasmMs: number
  /** Wasm regions dropped as unprofitable (recompiled with tier 1 only). */
  wasmDropped: number
  /** Entries into wasm regions, gas run there, and exits to the interpreter before an instruction. */
  readonly wasm: WasmCounts
}

/** Default `hotLeaves`: enough region exits to tell the hot edges from cold ones, few enough to recompile early in a long run. */
export const HOT_LEAVES = 16384
/** An exit edge is hot when it took at least this share of a code's recorded region exits. */
const HOT_EDGE_SHARE = 1 / 1024

/** Compilation errors kept in `Jit.errors` (the first few: enough to diagnose, bounded). */
const MAX_KEPT_ERRORS = 8

/** Timing of one code in both tiers (see the `adaptive` safety net). */
interface Profile {
  /** Interpreted: gas and ms of frame segments that ended the frame. */
  iGas: number
  iMs: number
  /** Compiled: warm-up ms spent so far, then gas and ms measured. */
  warmMs: number
  jGas: number
  jMs: number
  /** The comparison is done (kept or demoted). */
  done: boolean
}

const { S_STOP, S_RETURN, S_REVERT, interpret } = I
/** Statuses after which a segment's gas use reflects work done. */
const ends = (s: number): boolean => s === S_STOP || s === S_RETURN || s === S_REVERT

interface Entry {
  code: CompiledCode
  lastUse: number
}

/** The JIT tier. One per engine or worker (no module-level state). */
export class Jit implements FrameRunner {
  readonly threshold: number
  readonly maxEntries: number
  readonly maxCodeSize: number
  readonly async: boolean
  readonly regionChars: number | undefined
  readonly hotLeaves: number
  readonly adaptive: boolean
  readonly evalMs: number
  readonly wasm: boolean
  readonly wasmAll: boolean
  readonly stats: JitStats = { compiled: 0, compileMs: 0, failed: 0, compiledRuns: 0, interpretedRuns: 0, evictions: 0, demoted: 0, relayouts: 0, wasmRegions: 0, wasmMs: 0, wasmDropped: 0, wasm: { entries: 0, gas: 0, bails: 0 } }
  /** Last compile errors (at most 8), for diagnostics. */
  readonly errors: string[] = []
  private readonly counts = new WeakMap<AnalyzedCode, number>()
  private readonly cache = new Map<AnalyzedCode, Entry>()
  private readonly failedCodes = new WeakSet<AnalyzedCode>()
  private readonly profiles = new WeakMap<AnalyzedCode, Profile>()
  private readonly demotedCodes = new WeakSet<AnalyzedCode>()
  private readonly queued = new Set<AnalyzedCode>()
  /** Codes whose wasm region was dropped as unprofitable: compiled with tier 1 only from then on. */
  private readonly noWasm = new WeakSet<AnalyzedCode>()
  private clock = 0

  constructor(opts: JitOptions = {}) {
    this.threshold = opts.threshold ?? 8
    this.maxEntries = opts.maxEntries ?? 512
    this.maxCodeSize = opts.maxCodeSize ?? 65536
    this.async = opts.async ?? false
    this.regionChars = opts.regionChars
    this.hotLeaves = opts.hotLeaves ?? HOT_LEAVES
    // needs the interpreter entry from the hook (`interpreterInternals.interpret`)
    this.adaptive = (opts.adaptive ?? this.threshold > 1) && typeof interpret === 'function'
    this.evalMs = opts.evalMs ?? 100
    this.wasm = opts.wasm ?? true
    this.wasmAll = opts.wasmAll ?? this.threshold === 0
  }

  /** Wasm-tier figures over the cached codes: regions, blocks, entries, gas run in wasm, bails, build ms. */
  wasmSummary(): { regions: number; blocks: number; entries: number; gas: number; bails: number; ms: number } {
    const s = { regions: 0, blocks: 0, entries: 0, gas: 0, bails: 0, ms: 0 }
    for (const e of this.cache.values()) {
      const w = e.code.wasm
      if (w === undefined) continue
      s.regions++
      s.blocks += w.blocks.length
      s.entries += w.counts.entries
      s.gas += w.counts.gas
      s.bails += w.counts.bails
      s.ms += w.ms
    }
    return s
  }

  /** Whether `code` was demoted to the interpreter by the speed comparison. */
  isDemoted(code: AnalyzedCode): boolean {
    return this.demotedCodes.has(code)
  }

  /** Run `f` in the interpreter from here, timed into `code`'s profile. */
  private interpretTimed(evm: Evm, f: Frame, code: AnalyzedCode): number {
    let p = this.profiles.get(code)
    if (p === undefined) this.profiles.set(code, (p = { iGas: 0, iMs: 0, warmMs: 0, jGas: 0, jMs: 0, done: false }))
    const g0 = f.gas
    const t0 = performance.now()
    const s = interpret(evm, f)
    if (ends(s)) {
      p.iMs += performance.now() - t0
      p.iGas += g0 - f.gas
    }
    return s
  }

  /** Record a compiled segment; demote the code once it has proved slower than the interpreter. */
  private judge(code: AnalyzedCode, p: Profile, gas: number, ms: number): void {
    if (p.warmMs < this.evalMs) {
      p.warmMs += ms
      return
    }
    p.jGas += gas
    p.jMs += ms
    if (p.jMs < this.evalMs) return
    p.done = true
    // too little interpreted work to know its rate: keep the JIT
    if (p.iMs < 1 || p.iGas <= 0 || p.jGas <= 0) return
    if (p.jGas / p.jMs < 0.9 * (p.iGas / p.iMs)) {
      this.demotedCodes.add(code)
      this.cache.delete(code)
      this.stats.demoted++
    }
  }

  /** Compiled code for `code` under `tables`, if cached. */
  compiled(code: AnalyzedCode, tables: ForkTables): CompiledCode | undefined {
    const e = this.cache.get(code)
    return e !== undefined && e.code.tables === tables ? e.code : undefined
  }

  /** Number of cached compiled codes. */
  get size(): number {
    return this.cache.size
  }

  /** `compile` with this JIT's region size; adds the compile time to the stats, keeps the first errors. Undefined when it fails. */
  private tryCompile(code: AnalyzedCode, tables: ForkTables, opts: CompileOptions): CompiledCode | undefined {
    try {
      const c = compile(code, tables, { ...(this.regionChars !== undefined ? { regionChars: this.regionChars } : {}), ...opts })
      this.stats.compileMs += c.compileMs
      return c
    } catch (e) {
      if (this.errors.length < MAX_KEPT_ERRORS) this.errors.push(e instanceof JitCompileError ? e.message : String(e))
      return undefined
    }
  }

  /** The tier-2 options for `code` (off once its wasm region was dropped). */
  private wasmOptions(code: AnalyzedCode): Pick<CompileOptions, 'wasm' | 'wasmAll' | 'wasmSink'> {
    return { wasm: this.wasm && !this.noWasm.has(code), wasmAll: this.wasmAll, wasmSink: this.stats.wasm }
  }

  /** Swap the cached compiled form of `code` from `old` to `next` (unless the cache moved on meanwhile). */
  private replaceCached(code: AnalyzedCode, old: CompiledCode, next: CompiledCode): void {
    const e = this.cache.get(code)
    if (e !== undefined && e.code === old) e.code = next
  }

  /** Compile `code` now (bypassing the threshold) and cache it; undefined when compilation fails or the code is too large. */
  compileNow(code: AnalyzedCode, tables: ForkTables): CompiledCode | undefined {
    if (code.length > this.maxCodeSize || this.failedCodes.has(code)) return undefined
    const c = this.tryCompile(code, tables, { profile: this.hotLeaves > 0, ...this.wasmOptions(code) })
    if (c === undefined) {
      this.stats.failed++
      this.failedCodes.add(code)
      return undefined
    }
    this.stats.compiled++
    if (c.wasm !== undefined) {
      this.stats.wasmRegions++
      this.stats.wasmMs += c.wasm.ms
    }
    if (!this.cache.has(code) && this.cache.size >= this.maxEntries) this.evict()
    this.cache.set(code, { code: c, lastUse: ++this.clock })
    return c
  }

  /**
   * Recompile `c` with the dynamic edges that took at least
   * `HOT_EDGE_SHARE` of its recorded region exits placed like static
   * edges (region layout by run-time hotness), and cache the result. Block
   * ids do not change (the same analysis), so a running frame may continue
   * in the new code at any block start. Undefined when it fails (the old
   * code stays).
   */
  private relayout(code: AnalyzedCode, c: CompiledCode): CompiledCode | undefined {
    const hot = c.hot!
    hot.done = true
    const edges: [number, number, number][] = []
    for (const [k, n] of hot.edges) if (n >= hot.leaves * HOT_EDGE_SHARE) edges.push([Math.floor(k / 65536), k % 65536, n])
    hot.edges.clear()
    if (edges.length === 0) return undefined
    const n = this.tryCompile(code, c.tables, { hotEdges: edges, ...this.wasmOptions(code) })
    if (n === undefined) return undefined
    this.stats.relayouts++
    this.replaceCached(code, c, n)
    // the safety net must judge the new layout once TurboFan has optimised it,
    // not its first cold runs: restart the warm-up and the measurement
    const p = this.profiles.get(code)
    if (p !== undefined && !p.done) {
      p.warmMs = 0
      p.jGas = 0
      p.jMs = 0
    }
    return n
  }

  /**
   * The code's wasm region proved unprofitable (`WasmCounts.drop`):
   * recompile it with tier 1 only and cache that. Block ids do not change,
   * so the frame continues in the new code. Returns the code to run now.
   */
  private dropWasm(code: AnalyzedCode, c: CompiledCode): CompiledCode {
    c.wasm!.counts.drop = false
    this.noWasm.add(code)
    const n = this.tryCompile(code, c.tables, { profile: this.hotLeaves > 0, wasm: false })
    if (n === undefined) return c
    this.stats.wasmDropped++
    this.replaceCached(code, c, n)
    return n
  }

  /** `relayout` now (synchronous JIT) or from `setImmediate` (async: the frame keeps running the old code). */
  private maybeRelayout(code: AnalyzedCode, c: CompiledCode): CompiledCode | undefined {
    if (!this.async) return this.relayout(code, c)
    c.hot!.done = true
    setImmediate(() => void this.relayout(code, c))
    return undefined
  }

  private evict(): void {
    let oldest: AnalyzedCode | undefined
    let t = Infinity
    for (const [k, e] of this.cache) {
      if (e.lastUse < t) {
        t = e.lastUse
        oldest = k
      }
    }
    if (oldest !== undefined) {
      this.cache.delete(oldest)
      this.stats.evictions++
    }
  }

  private tierUp(code: AnalyzedCode, tables: ForkTables): CompiledCode | undefined {
    const n = (this.counts.get(code) ?? 0) + 1
    this.counts.set(code, n)
    if (n < this.threshold) return undefined
    if (!this.async || this.threshold <= 1) return this.compileNow(code, tables)
    if (!this.queued.has(code)) {
      this.queued.add(code)
      setImmediate(() => {
        this.queued.delete(code)
        if (this.compiled(code, tables) === undefined) this.compileNow(code, tables)
      })
    }
    return undefined
  }

  /** Run frame `f` in compiled code, or return -1 to leave it to the interpreter. */
  run(evm: Evm, f: Frame): number {
    const code = f.code
    if (this.adaptive && code.length <= this.maxCodeSize && !this.failedCodes.has(code)) {
      if (this.demotedCodes.has(code)) {
        this.stats.interpretedRuns++
        return -1
      }
      const p = this.profiles.get(code)
      if (p === undefined || !p.done) {
        const cached = this.cache.get(code)
        if (cached === undefined || cached.code.tables !== evm.tables) {
          if (f.pc !== 0) {
            this.stats.interpretedRuns++
            return -1
          }
          if (this.tierUp(code, evm.tables) === undefined) {
            this.stats.interpretedRuns++
            return this.interpretTimed(evm, f, code)
          }
        }
        const prof = this.profiles.get(code)
        if (prof !== undefined) {
          const g0 = f.gas
          const t0 = performance.now()
          const s = this.runCompiled(evm, f, code)
          if (ends(s)) this.judge(code, prof, g0 - f.gas, performance.now() - t0)
          return s
        }
      }
    }
    return this.runCompiled(evm, f, code)
  }

  /** The tiering without the speed comparison. */
  private runCompiled(evm: Evm, f: Frame, code: AnalyzedCode): number {
    const e = this.cache.get(code)
    let c: CompiledCode | undefined
    if (e !== undefined && e.code.tables === evm.tables) {
      c = e.code
      e.lastUse = ++this.clock
    } else {
      if (f.pc !== 0) {
        this.stats.interpretedRuns++
        return -1
      }
      c = this.tierUp(code, evm.tables)
      if (c === undefined) {
        this.stats.interpretedRuns++
        return -1
      }
    }
    if (c.wasm?.counts.drop === true) c = this.dropWasm(code, c)
    let b = c.blockAt[f.pc]!
    if (b === undefined || b < 0) {
      this.stats.interpretedRuns++
      return -1
    }
    this.stats.compiledRuns++
    let fns = c.regions
    if (fns.length === 1) return fns[0]!(f, evm, b)
    let rg = c.regionOf
    let hot = c.hot
    for (;;) {
      const r = fns[rg[b]!]!(f, evm, b)
      if (r < 8) return r
      b = r - 8
      if (hot !== undefined && !hot.done && hot.leaves >= this.hotLeaves) {
        // block ids are the same in the recompiled code: continue there at block b
        const n = this.maybeRelayout(code, c)
        if (n !== undefined) {
          c = n
          fns = n.regions
          rg = n.regionOf
        }
        hot = undefined
      }
    }
  }
}
