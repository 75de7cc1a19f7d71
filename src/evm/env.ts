/**
 * Execution environment types shared by the interpreter and the transaction
 * layer: the block environment (what NUMBER, TIMESTAMP, COINBASE... read),
 * the transaction environment (ORIGIN, GASPRICE, BLOBHASH), messages (one
 * call or create) and their results, and the EVM's typed errors.
 */
import type { Fork } from '../eth/fork.js'
import type { LogEntry } from '../state/overlay.js'

/** The block an EVM execution runs in. */
export interface BlockEnv {
  /** Block number. */
  number: bigint
  /** Timestamp in seconds. */
  timestamp: bigint
  /** Fee recipient (20 bytes). */
  coinbase: Uint8Array
  /** Block gas limit. */
  gasLimit: bigint
  /** EIP-1559 base fee per gas. */
  baseFee: bigint
  /** PREVRANDAO (32 bytes). */
  prevRandao: Uint8Array
  /** EIP-4844 blob base fee (derived from the excess blob gas). */
  blobBaseFee: bigint
  /** Chain id (CHAINID, EIP-155 and typed-transaction checks). */
  chainId: bigint
  /** Active fork rules. */
  fork: Fork
  /** Pre-merge DIFFICULTY (unused from Paris on; PREVRANDAO is read instead). */
  difficulty?: bigint
}

/** Per-transaction values the EVM exposes. */
export interface TxEnv {
  /** ORIGIN as bigint address. */
  origin: bigint
  /** GASPRICE (the effective gas price). */
  gasPrice: bigint
  /** EIP-4844 versioned hashes (BLOBHASH). */
  blobHashes: Uint8Array[]
}

/** Kind of message. */
export enum CallKind {
  Call = 0,
  CallCode = 1,
  DelegateCall = 2,
  StaticCall = 3,
  Create = 4,
  Create2 = 5,
}

/** One call or create, as the interpreter processes it. */
export interface Message {
  kind: CallKind
  /** CALLER seen by the callee. */
  caller: bigint
  /** Address whose storage/balance the code runs against (for creates, the new address). */
  address: bigint
  /** Address whose code runs (differs for CALLCODE/DELEGATECALL and EIP-7702 delegation). */
  codeAddress: bigint
  /** CALLVALUE. */
  value: bigint
  /** Calldata, or init code for creates. */
  input: Uint8Array
  /** Gas given to the callee. */
  gas: number
  /**
   * Gas beyond `gas` that a double cannot track exactly (only for limits
   * above 2^52, seen in tests with 2^63 block gas limits). Total = gas + gasBank.
   */
  gasBank?: bigint
  /** Static context (no state changes). */
  isStatic: boolean
  /** Call depth (0 for the transaction's message). */
  depth: number
  /** Whether `value` must actually be moved (CALL and the transaction message). */
  transfersValue: boolean
  /** Top-level message of a transaction (nonce already bumped by the caller for creates). */
  isTopLevel: boolean
  /** Code to run instead of loading it from `codeAddress` (EIP-7702 resolved code). */
  code?: Uint8Array | undefined
  /** Code hash of `code` when known (for the analysis cache). */
  codeHash?: Uint8Array | undefined
}

/** Outcome of a message. */
export interface MessageResult {
  /** Completed without error or revert. */
  success: boolean
  /** Ended by REVERT (gas left is returned). */
  reverted: boolean
  /** Gas left to return to the caller. */
  gasLeft: number
  /** Extra gas left beyond `gasLeft` (see `Message.gasBank`). */
  gasBank?: bigint
  /** RETURN/REVERT data (empty after an exceptional halt). */
  output: Uint8Array
  /** The new contract's address (creates that succeeded). */
  createdAddress: bigint | undefined
  /** Why the message failed (exceptional halts and reverts). */
  error: string | undefined
}

/** Everything a finished top-level execution produced. */
export interface ExecutionOutcome extends MessageResult {
  logs: LogEntry[]
}

/** Errors raised by the EVM for bad input to its API (never for in-EVM faults, which are results). */
export class EvmError extends Error {
  override name = 'EvmError'
}
