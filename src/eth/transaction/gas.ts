/**
 * Intrinsic gas: what a transaction pays before its first opcode runs, by
 * fork. Base 21000 (53000 for creation from Homestead), calldata 4 per zero
 * byte and 16 per non-zero byte (68 before Istanbul, EIP-2028), EIP-2930
 * access-list costs, EIP-3860 initcode words from Shanghai, EIP-7702
 * per-authorization cost. The EIP-7623 calldata floor (Prague) is separate:
 * a transaction's gas limit must cover max(intrinsic, floor).
 */
import { forkAtLeast, type Fork } from '../fork.js'
import type { UnsignedTransaction } from './codec.js'

/** Base cost of every transaction. */
export const TX_GAS = 21000n
/** Base cost of a contract-creating transaction (Homestead+). */
export const TX_CREATE_GAS = 53000n
/** Per zero calldata byte. */
export const TX_DATA_ZERO_GAS = 4n
/** Per non-zero calldata byte from Istanbul (EIP-2028). */
export const TX_DATA_NONZERO_GAS = 16n
/** Per non-zero calldata byte before Istanbul. */
export const TX_DATA_NONZERO_GAS_FRONTIER = 68n
/** Per access-list address (EIP-2930). */
export const ACCESS_LIST_ADDRESS_GAS = 2400n
/** Per access-list storage key (EIP-2930). */
export const ACCESS_LIST_STORAGE_KEY_GAS = 1900n
/** Per 32-byte word of initcode (EIP-3860, Shanghai). */
export const INITCODE_WORD_GAS = 2n
/** Per EIP-7702 authorization (PER_EMPTY_ACCOUNT_COST). */
export const PER_AUTH_BASE_COST = 25000n
/** Per calldata token for the EIP-7623 floor (Prague). */
export const TOTAL_COST_FLOOR_PER_TOKEN = 10n

/** Zero and non-zero byte counts of `data`. */
function byteCounts(data: Uint8Array): { zeros: number; nonZeros: number } {
  let zeros = 0
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++
  return { zeros, nonZeros: data.length - zeros }
}

/** Intrinsic gas of `tx` under `fork` (not including the EIP-7623 floor). */
export function intrinsicGas(tx: UnsignedTransaction, fork: Fork): bigint {
  const create = tx.to === null
  let gas = create && forkAtLeast(fork, 'Homestead') ? TX_CREATE_GAS : TX_GAS
  const { zeros, nonZeros } = byteCounts(tx.data)
  const nz = forkAtLeast(fork, 'Istanbul') ? TX_DATA_NONZERO_GAS : TX_DATA_NONZERO_GAS_FRONTIER
  gas += BigInt(zeros) * TX_DATA_ZERO_GAS + BigInt(nonZeros) * nz
  if (create && forkAtLeast(fork, 'Shanghai')) gas += INITCODE_WORD_GAS * BigInt(Math.ceil(tx.data.length / 32))
  if (tx.type !== 0) {
    for (const e of tx.accessList) gas += ACCESS_LIST_ADDRESS_GAS + ACCESS_LIST_STORAGE_KEY_GAS * BigInt(e.storageKeys.length)
  }
  if (tx.type === 4) gas += PER_AUTH_BASE_COST * BigInt(tx.authorizationList.length)
  return gas
}

/** EIP-7623 calldata tokens: zero bytes count 1, non-zero bytes 4. */
export function calldataTokens(data: Uint8Array): bigint {
  const { zeros, nonZeros } = byteCounts(data)
  return BigInt(zeros) + 4n * BigInt(nonZeros)
}

/** EIP-7623 floor (Prague): 21000 + 10 · tokens. Applies from Prague; callers check the fork. */
export function floorDataGas(data: Uint8Array): bigint {
  return TX_GAS + TOTAL_COST_FLOOR_PER_TOKEN * calldataTokens(data)
}
