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
import { writeU256 } from '../primitives/bytes.js'
import { rlpItemLength, rlpListHeaderLength, rlpListPayloadOffset, writeRlpListHeader } from '../primitives/rlp.js'
import { recoverAddressCompact } from '../crypto/secp256k1.js'
import { decodeTransaction, signatureYParity, signingHash, type Transaction } from '../eth/transaction/index.js'

/** RLP list items of each typed transaction (the signature is the last three). */
const TYPED_FIELD_COUNT: Record<number, number> = { 1: 11, 2: 12, 3: 14, 4: 13 }

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
    writeU256(rs, 0, t.r)
    writeU256(rs, 32, t.s)
    return { hash: signingHash(t), rs, yParity: signatureYParity(t) ?? -1 }
  }
  const start = rlpListPayloadOffset(raw, 1)
  let o = start
  for (let i = 0; i < count - 3; i++) o += rlpItemLength(raw, o)
  const sigStart = o
  const p = raw[o]!
  const yParity = p === 0x80 ? 0 : p === 0x01 ? 1 : -1
  o += rlpItemLength(raw, o)
  const rs = new Uint8Array(64)
  readWord(raw, o, rs, 0)
  o += rlpItemLength(raw, o)
  readWord(raw, o, rs, 32)
  // type ‖ list header ‖ the unsigned fields, as they stand in the bytes
  const len = sigStart - start
  const payload = new Uint8Array(1 + rlpListHeaderLength(len) + len)
  payload[0] = raw[0]!
  payload.set(raw.subarray(start, sigStart), writeRlpListHeader(payload, 1, len))
  return { hash: keccak256(payload), rs, yParity }
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
