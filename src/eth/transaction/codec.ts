/**
 * Transaction wire codec (EIP-2718). Legacy transactions are a bare RLP list
 * of 9 fields; typed transactions are `type ‖ rlp(fields)` for type 1
 * (EIP-2930), 2 (EIP-1559), 3 (EIP-4844, canonical form without blob
 * sidecar) and 4 (EIP-7702). Decoding is strict: exact field counts,
 * canonical integers (no leading zeros, at most 32 bytes), `to` 20 bytes or
 * empty (only types 0–2 may create), access-list addresses of 20 bytes and
 * keys of 32, yParity 0 or 1. Rules that depend on the fork or chain
 * (signature ranges, gas, nonce and gas-limit bounds) live in `validate.ts`.
 *
 * Also here: transaction hash, signing payload/hash (legacy with and
 * without EIP-155), and the EIP-7702 authorization signing hash.
 */
import { keccak256 } from '../../crypto/keccak.js'
import { EMPTY_BYTES } from '../../primitives/bytes.js'
import { decodeRlp, encodeRlp, rlpBigInt, rlpBytes, rlpList, type RlpInput, type RlpItem } from '../../primitives/rlp.js'
import { TxDecodeError } from './errors.js'
import type {
  AccessListItem,
  AccessListTransaction,
  Authorization,
  BlobTransaction,
  FeeMarketTransaction,
  LegacyTransaction,
  SetCodeTransaction,
  Transaction,
} from './types.js'

/** Omit that distributes over a union (plain `Omit` collapses the union). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** A transaction before signing: every field but the signature (`v`/`yParity`, `r`, `s`). */
export type UnsignedTransaction = DistributiveOmit<Transaction, 'r' | 's' | 'v' | 'yParity'>

/** Transaction types this codec knows. */
export const SUPPORTED_TX_TYPES = [0, 1, 2, 3, 4] as const

/** Length in bytes of a blob versioned hash (EIP-4844). */
const HASH_BYTES = 32

// ---------------------------------------------------------------------------
// Field decoders

function int(item: RlpItem | undefined, what: string): bigint {
  return rlpBigInt(item, what, 32)
}

function yParityOf(item: RlpItem | undefined, what = 'yParity'): number {
  const v = rlpBigInt(item, what, 1)
  if (v > 1n) throw new TxDecodeError('bad-y-parity', `${what} must be 0 or 1, got ${v}`)
  return Number(v)
}

function address(item: RlpItem | undefined, what: string): Uint8Array {
  const b = rlpBytes(item, what)
  if (b.length !== 20) throw new TxDecodeError('bad-address', `${what} must be 20 bytes, got ${b.length}`)
  return b
}

/** `to`: 20 bytes, or empty for contract creation (null) when `allowCreate`. */
function toField(item: RlpItem | undefined, allowCreate: boolean): Uint8Array | null {
  const b = rlpBytes(item, 'to')
  if (b.length === 0) {
    if (!allowCreate) throw new TxDecodeError('create-not-allowed', 'this transaction type cannot create a contract (empty to)')
    return null
  }
  if (b.length !== 20) throw new TxDecodeError('bad-address', `to must be 20 bytes or empty, got ${b.length}`)
  return b
}

function accessList(item: RlpItem | undefined): AccessListItem[] {
  const list = rlpList(item, 'accessList')
  const out: AccessListItem[] = new Array(list.length)
  for (let i = 0; i < list.length; i++) {
    const entry = rlpList(list[i], 'access list entry')
    if (entry.length !== 2) throw new TxDecodeError('bad-access-list', `access list entry must have 2 fields, got ${entry.length}`)
    const addr = rlpBytes(entry[0], 'access list address')
    if (addr.length !== 20) throw new TxDecodeError('bad-access-list', `access list address must be 20 bytes, got ${addr.length}`)
    const keys = rlpList(entry[1], 'access list storage keys').map((k) => {
      const b = rlpBytes(k, 'access list storage key')
      if (b.length !== 32) throw new TxDecodeError('bad-access-list', `access list storage key must be 32 bytes, got ${b.length}`)
      return b
    })
    out[i] = { address: addr, storageKeys: keys }
  }
  return out
}

function authorizationList(item: RlpItem | undefined): Authorization[] {
  return rlpList(item, 'authorizationList').map((a) => {
    const f = rlpList(a, 'authorization')
    if (f.length !== 6) throw new TxDecodeError('bad-authorization', `authorization must have 6 fields, got ${f.length}`)
    return {
      chainId: int(f[0], 'authorization chainId'),
      address: address(f[1], 'authorization address'),
      nonce: rlpBigInt(f[2], 'authorization nonce', 8),
      yParity: yParityOf(f[3], 'authorization yParity'),
      r: int(f[4], 'authorization r'),
      s: int(f[5], 'authorization s'),
    }
  })
}

