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
/** EIP-2935 runtime code (the history contract as deployed on mainnet; its genesis predeploy has nonce 1, balance 0). */
export const HISTORY_STORAGE_CODE = hexToBytes(
  '0x3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500',
)
/** EIP-4788 runtime code (the beacon roots contract as deployed on mainnet; genesis predeploy with nonce 1, balance 0). */
export const BEACON_ROOTS_CODE = hexToBytes(
  '0x3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500',
)
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

/** The storage slot EIP-2935 writes at the start of block `number` (the parent's number modulo the window). */
export function historySlotOf(number: bigint): bigint {
  return (number - 1n) % HISTORY_SERVE_WINDOW
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
