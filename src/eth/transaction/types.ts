/**
 * Transaction shapes for every supported type: legacy (0, with or without
 * EIP-155), EIP-2930 (1), EIP-1559 (2), EIP-4844 (3, network-less form) and
 * EIP-7702 (4). A decoded, signed transaction is a plain object; execution
 * reads these fields directly. Addresses and hashes are raw bytes.
 */

/** One EIP-2930 access-list entry. */
export interface AccessListItem {
  address: Uint8Array
  storageKeys: Uint8Array[]
}

/** One EIP-7702 authorization tuple, signed by `authority`. */
export interface Authorization {
  chainId: bigint
  address: Uint8Array
  nonce: bigint
  yParity: number
  r: bigint
  s: bigint
}

/** Fields every transaction type has. `to` is null for contract creation. */
interface TxBase {
  nonce: bigint
  gasLimit: bigint
  to: Uint8Array | null
  value: bigint
  data: Uint8Array
  r: bigint
  s: bigint
}

/** Type 0. `v` is 27/28 (pre-EIP-155) or chainId*2+35/36; `chainId` is derived from it when EIP-155. */
export interface LegacyTransaction extends TxBase {
  type: 0
  gasPrice: bigint
  v: bigint
  chainId: bigint | null
}

/** Type 1 (EIP-2930). */
export interface AccessListTransaction extends TxBase {
  type: 1
  chainId: bigint
  gasPrice: bigint
  accessList: AccessListItem[]
  yParity: number
}

/** Type 2 (EIP-1559). */
export interface FeeMarketTransaction extends TxBase {
  type: 2
  chainId: bigint
  maxPriorityFeePerGas: bigint
  maxFeePerGas: bigint
  accessList: AccessListItem[]
  yParity: number
}

/** Type 3 (EIP-4844), network-less form (no blobs/commitments/proofs). `to` must not be null. */
export interface BlobTransaction extends TxBase {
  type: 3
  chainId: bigint
  maxPriorityFeePerGas: bigint
  maxFeePerGas: bigint
  accessList: AccessListItem[]
  maxFeePerBlobGas: bigint
  blobVersionedHashes: Uint8Array[]
  yParity: number
}

/** Type 4 (EIP-7702). `to` must not be null. */
export interface SetCodeTransaction extends TxBase {
  type: 4
  chainId: bigint
  maxPriorityFeePerGas: bigint
  maxFeePerGas: bigint
  accessList: AccessListItem[]
  authorizationList: Authorization[]
  yParity: number
}

/** Any signed transaction. */
export type Transaction = LegacyTransaction | AccessListTransaction | FeeMarketTransaction | BlobTransaction | SetCodeTransaction

/** Transaction types that carry EIP-1559 fee fields. */
export type DynamicFeeTransaction = FeeMarketTransaction | BlobTransaction | SetCodeTransaction
