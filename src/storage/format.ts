/**
 * On-disk formats of the chain store (see docs/storage.md for the prose):
 * segment file headers, batch frames, the records inside a batch, and the
 * fixed-size commit records of `commit.log`. Integers are little-endian; u64
 * fields hold safe integers (< 2^53) written as two u32 halves.
 */
import { crc32 } from './crc.js'

/** Number of append streams (partitions written concurrently). */
export const STREAM_COUNT = 3
/** Stream 0: block headers and mini-block headers. */
export const STREAM_CHAIN = 0
/** Stream 1: transactions. */
export const STREAM_TXS = 1
/** Stream 2: receipts together with the log keys (address, topics) that the log index needs. */
export const STREAM_RECEIPTS = 2
/** Human names of the streams, used in file names. */
export const STREAM_NAMES: readonly string[] = ['chain', 'txs', 'receipts']

/** Size of a segment file header. */
export const SEGMENT_HEADER_SIZE = 32
/** Magic at the start of a segment file: "TSEG". */
export const SEGMENT_MAGIC = 0x47455354
/** Format version of segments, batches and commit records. */
export const FORMAT_VERSION = 1

/** Size of a batch header. */
export const BATCH_HEADER_SIZE = 40
/** Magic at the start of every batch: "TBAT". */
export const BATCH_MAGIC = 0x54414254

/** Size of one commit record in commit.log. */
export const COMMIT_RECORD_SIZE = 64
/** Magic at the start of every commit record: "TCMT". */
export const COMMIT_MAGIC = 0x544d4354
/** Commit-record flag: this record only moves the prune horizon. */
export const COMMIT_FLAG_PRUNE = 1

/** Record type: transaction (body: hash32 ‖ tx bytes). */
export const REC_TX = 1
/** Record type: receipt (body: txHash32 ‖ u16 nLogs ‖ nLogs × (address20 ‖ u8 nTopics ‖ topics) ‖ receipt bytes). */
export const REC_RECEIPT = 2
/** Record type: mini-block (body: u64 number ‖ u64 blockNumber ‖ u32 index ‖ u64 firstTx ‖ u32 txCount ‖ hash32 ‖ header). */
export const REC_MINI = 3
/** Record type: block (body: u64 number ‖ u64 firstTx ‖ u32 txCount ‖ u64 firstMini ‖ u32 miniCount ‖ u32 logCount ‖ hash32 ‖ header). */
export const REC_BLOCK = 4
/** Bytes before a record body: u8 type ‖ u32 body length. */
export const RECORD_PREFIX = 5

/** Fixed part of a mini-block record body before the header bytes. */
export const MINI_FIXED = 8 + 8 + 4 + 8 + 4 + 32
/** Fixed part of a block record body before the header bytes. */
export const BLOCK_FIXED = 8 + 8 + 4 + 8 + 4 + 4 + 32

const TWO32 = 0x100000000

/** Write a safe non-negative integer as u64 LE. */
export function writeU64(b: Uint8Array, off: number, v: number): void {
  writeU32(b, off, v % TWO32)
  writeU32(b, off + 4, Math.floor(v / TWO32))
}

/** Read a u64 LE as a number (exact below 2^53). */
export function readU64(b: Uint8Array, off: number): number {
  return readU32(b, off) + readU32(b, off + 4) * TWO32
}

/** Write a u32 LE. */
export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff
  b[off + 1] = (v >>> 8) & 0xff
  b[off + 2] = (v >>> 16) & 0xff
  b[off + 3] = (v >>> 24) & 0xff
}

/** Read a u32 LE. */
export function readU32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0
}

/** Header of a segment file. */
export interface SegmentHeader {
  stream: number
  segmentId: number
  /** Logical stream offset of the first byte after the header. */
  logicalStart: number
}

/** Encode a segment header (32 bytes; crc over the first 28). */
export function encodeSegmentHeader(h: SegmentHeader): Uint8Array {
  const b = new Uint8Array(SEGMENT_HEADER_SIZE)
  writeU32(b, 0, SEGMENT_MAGIC)
  b[4] = FORMAT_VERSION
  b[6] = h.stream
  writeU32(b, 8, h.segmentId)
  writeU64(b, 16, h.logicalStart)
  writeU32(b, 28, crc32(b.subarray(0, 28)))
  return b
}

/** Decode a segment header; returns a reason string when it is invalid. */
export function decodeSegmentHeader(b: Uint8Array): SegmentHeader | string {
  if (b.length < SEGMENT_HEADER_SIZE) return 'file shorter than its header'
  if (readU32(b, 0) !== SEGMENT_MAGIC) return 'bad segment magic'
  if (readU32(b, 28) !== crc32(b.subarray(0, 28))) return 'segment header checksum mismatch'
  if (b[4] !== FORMAT_VERSION) return `unsupported segment version ${b[4]}`
  return { stream: b[6]!, segmentId: readU32(b, 8), logicalStart: readU64(b, 16) }
}

