/**
 * Sender recovery straight from a transaction's raw bytes, for the pool's
 * admission (inline and on the recovery workers). The signing payload of a
 * typed transaction (EIP-2718 types 1–4) is its own encoding without the
 * last three list items (yParity, r, s) under a new list header, so the
 * signing hash is taken from the bytes instead of re-encoding the decoded
 * fields, and r, s and yParity are read from the bytes too; the transaction
 * hash is keccak256 of the bytes. This is exact only for canonical
 * encodings, which is what the strict decoder accepts: callers decode the
 * bytes first (the main thread does before it hands them to a worker), and
 * the results are checked against the field-based functions in the tests.
 * Legacy transactions take the field-based path.
 */
import { keccak256 } from '../crypto/keccak.js'
import { recoverAddressCompact } from '../crypto/secp256k1.js'
import { decodeTransaction, signatureYParity, signingHash, type Transaction } from '../eth/transaction/index.js'

/** RLP list items of each typed transaction (the signature is the last three). */
const TYPED_FIELD_COUNT: Record<number, number> = { 1: 11, 2: 12, 3: 14, 4: 13 }

/** Total length (header + payload) of the RLP item at `o` of canonical bytes `b`. */
function itemLength(b: Uint8Array, o: number): number {
  const h = b[o]!
  if (h < 0x80) return 1
  if (h <= 0xb7) return 1 + h - 0x80
  if (h < 0xc0) return 1 + (h - 0xb7) + readLen(b, o + 1, h - 0xb7)
  if (h <= 0xf7) return 1 + h - 0xc0
  return 1 + (h - 0xf7) + readLen(b, o + 1, h - 0xf7)
}

function readLen(b: Uint8Array, o: number, n: number): number {
  let v = 0
  for (let i = 0; i < n; i++) v = v * 256 + b[o + i]!
  return v
}

/** Start of the payload of the RLP list at `o` (after its header). */
function listPayload(b: Uint8Array, o: number): number {
  const h = b[o]!
  if (h < 0xc0) throw new Error('not an RLP list')
  return h <= 0xf7 ? o + 1 : o + 1 + (h - 0xf7)
}

/** Copy an RLP string item's content (a big-endian integer of at most 32 bytes) right-aligned into out[at, at+32). */
function readWord(b: Uint8Array, o: number, out: Uint8Array, at: number): void {
  const h = b[o]!
  if (h < 0x80) {
    out[at + 31] = h
    return
  }
  const len = h - 0x80
  if (len > 32) throw new Error('signature value longer than 32 bytes')
  out.set(b.subarray(o + 1, o + 1 + len), at + 32 - len)
}

/** What recovery needs from a raw transaction. */
export interface SigningInputs {
  /** keccak256 of the signing payload. */
  hash: Uint8Array
  /** r ‖ s, 32 bytes each, big-endian. */
  rs: Uint8Array
  /** 0 or 1; -1 when the transaction carries no valid parity (no key can recover). */
  yParity: number
}

/**
 * Signing hash, r ‖ s and y parity of canonical transaction bytes; `tx` is
 * their decoded form when the caller has it (legacy transactions are
 * decoded here otherwise).
 */
export function signingInputs(raw: Uint8Array, tx?: Transaction): SigningInputs {
  const count = TYPED_FIELD_COUNT[raw[0]!]
  if (count === undefined) {
    // legacy (an RLP list): the field-based path
    const t = tx ?? decodeTransaction(raw)
    const rs = new Uint8Array(64)
    writeBig(rs, 0, t.r)
    writeBig(rs, 32, t.s)
    return { hash: signingHash(t), rs, yParity: signatureYParity(t) ?? -1 }
  }
  const start = listPayload(raw, 1)
  let o = start
  for (let i = 0; i < count - 3; i++) o += itemLength(raw, o)
  const sigStart = o
  const p = raw[o]!
  const yParity = p === 0x80 ? 0 : p === 0x01 ? 1 : -1
  o += itemLength(raw, o)
  const rs = new Uint8Array(64)
  readWord(raw, o, rs, 0)
  o += itemLength(raw, o)
  readWord(raw, o, rs, 32)
  // type ‖ list header ‖ the unsigned fields, as they stand in the bytes
  const len = sigStart - start
  const headerLen = len <= 55 ? 1 : 1 + byteLength(len)
  const payload = new Uint8Array(1 + headerLen + len)
  payload[0] = raw[0]!
  if (len <= 55) payload[1] = 0xc0 + len
  else {
    const n = headerLen - 1
    payload[1] = 0xf7 + n
    for (let i = 0, v = len; i < n; i++, v = Math.floor(v / 256)) payload[1 + n - i] = v % 256
  }
  payload.set(raw.subarray(start, sigStart), 1 + headerLen)
  return { hash: keccak256(payload), rs, yParity }
}

function byteLength(n: number): number {
  let k = 0
  while (n > 0) {
    k++
    n = Math.floor(n / 256)
  }
  return k
}

function writeBig(out: Uint8Array, at: number, v: bigint): void {
  // r and s of a decoded transaction are at most 32 bytes (the decoder's limit)
  for (let i = 31; i >= 0; i--) {
    out[at + i] = Number(v & 0xffn)
    v >>= 8n
  }
}

/**
 * The sender recovered from canonical transaction bytes, or null when no key
 * recovers. Range, parity and EIP-2 rules are not checked here: the result
 * is handed to `validateTransaction` (`recovered`), which checks them first.
 */
export function recoverRawSender(raw: Uint8Array, tx?: Transaction): Uint8Array | null {
  const s = signingInputs(raw, tx)
  return s.yParity < 0 ? null : recoverAddressCompact(s.hash, s.rs, s.yParity)
}
