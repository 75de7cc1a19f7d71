/**
 * Cooperative time slicing for the seal path (issue 7: "the mini-block loop
 * must not stall while a block is sealed"). Sealing a 1 s block is tens of
 * milliseconds of main-thread work (state change set, undo values,
 * transactions/receipts roots, chain-store records); done in one go it holds
 * every mini-block and RPC answer behind it. The seal runs instead as an
 * async job that checks a `Slicer` between small steps and, once its slice
 * budget is spent, yields the event loop (`setImmediate`: pending I/O and
 * the mini-block loop run first) before continuing.
 */

/** Default longest stretch of seal work between two yields to the event loop, in milliseconds. */
export const SEAL_SLICE_MS = 2

/**
 * Fair share under load: a slice may last this fraction of the time the rest
 * of the event loop ran since the previous slice (when that is longer than
 * the budget), up to SEAL_MAX_SLICE_MS. With the mini-block loop running
 * 50 ms turns under load, a seal still gets a share of the main thread; at
 * low load (short mini-blocks) the slices stay at the budget.
 */
export const SEAL_FAIR_SHARE = 0.5

/** Cap of a fair-share slice while the seal keeps up (wall-clock gaps also count OS preemption on a loaded box). */
export const SEAL_MAX_SLICE_MS = 3

/**
 * Fraction used instead, without the cap, while the seal is behind (the next
 * block is already waiting to be sealed): the seal then takes half of the
 * main thread until it has caught up, so seals never pile up.
 */
export const SEAL_CATCH_UP_SHARE = 1

/** `Slicer.due` reads the clock on every (mask + 1)-th call only: it is asked per key, per trie child, per record. */
const DUE_SAMPLE_MASK = 3

/** Tracks the time used by the current slice of a background job and yields when it is spent. */
export class Slicer {
  private start = performance.now()
  private calls = 0
  /** Length allowed to the current slice (the budget, or more after a long wait: SEAL_FAIR_SHARE). */
  private allowed: number
  /** Number of times the job yielded. */
  pauses = 0
  /** Longest slice so far (ms), for the seal statistics. */
  longestMs = 0
  /** What the job is doing now (a label for `trace`; set by the job between steps). */
  phase = ''
  /** Phase of the longest slice so far. */
  longestPhase = ''

  constructor(
    private readonly budgetMs: number = SEAL_SLICE_MS,
    /** True while the seal is behind (another block waits for its turn): catch-up share, no cap. */
    private readonly behind: () => boolean = () => false,
    /** Called with each slice that ends (its phase when it ended, start and end in `performance.now()` ms): profiling (`Chain.sealTrace`). */
    private readonly trace?: (phase: string, startMs: number, endMs: number) => void,
  ) {
    this.allowed = budgetMs
  }

  /**
   * True when the current slice has used its allowance: the caller should
   * `await pause()`. Callers ask after every small step (a key, a trie
   * child, a record), so the clock is read on every fourth call only.
   */
  get due(): boolean {
    if ((++this.calls & DUE_SAMPLE_MASK) !== 0) return false
    return performance.now() - this.start >= this.allowed
  }

  /** Whether the slice's time is spent, reading the clock now (for callers that ask rarely, between large steps). */
  get overdue(): boolean {
    return performance.now() - this.start >= this.allowed
  }

  /** End the current slice: let the event loop run (I/O, mini-blocks), then start a new slice. */
  async pause(): Promise<void> {
    this.note()
    this.pauses++
    const left = performance.now()
    await new Promise<void>((resolve) => setImmediate(resolve))
    this.start = performance.now()
    const others = this.start - left
    this.allowed = this.behind()
      ? Math.max(this.budgetMs, others * SEAL_CATCH_UP_SHARE)
      : Math.max(this.budgetMs, Math.min(SEAL_MAX_SLICE_MS, others * SEAL_FAIR_SHARE))
  }

  /** Start a new slice without yielding (after awaiting something that already yielded). */
  restart(): void {
    this.start = performance.now()
    this.allowed = this.budgetMs
  }

  /** Record the length of the slice that ends now. */
  note(): void {
    const now = performance.now()
    const used = now - this.start
    if (used > this.longestMs) {
      this.longestMs = used
      this.longestPhase = this.phase
    }
    this.trace?.(this.phase, this.start, now)
  }

  /** Drive a build generator (one that yields when `due`) to its end, pausing at each of its yields. */
  async drive<T>(g: Generator<void, T, void>): Promise<T> {
    let r = g.next()
    while (r.done !== true) {
      await this.pause()
      r = g.next()
    }
    return r.value
  }
}
