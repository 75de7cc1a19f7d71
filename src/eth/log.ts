/**
 * Event logs and the 2048-bit logs bloom filter (yellow paper §4.3.1), plus
 * the `logsHash` digest the state tests' `logs` field holds. Receipts, block
 * headers and `eth_getLogs` filtering all build on these.
 */
import { keccak256 } from '../crypto/keccak.js'
import { DecodeError } from '../primitives/errors.js'
import { encodeRlp, rlpBytes, rlpList, type RlpInput, type RlpItem } from '../primitives/rlp.js'

/** One log emitted by LOG0..LOG4. */
export interface Log {
  /** 20-byte address of the emitting contract. */
  address: Uint8Array
  /** 0 to 4 topics of 32 bytes each. */
  topics: Uint8Array[]
  data: Uint8Array
}

/** Size of a logs bloom in bytes (2048 bits). */
export const BLOOM_BYTES = 256

/** A malformed RLP log (wrong shape, address not 20 bytes, topic not 32 bytes, more than 4 topics). */
export class LogDecodeError extends DecodeError {
  override name = 'LogDecodeError'
}

/** A fresh all-zero bloom. */
export function emptyBloom(): Uint8Array {
  return new Uint8Array(BLOOM_BYTES)
}

/** Set in `bloom` the three bits selected by keccak256(`value`) (M3:2048). */
export function bloomAdd(bloom: Uint8Array, value: Uint8Array): void {
  const h = keccak256(value)
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047
    bloom[BLOOM_BYTES - 1 - (bit >> 3)]! |= 1 << (bit & 7)
  }
}

/** True when all three bits of `value` are set (may be a false positive, never a false negative). */
export function bloomContains(bloom: Uint8Array, value: Uint8Array): boolean {
  const h = keccak256(value)
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047
    if ((bloom[BLOOM_BYTES - 1 - (bit >> 3)]! & (1 << (bit & 7))) === 0) return false
  }
  return true
}

/** OR `other` into `bloom` (a block's bloom is the OR of its receipts' blooms). */
export function bloomOr(bloom: Uint8Array, other: Uint8Array): void {
  for (let i = 0; i < BLOOM_BYTES; i++) bloom[i]! |= other[i]!
}

/** The bloom of a list of logs: each address and each topic is added. */
export function logsBloom(logs: Iterable<Log>): Uint8Array {
  const bloom = emptyBloom()
  for (const log of logs) {
    bloomAdd(bloom, log.address)
    for (const t of log.topics) bloomAdd(bloom, t)
  }
  return bloom
}

/** The RLP shape of a log: [address, [topics…], data]. */
export function logToRlp(log: Log): RlpInput {
  return [log.address, log.topics, log.data]
}

/** Parse a decoded RLP item as a log (strict sizes). */
export function logFromRlp(item: RlpItem): Log {
  const l = rlpList(item, 'log')
  if (l.length !== 3) throw new LogDecodeError(`log must have 3 fields, got ${l.length}`)
  const address = rlpBytes(l[0], 'log address')
  if (address.length !== 20) throw new LogDecodeError(`log address must be 20 bytes, got ${address.length}`)
  const topicItems = rlpList(l[1], 'log topics')
  if (topicItems.length > 4) throw new LogDecodeError(`log has ${topicItems.length} topics (max 4)`)
  const topics = topicItems.map((t) => {
    const b = rlpBytes(t, 'log topic')
    if (b.length !== 32) throw new LogDecodeError(`log topic must be 32 bytes, got ${b.length}`)
    return b
  })
  return { address, topics, data: rlpBytes(l[2], 'log data') }
}

/** keccak256(rlp([[address, topics, data], …])): the `logs` digest state tests expect. */
export function logsHash(logs: readonly Log[]): Uint8Array {
  return keccak256(encodeRlp(logs.map(logToRlp)))
}