/** Decoded batch header. */
export interface BatchHeader {
  storedLen: number
  rawLen: number
  recordCount: number
  /** Ordinal of the first record (tx ordinal in the txs/receipts streams; 0 in the chain stream). */
  firstOrdinal: number
  /** The block whose commit this batch belongs to (a batch never spans blocks). */
  blockNumber: number
  codec: number
  stream: number
  crc: number
}

/** Encode a batch header; the crc covers header bytes [0,36) then the stored payload. */
export function encodeBatchHeader(h: Omit<BatchHeader, 'crc'>, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(BATCH_HEADER_SIZE)
  writeU32(b, 0, BATCH_MAGIC)
  writeU32(b, 4, h.storedLen)
  writeU32(b, 8, h.rawLen)
  writeU32(b, 12, h.recordCount)
  writeU64(b, 16, h.firstOrdinal)
  writeU64(b, 24, h.blockNumber)
  b[32] = h.codec
  b[33] = h.stream
  writeU32(b, 36, crc32(payload, crc32(b.subarray(0, 36))))
  return b
}

/** Decode a batch header (no checksum check: that needs the payload, see `batchChecksumOk`). */
export function decodeBatchHeader(b: Uint8Array): BatchHeader | string {
  if (readU32(b, 0) !== BATCH_MAGIC) return 'bad batch magic'
  return {
    storedLen: readU32(b, 4),
    rawLen: readU32(b, 8),
    recordCount: readU32(b, 12),
    firstOrdinal: readU64(b, 16),
    blockNumber: readU64(b, 24),
    codec: b[32]!,
    stream: b[33]!,
    crc: readU32(b, 36),
  }
}

/** True when the batch checksum matches header bytes [0,36) and the payload. */
export function batchChecksumOk(header: Uint8Array, payload: Uint8Array): boolean {
  return readU32(header, 36) === crc32(payload, crc32(header.subarray(0, 36)))
}

/** A commit record: the state of every stream after one durable commit. */
export interface CommitRecord {
  /** Commit sequence number, +1 per record. */
  seq: number
  /** Newest committed block number, or -1 when no block is stored yet. */
  head: number
  /** Oldest block still visible (prune horizon). */
  horizon: number
  /** Per stream: id of the active segment. */
  segments: number[]
  /** Per stream: file size of the active segment after this commit. */
  ends: number[]
  flags: number
}

/** Encode a commit record (64 bytes; crc over the first 60). */
export function encodeCommitRecord(c: CommitRecord): Uint8Array {
  const b = new Uint8Array(COMMIT_RECORD_SIZE)
  writeU32(b, 0, COMMIT_MAGIC)
  b[4] = FORMAT_VERSION
  b[6] = STREAM_COUNT
  writeU64(b, 8, c.seq)
  writeU64(b, 16, c.head + 1)
  writeU64(b, 24, c.horizon)
  for (let s = 0; s < STREAM_COUNT; s++) {
    writeU32(b, 32 + s * 8, c.segments[s]!)
    writeU32(b, 36 + s * 8, c.ends[s]!)
  }
  writeU32(b, 56, c.flags)
  writeU32(b, 60, crc32(b.subarray(0, 60)))
  return b
}

/** Decode a commit record; undefined when magic or checksum do not hold. */
export function decodeCommitRecord(b: Uint8Array): CommitRecord | undefined {
  if (b.length < COMMIT_RECORD_SIZE || readU32(b, 0) !== COMMIT_MAGIC) return undefined
  if (readU32(b, 60) !== crc32(b.subarray(0, 60))) return undefined
  if (b[4] !== FORMAT_VERSION || b[6] !== STREAM_COUNT) return undefined
  const segments: number[] = []
  const ends: number[] = []
  for (let s = 0; s < STREAM_COUNT; s++) {
    segments.push(readU32(b, 32 + s * 8))
    ends.push(readU32(b, 36 + s * 8))
  }
  return { seq: readU64(b, 8), head: readU64(b, 16) - 1, horizon: readU64(b, 24), segments, ends, flags: readU32(b, 56) }
}

/** File name of a segment: `<stream>-<id, 8 digits>.seg`. */
export function segmentFileName(stream: number, id: number): string {
  return `${STREAM_NAMES[stream]}-${String(id).padStart(8, '0')}.seg`
}

/** Parse a segment file name; undefined when it is not one. */
export function parseSegmentFileName(name: string): { stream: number; id: number } | undefined {
  const m = /^([a-z]+)-(\d{8})\.seg$/.exec(name)
  if (!m) return undefined
  const stream = STREAM_NAMES.indexOf(m[1]!)
  if (stream < 0) return undefined
  return { stream, id: Number(m[2]) }
}
