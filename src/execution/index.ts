/**
 * Public API of transaction execution: `executeTransaction` (a signed,
 * sender-recovered transaction against a block's `StateOverlay`),
 * `callMessage` (eth_call), block-level system calls, blob-fee helpers and
 * typed rejection errors.
 */
export * from './transaction.js'
export * from './errors.js'
export * from './system.js'
export type { BlockEnv } from '../evm/env.js'
