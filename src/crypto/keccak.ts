/**
 * keccak256 (Ethereum's hash). Backed by hash-wasm's WebAssembly Keccak,
 * measured ~7x `@noble/hashes` on this machine. The hasher is created once per
 * thread (top-level await), after which hashing is synchronous; it is not
 * reentrant, which is safe because every call runs init→update→digest without
 * yielding.
 */
import { createKeccak } from 'hash-wasm'
import { bytesToHex, type Hex } from '../primitives/hex.js'

const hasher = await createKeccak(256)

/** keccak256 of `data` as 32 bytes. */
export function keccak256(data: Uint8Array): Uint8Array {
  hasher.init()
  hasher.update(data)
  return hasher.digest('binary')
}

/** keccak256 of several parts as if concatenated (no intermediate copy). */
export function keccak256Parts(...parts: Uint8Array[]): Uint8Array {
  hasher.init()
  for (const p of parts) hasher.update(p)
  return hasher.digest('binary')
}

/** keccak256 as a `0x` hex string. */
export function keccak256Hex(data: Uint8Array): Hex {
  return bytesToHex(keccak256(data))
}

/** keccak256 of the empty string: the code hash of accounts without code. */
export const KECCAK_EMPTY: Uint8Array = keccak256(new Uint8Array(0))

/** keccak256(rlp("")) = the root of an empty Merkle-Patricia trie. */
export const EMPTY_TRIE_ROOT: Uint8Array = keccak256(Uint8Array.of(0x80))