function blobHashes(item: RlpItem | undefined): Uint8Array[] {
  return rlpList(item, 'blobVersionedHashes').map((h) => {
    const b = rlpBytes(h, 'blob versioned hash')
    if (b.length !== HASH_BYTES) throw new TxDecodeError('bad-blob-hash', `blob versioned hash must be 32 bytes, got ${b.length}`)
    return b
  })
}

function fields(body: Uint8Array, count: number, what: string): RlpItem[] {
  const item = decodeRlp(body)
  if (!Array.isArray(item)) throw new TxDecodeError('not-a-list', `${what} must be an RLP list`)
  if (item.length !== count) throw new TxDecodeError('field-count', `${what} must have ${count} fields, got ${item.length}`)
  return item
}

// ---------------------------------------------------------------------------
// Decoding

function decodeLegacy(bytes: Uint8Array): LegacyTransaction {
  const f = fields(bytes, 9, 'legacy transaction')
  const v = int(f[6], 'v')
  return {
    type: 0,
    nonce: int(f[0], 'nonce'),
    gasPrice: int(f[1], 'gasPrice'),
    gasLimit: int(f[2], 'gasLimit'),
    to: toField(f[3], true),
    value: int(f[4], 'value'),
    data: rlpBytes(f[5], 'data'),
    v,
    chainId: legacyChainId(v),
    r: int(f[7], 'r'),
    s: int(f[8], 's'),
  }
}

/** The EIP-155 chain id carried by a legacy `v` (v = 2·chainId + 35/36), or null for v = 27/28 and other values. */
export function legacyChainId(v: bigint): bigint | null {
  return v >= 35n ? (v - 35n) / 2n : null
}

/** The y parity carried by a legacy `v`, or null when `v` is neither 27/28 nor ≥ 35. */
export function legacyYParity(v: bigint): number | null {
  if (v === 27n || v === 28n) return Number(v - 27n)
  if (v >= 35n) return Number((v - 35n) & 1n)
  return null
}

function decodeAccessListTx(body: Uint8Array): AccessListTransaction {
  const f = fields(body, 11, 'EIP-2930 transaction')
  return {
    type: 1,
    chainId: int(f[0], 'chainId'),
    nonce: int(f[1], 'nonce'),
    gasPrice: int(f[2], 'gasPrice'),
    gasLimit: int(f[3], 'gasLimit'),
    to: toField(f[4], true),
    value: int(f[5], 'value'),
    data: rlpBytes(f[6], 'data'),
    accessList: accessList(f[7]),
    yParity: yParityOf(f[8]),
    r: int(f[9], 'r'),
    s: int(f[10], 's'),
  }
}

function decodeFeeMarketTx(body: Uint8Array): FeeMarketTransaction {
  const f = fields(body, 12, 'EIP-1559 transaction')
  return {
    type: 2,
    chainId: int(f[0], 'chainId'),
    nonce: int(f[1], 'nonce'),
    maxPriorityFeePerGas: int(f[2], 'maxPriorityFeePerGas'),
    maxFeePerGas: int(f[3], 'maxFeePerGas'),
    gasLimit: int(f[4], 'gasLimit'),
    to: toField(f[5], true),
    value: int(f[6], 'value'),
    data: rlpBytes(f[7], 'data'),
    accessList: accessList(f[8]),
    yParity: yParityOf(f[9]),
    r: int(f[10], 'r'),
    s: int(f[11], 's'),
  }
}

function decodeBlobTx(body: Uint8Array): BlobTransaction {
  const f = fields(body, 14, 'EIP-4844 transaction')
  return {
    type: 3,
    chainId: int(f[0], 'chainId'),
    nonce: int(f[1], 'nonce'),
    maxPriorityFeePerGas: int(f[2], 'maxPriorityFeePerGas'),
    maxFeePerGas: int(f[3], 'maxFeePerGas'),
    gasLimit: int(f[4], 'gasLimit'),
    to: toField(f[5], false),
    value: int(f[6], 'value'),
    data: rlpBytes(f[7], 'data'),
    accessList: accessList(f[8]),
    maxFeePerBlobGas: int(f[9], 'maxFeePerBlobGas'),
    blobVersionedHashes: blobHashes(f[10]),
    yParity: yParityOf(f[11]),
    r: int(f[12], 'r'),
    s: int(f[13], 's'),
  }
}

function decodeSetCodeTx(body: Uint8Array): SetCodeTransaction {
  const f = fields(body, 13, 'EIP-7702 transaction')
  return {
    type: 4,
    chainId: int(f[0], 'chainId'),
    nonce: int(f[1], 'nonce'),
    maxPriorityFeePerGas: int(f[2], 'maxPriorityFeePerGas'),
    maxFeePerGas: int(f[3], 'maxFeePerGas'),
    gasLimit: int(f[4], 'gasLimit'),
    to: toField(f[5], false),
    value: int(f[6], 'value'),
    data: rlpBytes(f[7], 'data'),
    accessList: accessList(f[8]),
    authorizationList: authorizationList(f[9]),
    yParity: yParityOf(f[10]),
    r: int(f[11], 'r'),
    s: int(f[12], 's'),
  }
}

