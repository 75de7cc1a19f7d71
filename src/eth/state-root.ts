/**
 * The Ethereum (Merkle-Patricia) state root of a set of accounts. Tachyon's
 * own blocks commit to the QMDB root instead, but conformance fixtures state
 * their expected post-state as this root, so the test harness and tools need
 * to compute it from a full account list.
 *
 * Account leaf: key keccak256(address), value rlp([nonce, balance,
 * storageRoot, codeHash]). Storage leaf: key keccak256(slot as 32 bytes),
 * value rlp(minimal big-endian bytes of the word); zero words are absent.
 */
import { keccak256 } from '../crypto/keccak.js'
import { bigIntToBytes } from '../primitives/bytes.js'
import { DecodeError } from '../primitives/errors.js'
import { encodeRlp } from '../primitives/rlp.js'
import { trieRootOfHexKeys } from './trie.js'

/** One account as `stateRoot` reads it. */
export interface StateRootAccount {
  /** 20-byte address. */
  address: Uint8Array
  nonce: bigint
  balance: bigint
  /** keccak256 of the code (KECCAK_EMPTY for none). */
  codeHash: Uint8Array
  /** (slot, value) pairs; zero values are skipped. */
  storage: Iterable<readonly [bigint, bigint]>
}

/** An account field outside its range (negative, over 2^256-1, wrong length). */
export class StateRootInputError extends DecodeError {
  override name = 'StateRootInputError'
}

/** Hex of a fresh 32-byte hash (native Buffer encoder; the hash is not shared, so no copy is needed). */
function hexOfHash(h: Uint8Array): string {
  return Buffer.from(h.buffer, h.byteOffset, h.length).toString('hex')
}

const U256_MAX = (1n << 256n) - 1n

/** The storage root of one account's storage (zero slots omitted). */
export function storageRoot(storage: Iterable<readonly [bigint, bigint]>): Uint8Array {
  const entries: [string, Uint8Array][] = []
  for (const [slot, value] of storage) {
    if (slot < 0n || slot > U256_MAX) throw new StateRootInputError(`storage slot out of range: ${slot}`)
    if (value < 0n || value > U256_MAX) throw new StateRootInputError(`storage value out of range: ${value}`)
    if (value === 0n) continue
    entries.push([hexOfHash(keccak256(bigIntToBytes(slot, 32))), encodeRlp(value)])
  }
  return trieRootOfHexKeys(entries)
}

/** The RLP account body stored in the state trie. */
export function encodeAccount(nonce: bigint, balance: bigint, storageRootHash: Uint8Array, codeHash: Uint8Array): Uint8Array {
  return encodeRlp([nonce, balance, storageRootHash, codeHash])
}

/** The Ethereum state root of `accounts` (every account given is included, empty or not). */
export function stateRoot(accounts: Iterable<StateRootAccount>): Uint8Array {
  const entries: [string, Uint8Array][] = []
  for (const a of accounts) {
    if (a.address.length !== 20) throw new StateRootInputError(`address must be 20 bytes, got ${a.address.length}`)
    if (a.codeHash.length !== 32) throw new StateRootInputError(`code hash must be 32 bytes, got ${a.codeHash.length}`)
    if (a.nonce < 0n || a.nonce >= 1n << 64n) throw new StateRootInputError(`nonce out of range: ${a.nonce}`)
    if (a.balance < 0n || a.balance > U256_MAX) throw new StateRootInputError(`balance out of range: ${a.balance}`)
    const body = encodeAccount(a.nonce, a.balance, storageRoot(a.storage), a.codeHash)
    entries.push([hexOfHash(keccak256(a.address)), body])
  }
  return trieRootOfHexKeys(entries)
}
