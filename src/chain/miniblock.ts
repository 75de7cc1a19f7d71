/**
 * Mini-block headers (DESIGN.md § Mini-block): the compact, signed record the
 * sequencer publishes every time it closes a batch of executed transactions.
 * No Merkle roots, no bloom, no state root: eight fields
 * `[number, blockNumber, index, timestampUs, parentHash, gasUsed,
 * transactionsHash, receiptsHash]`, hash = keccak256(rlp(those eight)), and a
 * secp256k1 signature by the sequencer key over that hash. The signed
 * encoding appends `[yParity, r, s]` (11 fields); it is what the chain store
 * keeps and what a replica verifies.
 */
import { keccak256 } from '../crypto/keccak.js'
import { recoverAddress, signHash, type Signature } from '../crypto/secp256k1.js'
import { encodeRlp, decodeRlp, rlpBytes, rlpList, rlpBigInt, rlpNumber } from '../primitives/rlp.js'
import { concatBytes } from '../primitives/bytes.js'
import { DecodeError } from '../primitives/errors.js'
import { MiniBlockDecodeError } from './errors.js'

/** The eight hashed fields of a mini-block header. */
export interface MiniBlockHeader {
  /** Global mini-block height (0 is the first mini-block ever). */
  number: bigint
  /** EVM block this mini-block belongs to. */
  blockNumber: bigint
  /** Position within that EVM block. */
  index: number
  /** Microseconds since the Unix epoch when the mini-block was opened. */
  timestampUs: bigint
  /** Hash of the previous mini-block (zero for the first). */
  parentHash: Uint8Array
  /** Gas used by its transactions. */
  gasUsed: bigint
  /** keccak256 of the concatenated transaction hashes. */
  transactionsHash: Uint8Array
  /** keccak256 of rlp(list of consensus-encoded receipts). */
  receiptsHash: Uint8Array
}

/** A header with the sequencer's signature over its hash. */
export interface SignedMiniBlockHeader extends MiniBlockHeader {
  signature: Signature
}

function fields(h: MiniBlockHeader): (Uint8Array | bigint | number)[] {
  return [h.number, h.blockNumber, h.index, h.timestampUs, h.parentHash, h.gasUsed, h.transactionsHash, h.receiptsHash]
}

/** RLP of the eight hashed fields. */
export function encodeMiniBlockHeader(h: MiniBlockHeader): Uint8Array {
  return encodeRlp(fields(h))
}

/** The mini-block hash: keccak256 of the header's RLP. */
export function miniBlockHash(h: MiniBlockHeader): Uint8Array {
  return keccak256(encodeMiniBlockHeader(h))
}

/** `transactionsHash` of a list of transaction hashes. */
export function miniBlockTransactionsHash(txHashes: readonly Uint8Array[]): Uint8Array {
  return keccak256(concatBytes(...txHashes))
}

/** `receiptsHash` of a list of consensus-encoded receipts. */
export function miniBlockReceiptsHash(receipts: readonly Uint8Array[]): Uint8Array {
  return keccak256(encodeRlp(receipts as Uint8Array[]))
}

/** Sign a header with the sequencer key; returns the signed header and its hash. */
export function signMiniBlock(h: MiniBlockHeader, privateKey: Uint8Array): { header: SignedMiniBlockHeader; hash: Uint8Array } {
  const hash = miniBlockHash(h)
  return { header: { ...h, signature: signHash(hash, privateKey) }, hash }
}

/** The signed encoding: rlp([...eight fields, yParity, r, s]). */
export function encodeSignedMiniBlock(h: SignedMiniBlockHeader): Uint8Array {
  return encodeRlp([...fields(h), h.signature.yParity, h.signature.r, h.signature.s])
}

/** Decode a signed mini-block header; throws `MiniBlockDecodeError`. */
export function decodeSignedMiniBlock(bytes: Uint8Array): SignedMiniBlockHeader {
  try {
    const l = rlpList(decodeRlp(bytes), 'mini-block')
    if (l.length !== 11) throw new MiniBlockDecodeError(`mini-block header has ${l.length} fields, expected 11`)
    const b32 = (i: number): Uint8Array => {
      const v = rlpBytes(l[i], `mini-block field ${i}`)
      if (v.length !== 32) throw new MiniBlockDecodeError(`mini-block field ${i} must be 32 bytes`)
      return v
    }
    return {
      number: rlpBigInt(l[0]),
      blockNumber: rlpBigInt(l[1]),
      index: rlpNumber(l[2]),
      timestampUs: rlpBigInt(l[3]),
      parentHash: b32(4),
      gasUsed: rlpBigInt(l[5]),
      transactionsHash: b32(6),
      receiptsHash: b32(7),
      signature: { yParity: rlpNumber(l[8]), r: rlpBigInt(l[9]), s: rlpBigInt(l[10]) },
    }
  } catch (e) {
    if (e instanceof DecodeError) throw new MiniBlockDecodeError(e.message)
    throw e
  }
}

/** The address that signed a mini-block header, or null when the signature is invalid. */
export function miniBlockSigner(h: SignedMiniBlockHeader): Uint8Array | null {
  return recoverAddress(miniBlockHash(h), h.signature.r, h.signature.s, h.signature.yParity)
}