/**
 * Decode a transaction from its canonical (EIP-2718) bytes: an RLP list for
 * legacy, `type ‖ rlp(...)` for types 1–4. Throws `TxDecodeError` or
 * `RlpError` (both `DecodeError`) on any malformed input. Byte fields are
 * views into `bytes`; copy them if `bytes` will be reused.
 */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new TxDecodeError('empty', 'transaction bytes are empty')
  const first = bytes[0]!
  if (first >= 0xc0) return decodeLegacy(bytes)
  const body = bytes.subarray(1)
  switch (first) {
    case 1:
      return decodeAccessListTx(body)
    case 2:
      return decodeFeeMarketTx(body)
    case 3:
      return decodeBlobTx(body)
    case 4:
      return decodeSetCodeTx(body)
    default:
      throw new TxDecodeError('unsupported-type', `unsupported transaction type 0x${first.toString(16).padStart(2, '0')}`)
  }
}

// ---------------------------------------------------------------------------
// Encoding

function accessListRlp(list: readonly AccessListItem[]): RlpInput {
  return list.map((e) => [e.address, e.storageKeys])
}

function authorizationListRlp(list: readonly Authorization[]): RlpInput {
  return list.map((a) => [a.chainId, a.address, a.nonce, a.yParity, a.r, a.s])
}

/** The RLP field list of a transaction without its signature, as signed (legacy EIP-155 appends chainId, 0, 0). */
function unsignedFields(tx: UnsignedTransaction): RlpInput[] {
  const to = tx.to ?? EMPTY_BYTES
  switch (tx.type) {
    case 0: {
      const base: RlpInput[] = [tx.nonce, tx.gasPrice, tx.gasLimit, to, tx.value, tx.data]
      if (tx.chainId !== null) base.push(tx.chainId, 0n, 0n)
      return base
    }
    case 1:
      return [tx.chainId, tx.nonce, tx.gasPrice, tx.gasLimit, to, tx.value, tx.data, accessListRlp(tx.accessList)]
    case 2:
      return [tx.chainId, tx.nonce, tx.maxPriorityFeePerGas, tx.maxFeePerGas, tx.gasLimit, to, tx.value, tx.data, accessListRlp(tx.accessList)]
    case 3:
      return [
        tx.chainId,
        tx.nonce,
        tx.maxPriorityFeePerGas,
        tx.maxFeePerGas,
        tx.gasLimit,
        to,
        tx.value,
        tx.data,
        accessListRlp(tx.accessList),
        tx.maxFeePerBlobGas,
        tx.blobVersionedHashes,
      ]
    case 4:
      return [
        tx.chainId,
        tx.nonce,
        tx.maxPriorityFeePerGas,
        tx.maxFeePerGas,
        tx.gasLimit,
        to,
        tx.value,
        tx.data,
        accessListRlp(tx.accessList),
        authorizationListRlp(tx.authorizationList),
      ]
  }
}

function typed(type: number, payload: RlpInput): Uint8Array {
  const body = encodeRlp(payload)
  const out = new Uint8Array(body.length + 1)
  out[0] = type
  out.set(body, 1)
  return out
}

/** Canonical (EIP-2718) encoding of a signed transaction: what `eth_sendRawTransaction` carries and `transactionsRoot` commits to. */
export function encodeTransaction(tx: Transaction): Uint8Array {
  if (tx.type === 0) {
    const to = tx.to ?? EMPTY_BYTES
    return encodeRlp([tx.nonce, tx.gasPrice, tx.gasLimit, to, tx.value, tx.data, tx.v, tx.r, tx.s])
  }
  const f = unsignedFields(tx)
  f.push(tx.yParity, tx.r, tx.s)
  return typed(tx.type, f)
}

/** keccak256 of the canonical encoding: the transaction hash. */
export function transactionHash(tx: Transaction): Uint8Array {
  return keccak256(encodeTransaction(tx))
}

/** The bytes that are hashed for signing: rlp(fields[, chainId, 0, 0]) for legacy, `type ‖ rlp(fields)` for typed. */
export function signingPayload(tx: UnsignedTransaction): Uint8Array {
  const f = unsignedFields(tx)
  return tx.type === 0 ? encodeRlp(f) : typed(tx.type, f)
}

/** keccak256 of `signingPayload`: the hash the sender signs. */
export function signingHash(tx: UnsignedTransaction): Uint8Array {
  return keccak256(signingPayload(tx))
}

/** The EIP-7702 authorization message hash: keccak256(0x05 ‖ rlp([chainId, address, nonce])). */
export function authorizationSigningHash(auth: Pick<Authorization, 'chainId' | 'address' | 'nonce'>): Uint8Array {
  return keccak256(typed(0x05, [auth.chainId, auth.address, auth.nonce]))
}
