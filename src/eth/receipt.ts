/**
 * Transaction receipts in their consensus encoding (the leaves of
 * `receiptsRoot`). Legacy receipts are plain RLP
 * `[statusOrPostState, cumulativeGasUsed, logsBloom, logs]`; typed receipts
 * (EIP-2718, types 1–4) are `type ‖ rlp([...same fields])`. Since Byzantium
 * (EIP-658) the first field is the status (empty = failure, 0x01 = success);
 * before it, a 32-byte intermediate state root.
 */
import { DecodeError } from '../primitives/errors.js'
import { encodeRlp, decodeRlp, rlpBytes, rlpList, rlpBigInt } from '../primitives/rlp.js'
import { BLOOM_BYTES, logFromRlp, logToRlp, logsBloom, type Log } from './log.js'

/** Receipt types: 0 legacy, then the EIP-2718 typed ones. */
export type ReceiptType = 0 | 1 | 2 | 3 | 4

/** A consensus receipt. */
export interface Receipt {
  type: ReceiptType
  /** 1 success, 0 failure (EIP-658). Ignored when `postState` is set. */
  status: 0 | 1
  /** Pre-Byzantium intermediate state root (32 bytes) in place of the status. */
  postState?: Uint8Array
  cumulativeGasUsed: bigint
  logsBloom: Uint8Array
  logs: Log[]
}

/** Bytes that are not a valid receipt encoding. */
export class ReceiptDecodeError extends DecodeError {
  override name = 'ReceiptDecodeError'
}

/** A receipt with its bloom computed from `logs`. */
export function makeReceipt(type: ReceiptType, status: 0 | 1, cumulativeGasUsed: bigint, logs: Log[]): Receipt {
  return { type, status, cumulativeGasUsed, logsBloom: logsBloom(logs), logs }
}

/** Consensus encoding of a receipt (the `receiptsRoot` leaf value). */
export function encodeReceipt(r: Receipt): Uint8Array {
  const first = r.postState ?? (r.status === 1 ? Uint8Array.of(1) : new Uint8Array(0))
  const body = encodeRlp([first, r.cumulativeGasUsed, r.logsBloom, r.logs.map(logToRlp)])
  if (r.type === 0) return body
  const out = new Uint8Array(body.length + 1)
  out[0] = r.type
  out.set(body, 1)
  return out
}

/** Decode a consensus-encoded receipt; throws `ReceiptDecodeError` (or `RlpError`) on bad input. */
export function decodeReceipt(bytes: Uint8Array): Receipt {
  if (bytes.length === 0) throw new ReceiptDecodeError('empty receipt')
  let type: ReceiptType
  let body: Uint8Array
  if (bytes[0]! >= 0xc0) {
    type = 0
    body = bytes
  } else if (bytes[0]! >= 1 && bytes[0]! <= 4) {
    type = bytes[0] as ReceiptType
    body = bytes.subarray(1)
  } else {
    throw new ReceiptDecodeError(`unknown receipt type 0x${bytes[0]!.toString(16)}`)
  }
  const f = rlpList(decodeRlp(body), 'receipt')
  if (f.length !== 4) throw new ReceiptDecodeError(`receipt must have 4 fields, got ${f.length}`)
  const first = rlpBytes(f[0], 'receipt status')
  let status: 0 | 1 = 0
  let postState: Uint8Array | undefined
  if (first.length === 0) status = 0
  else if (first.length === 1 && first[0] === 1) status = 1
  else if (first.length === 32) postState = first
  else throw new ReceiptDecodeError('receipt status must be empty, 0x01 or a 32-byte state root')
  const cumulativeGasUsed = rlpBigInt(f[1], 'cumulativeGasUsed', 8)
  const bloom = rlpBytes(f[2], 'logsBloom')
  if (bloom.length !== BLOOM_BYTES) throw new ReceiptDecodeError(`logsBloom must be ${BLOOM_BYTES} bytes, got ${bloom.length}`)
  const logs = rlpList(f[3], 'logs').map(logFromRlp)
  const r: Receipt = { type, status, cumulativeGasUsed, logsBloom: bloom, logs }
  if (postState) r.postState = postState
  return r
}
