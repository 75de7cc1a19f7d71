/**
 * Entry codec. An entry is the unit of the append-only log and a leaf of the
 * Merkle tree. Layout (little-endian), following QMDB's entry:
 *
 *   0   u32  keyLen | valueLen << 8
 *   4   u8   number of deactivated serial numbers (n)
 *   5   key, then value
 *   +0  32   nextKeyHash
 *   +32 u64  version = height * 2^24 + change ordinal in the block
 *   +40 u64  serial number
 *   +48 8n   deactivated serial numbers
 *   pad zeros to a multiple of 8
 *
 * Leaf hash = sha256 of the payload (everything but the padding), so the log
 * is a replayable, authenticated record of every bit change.
 * Key hash = sha256(key), except for sentries (empty value), whose 32-byte key
 * is its own key hash. User values are never empty.
 */
import { QmdbCorruptionError } from './errors.js'
import { sha256 } from './hash.js'

/** Size of the fixed part of an entry (header, nkh, version, sn). */
export const ENTRY_FIXED_BYTES = 53

/** A decoded entry. `key`, `value`, `nkh` may be views into the source buffer. */
export interface Entry {
  key: Uint8Array
  value: Uint8Array
  nkh: Uint8Array
  version: number
  sn: number
  dsn: number[]
  /** Payload length (hashed bytes). */
  payloadLen: number
  /** Total length including padding (a multiple of 8). */
  totalLen: number
}

/** Total (padded) length of an entry with these field sizes. */
export function entryLength(keyLen: number, valueLen: number, dsnCount: number): number {
  return (ENTRY_FIXED_BYTES + keyLen + valueLen + 8 * dsnCount + 7) & ~7
}

function writeU64(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, v % 0x100000000, true)
  dv.setUint32(off + 4, Math.floor(v / 0x100000000), true)
}

function readU64(dv: DataView, off: number): number {
  const hi = dv.getUint32(off + 4, true)
  if (hi >= 0x200000) throw new QmdbCorruptionError(`u64 field above 2^53 at ${off}`)
  return hi * 0x100000000 + dv.getUint32(off, true)
}

/**
 * Encodes an entry into `buf` at `off` (padding zeroed); returns the total length.
 * `buf` must have room for `entryLength(...)` bytes.
 */
export function encodeEntryInto(
  buf: Uint8Array, off: number, key: Uint8Array, value: Uint8Array, nkh: Uint8Array,
  version: number, sn: number, dsn: readonly number[],
): number {
  const k = key.length, v = value.length
  const total = entryLength(k, v, dsn.length)
  const dv = new DataView(buf.buffer, buf.byteOffset + off, total)
  dv.setUint32(0, (k | (v << 8)) >>> 0, true)
  dv.setUint8(4, dsn.length)
  buf.set(key, off + 5)
  buf.set(value, off + 5 + k)
  let p = 5 + k + v
  buf.set(nkh, off + p)
  p += 32
  writeU64(dv, p, version)
  writeU64(dv, p + 8, sn)
  p += 16
  for (const d of dsn) { writeU64(dv, p, d); p += 8 }
  buf.fill(0, off + p, off + total)
  return total
}

/** Encodes an entry into a fresh buffer. */
export function encodeEntry(key: Uint8Array, value: Uint8Array, nkh: Uint8Array, version: number, sn: number, dsn: readonly number[]): Uint8Array {
  const buf = new Uint8Array(entryLength(key.length, value.length, dsn.length))
  encodeEntryInto(buf, 0, key, value, nkh, version, sn, dsn)
  return buf
}

/** Length of the entry header-declared payload at `off`, or -1 if fewer than 5 bytes are available. */
export function peekEntryLength(buf: Uint8Array, off: number, avail: number): number {
  if (avail < 5) return -1
  const w = buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)
  const k = w & 0xff, v = w >>> 8, n = buf[off + 4]!
  return entryLength(k, v, n)
}

/** Decodes the entry at `buf[off..off+avail)`; throws QmdbCorruptionError if it does not fit or is malformed. */
export function decodeEntry(buf: Uint8Array, off: number, avail: number): Entry {
  if (avail < ENTRY_FIXED_BYTES) throw new QmdbCorruptionError(`truncated entry at ${off}`)
  const dv = new DataView(buf.buffer, buf.byteOffset + off, avail)
  const w = dv.getUint32(0, true)
  const k = w & 0xff, v = w >>> 8, n = dv.getUint8(4)
  const payloadLen = ENTRY_FIXED_BYTES + k + v + 8 * n
  const totalLen = (payloadLen + 7) & ~7
  if (totalLen > avail) throw new QmdbCorruptionError(`entry at ${off} runs past its buffer (${totalLen} > ${avail})`)
  const key = buf.subarray(off + 5, off + 5 + k)
  const value = buf.subarray(off + 5 + k, off + 5 + k + v)
  let p = 5 + k + v
  const nkh = buf.subarray(off + p, off + p + 32)
  p += 32
  const version = readU64(dv, p)
  const sn = readU64(dv, p + 8)
  p += 16
  const dsn: number[] = []
  for (let i = 0; i < n; i++, p += 8) dsn.push(readU64(dv, p))
  return { key, value, nkh, version, sn, dsn, payloadLen, totalLen }
}

