/**
 * The EVM's window onto state, revm style: a small synchronous read interface
 * (account, code by hash, storage slot, block hash) that the sequencer, worker
 * threads, replicas and a stateless validator each implement over their own
 * backing (in-memory map, QMDB, witness).
 */

/** An account's consensus fields. `codeHash` is keccak256 of the code (KECCAK_EMPTY when none). */
export interface AccountInfo {
  nonce: bigint
  balance: bigint
  codeHash: Uint8Array
}

/** Read-only state as the EVM sees it. All methods are synchronous. */
export interface StateReader {
  /** The account at `address` (20 bytes), or undefined when it does not exist. */
  account(address: Uint8Array): AccountInfo | undefined
  /** Bytecode by code hash (empty for KECCAK_EMPTY or unknown hashes). */
  code(codeHash: Uint8Array): Uint8Array
  /** The storage word at `slot` of `address` (0n when unset). */
  storage(address: Uint8Array, slot: bigint): bigint
  /** Hash of block `number`, for BLOCKHASH (zero hash when unknown). */
  blockHash(number: bigint): Uint8Array
  /**
   * Optional: true when the account has any non-zero storage slot. Used for
   * the EIP-7610 create-collision rule; readers that omit it are treated as
   * "no storage".
   */
  hasStorage?(address: Uint8Array): boolean
}

/**
 * A block's (or mini-block's) net state changes, in the form QMDB commits and
 * replicas receive. Keys are lower-case `0x` hex without checksum.
 */
export interface StateDiff {
  /** address → new account fields, or null when the account was deleted. */
  accounts: Map<string, AccountInfo | null>
  /** address → (slot → new value); a value of 0n means the slot was cleared. */
  storage: Map<string, Map<bigint, bigint>>
  /** codeHash → bytecode for code first deployed in this diff. */
  codes: Map<string, Uint8Array>
  /**
   * Addresses whose storage from before this diff must be wiped entirely
   * (an account destroyed and possibly re-created). Applied before `storage`.
   */
  clearedStorage?: Set<string>
}
