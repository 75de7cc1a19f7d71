/**
 * Tachyon's public entry point: re-exports the stable building blocks for
 * scripts and tests that embed the node as a library.
 */
export * from './primitives/hex.js'
export * from './primitives/bytes.js'
export * from './primitives/rlp.js'
export * from './primitives/errors.js'
export { keccak256, keccak256Hex } from './crypto/keccak.js'
