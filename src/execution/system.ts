/**
 * Block-level system calls run before a block's transactions: EIP-4788
 * (Cancun, parent beacon block root) and EIP-2935 (Prague, parent block hash
 * history). Each is a call from SYSTEM_ADDRESS with 30M gas, no fee, no
 * nonce bump; when the target has no code it is skipped.
 */
import { forkAtLeast } from '../eth/fork.js'
import { CallKind, type BlockEnv } from '../evm/env.js'
import { Evm } from '../evm/interpreter.js'
import { hexToBytes } from '../primitives/hex.js'
import { addressToBigInt, type StateOverlay } from '../state/overlay.js'

/** 0xfffffffffffffffffffffffffffffffffffffffe. */
export const SYSTEM_ADDRESS = hexToBytes('0xfffffffffffffffffffffffffffffffffffffffe')
/** EIP-2935 history contract. */
export const HISTORY_STORAGE_ADDRESS = hexToBytes('0x0000f90827f1c53a10cb7a02335b175320002935')
/** EIP-4788 beacon roots contract. */
export const BEACON_ROOTS_ADDRESS = hexToBytes('0x000f3df6d732807ef1319fb7b8bb8522d0beac02')
/** EIP-2935 ring buffer size (HISTORY_SERVE_WINDOW). */
export const HISTORY_SERVE_WINDOW = 8191n
/** Gas of a system call. */
export const SYSTEM_CALL_GAS = 30_000_000

/** Run one system call; returns whether it ran (target has code) and succeeded. */
export function systemCall(state: StateOverlay, block: BlockEnv, target: Uint8Array, input: Uint8Array): boolean {
  const to = addressToBigInt(target)
  const acc = state.account(to)
  if (state.code(acc).length === 0) return false
  const evm = new Evm(state, block)
  const from = addressToBigInt(SYSTEM_ADDRESS)
  state.beginTransaction()
  evm.tx = { origin: from, gasPrice: 0n, blobHashes: [] }
  const r = evm.execute({ kind: CallKind.Call, caller: from, address: to, codeAddress: to, value: 0n, input, gas: SYSTEM_CALL_GAS, isStatic: false, depth: 0, transfersValue: false, isTopLevel: true })
  state.finalizeTransaction(false)
  return r.success
}

/** EIP-2935 (Prague): store `parentHash` in the history contract. No-op before Prague or without the contract. */
export function applyBlockHashHistory(state: StateOverlay, block: BlockEnv, parentHash: Uint8Array): boolean {
  if (!forkAtLeast(block.fork, 'Prague') || block.number === 0n) return false
  return systemCall(state, block, HISTORY_STORAGE_ADDRESS, parentHash)
}

/** EIP-4788 (Cancun): store the parent beacon block root. No-op before Cancun or without the contract. */
export function applyBeaconRoot(state: StateOverlay, block: BlockEnv, parentBeaconRoot: Uint8Array): boolean {
  if (!forkAtLeast(block.fork, 'Cancun')) return false
  return systemCall(state, block, BEACON_ROOTS_ADDRESS, parentBeaconRoot)
}
