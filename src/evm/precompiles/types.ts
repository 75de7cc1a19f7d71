/**
 * The contract every precompile implements: a pure function of its input
 * and gas limit under a fork's rules. The interpreter looks precompiles up
 * by address through `getPrecompile` in `index.ts`.
 */
import type { Fork } from '../../eth/fork.js'

/** Outcome of a precompile call. A failure consumes all gas given to it. */
export type PrecompileResult =
  | { ok: true; gasUsed: bigint; output: Uint8Array }
  | { ok: false; reason: string }

/** A precompiled contract. `gasLimit` is the gas forwarded to the call. */
export type Precompile = (input: Uint8Array, gasLimit: bigint, fork: Fork) => PrecompileResult