/** Leaf hash of the entry encoded at `buf[off..]` with payload length `payloadLen`. */
export function leafHash(buf: Uint8Array, off: number, payloadLen: number): Uint8Array {
  return sha256(buf.subarray(off, off + payloadLen))
}

/** Key hash of an entry: sha256(key), or the key itself for a sentry (empty value). */
export function entryKeyHash(key: Uint8Array, value: Uint8Array): Uint8Array {
  if (value.length === 0) {
    if (key.length !== 32) throw new QmdbCorruptionError('sentry key must be 32 bytes')
    return key
  }
  return sha256(key)
}

/** Lexicographic comparison of two 32-byte hashes. */
export function compareHash(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): number {
  for (let i = 0; i < 32; i++) {
    const d = a[aOff + i]! - b[bOff + i]!
    if (d !== 0) return d
  }
  return 0
}

// ---- in-place field access (no objects): `pos` is the entry's start in `b` ----

/** Key length of the entry at `b[pos]`. */
export function eKeyLen(b: Uint8Array, pos: number): number {
  return b[pos]!
}

/** Value length of the entry at `b[pos]`. */
export function eValueLen(b: Uint8Array, pos: number): number {
  return b[pos + 1]! | (b[pos + 2]! << 8) | (b[pos + 3]! << 16)
}

/** Position of the nextKeyHash of the entry at `b[pos]`. */
export function eNkhPos(b: Uint8Array, pos: number): number {
  return pos + 5 + b[pos]! + (b[pos + 1]! | (b[pos + 2]! << 8) | (b[pos + 3]! << 16))
}

function u64At(b: Uint8Array, p: number): number {
  const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0
  const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0
  if (hi >= 0x200000) throw new QmdbCorruptionError(`u64 field above 2^53 at ${p}`)
  return hi * 0x100000000 + lo
}

function putU64(b: Uint8Array, p: number, v: number): void {
  const lo = v >>> 0, hi = Math.floor(v / 0x100000000)
  b[p] = lo; b[p + 1] = lo >>> 8; b[p + 2] = lo >>> 16; b[p + 3] = lo >>> 24
  b[p + 4] = hi; b[p + 5] = hi >>> 8; b[p + 6] = hi >>> 16; b[p + 7] = hi >>> 24
}

/** Version of the entry at `b[pos]`. */
export function eVersion(b: Uint8Array, pos: number): number {
  return u64At(b, eNkhPos(b, pos) + 32)
}

/** Serial number of the entry at `b[pos]`. */
export function eSn(b: Uint8Array, pos: number): number {
  return u64At(b, eNkhPos(b, pos) + 40)
}

/** Deactivated serial number `i` (< the entry's count `b[pos + 4]`) of the entry at `b[pos]`. */
export function eDsn(b: Uint8Array, pos: number, i: number): number {
  return u64At(b, eNkhPos(b, pos) + 48 + 8 * i)
}

/** Payload (hashed) length of the entry at `b[pos]`. */
export function ePayloadLen(b: Uint8Array, pos: number): number {
  return ENTRY_FIXED_BYTES + b[pos]! + (b[pos + 1]! | (b[pos + 2]! << 8) | (b[pos + 3]! << 16)) + 8 * b[pos + 4]!
}

/** Whether the key of the entry at `b[pos]` equals `key`. */
export function eKeyEquals(b: Uint8Array, pos: number, key: Uint8Array): boolean {
  const k = b[pos]!
  if (k !== key.length) return false
  for (let i = 0; i < k; i++) if (b[pos + 5 + i] !== key[i]) return false
  return true
}

/**
 * Encodes an entry at `buf[off]` whose key and value are `src[kvOff .. kvOff + keyLen + valueLen)`
 * and nextKeyHash `nkhSrc[nkhOff..+32]`, with up to two deactivated serial numbers (`dsnCount`
 * of `d0`, `d1`). Returns the total length. No allocation.
 */
export function encodeEntryAt(
  buf: Uint8Array, off: number, keySrc: Uint8Array, keyOff: number, keyLen: number,
  valSrc: Uint8Array, valOff: number, valueLen: number, nkhSrc: Uint8Array, nkhOff: number,
  version: number, sn: number, dsnCount: number, d0: number, d1: number,
): number {
  const total = (ENTRY_FIXED_BYTES + keyLen + valueLen + 8 * dsnCount + 7) & ~7
  buf[off] = keyLen
  buf[off + 1] = valueLen; buf[off + 2] = valueLen >>> 8; buf[off + 3] = valueLen >>> 16
  buf[off + 4] = dsnCount
  let p = off + 5
  if (keyLen <= 64) { for (let i = 0; i < keyLen; i++) buf[p + i] = keySrc[keyOff + i]! } else buf.set(keySrc.subarray(keyOff, keyOff + keyLen), p)
  p += keyLen
  if (valueLen <= 64) { for (let i = 0; i < valueLen; i++) buf[p + i] = valSrc[valOff + i]! } else buf.set(valSrc.subarray(valOff, valOff + valueLen), p)
  p += valueLen
  for (let i = 0; i < 32; i++) buf[p + i] = nkhSrc[nkhOff + i]!
  p += 32
  putU64(buf, p, version)
  putU64(buf, p + 8, sn)
  p += 16
  if (dsnCount > 0) { putU64(buf, p, d0); p += 8 }
  if (dsnCount > 1) { putU64(buf, p, d1); p += 8 }
  for (; p < off + total; p++) buf[p] = 0
  return total
}
