/**
 * The Ethereum block header with every field through Prague, its RLP
 * encoding and hash. Tachyon seals one such header per EVM block (every 1 s);
 * `stateRoot` carries the QMDB root, the other roots are standard
 * Merkle-Patricia roots, so viem/ethers/Foundry parse our blocks unchanged.
 */
import { encodeRlp, decodeRlp, rlpBytes, rlpList, rlpBigInt, type RlpInput } from '../primitives/rlp.js'
import { DecodeError } from '../primitives/errors.js'
import { keccak256, EMPTY_TRIE_ROOT } from '../crypto/keccak.js'
import { forkAtLeast, type Fork } from '../eth/fork.js'

/** keccak256(rlp([])): the ommers hash of every post-merge block. */
export const EMPTY_OMMERS_HASH: Uint8Array = keccak256(Uint8Array.of(0xc0))
/** sha256("") — EIP-7685 requests hash of a block with no execution-layer requests. */
export const EMPTY_REQUESTS_HASH: Uint8Array = Uint8Array.from(
  Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'),
)

/** A block header. Fork-dependent fields are undefined before their fork. */
export interface BlockHeader {
  parentHash: Uint8Array
  ommersHash: Uint8Array
  coinbase: Uint8Array
  stateRoot: Uint8Array
  transactionsRoot: Uint8Array
  receiptsRoot: Uint8Array
  logsBloom: Uint8Array
  difficulty: bigint
  number: bigint
  gasLimit: bigint
  gasUsed: bigint
  timestamp: bigint
  extraData: Uint8Array
  /** prevRandao after the merge. */
  mixHash: Uint8Array
  nonce: Uint8Array
  /** London (EIP-1559). */
  baseFeePerGas?: bigint
  /** Shanghai (EIP-4895). */
  withdrawalsRoot?: Uint8Array
  /** Cancun (EIP-4844). */
  blobGasUsed?: bigint
  /** Cancun (EIP-4844). */
  excessBlobGas?: bigint
  /** Cancun (EIP-4788). */
  parentBeaconBlockRoot?: Uint8Array
  /** Prague (EIP-7685). */
  requestsHash?: Uint8Array
}

/** The header's fields as an RLP list, in consensus order, stopping at the last present field. */
function headerFields(h: BlockHeader): RlpInput[] {
  const f: RlpInput[] = [
    h.parentHash, h.ommersHash, h.coinbase, h.stateRoot, h.transactionsRoot, h.receiptsRoot, h.logsBloom,
    h.difficulty, h.number, h.gasLimit, h.gasUsed, h.timestamp, h.extraData, h.mixHash, h.nonce,
  ]
  const optional: Array<RlpInput | undefined> = [h.baseFeePerGas, h.withdrawalsRoot, h.blobGasUsed, h.excessBlobGas, h.parentBeaconBlockRoot, h.requestsHash]
  for (const v of optional) {
    if (v === undefined) break
    f.push(v)
  }
  return f
}

/** RLP encoding of a header. */
export function encodeHeader(h: BlockHeader): Uint8Array {
  return encodeRlp(headerFields(h))
}

/** The block hash: keccak256 of the header's RLP. */
export function headerHash(h: BlockHeader): Uint8Array {
  return keccak256(encodeHeader(h))
}

/** Decode a header's RLP (15 to 21 fields). Throws `DecodeError` on malformed input. */
export function decodeHeader(bytes: Uint8Array): BlockHeader {
  const l = rlpList(decodeRlp(bytes), 'header')
  if (l.length < 15 || l.length > 21) throw new DecodeError(`header has ${l.length} fields, expected 15 to 21`)
  const b = (i: number, n?: number): Uint8Array => {
    const v = rlpBytes(l[i], `header field ${i}`)
    if (n !== undefined && v.length !== n) throw new DecodeError(`header field ${i} must be ${n} bytes, got ${v.length}`)
    return v
  }
  const h: BlockHeader = {
    parentHash: b(0, 32), ommersHash: b(1, 32), coinbase: b(2, 20), stateRoot: b(3, 32), transactionsRoot: b(4, 32),
    receiptsRoot: b(5, 32), logsBloom: b(6, 256), difficulty: rlpBigInt(l[7]), number: rlpBigInt(l[8]),
    gasLimit: rlpBigInt(l[9]), gasUsed: rlpBigInt(l[10]), timestamp: rlpBigInt(l[11]), extraData: b(12),
    mixHash: b(13, 32), nonce: b(14, 8),
  }
  if (l.length > 15) h.baseFeePerGas = rlpBigInt(l[15])
  if (l.length > 16) h.withdrawalsRoot = b(16, 32)
  if (l.length > 17) h.blobGasUsed = rlpBigInt(l[17])
  if (l.length > 18) h.excessBlobGas = rlpBigInt(l[18])
  if (l.length > 19) h.parentBeaconBlockRoot = b(19, 32)
  if (l.length > 20) h.requestsHash = b(20, 32)
  return h
}

/** Fill the fork-dependent fields a header of `fork` must carry with their empty-block values. */
export function withForkFields(h: BlockHeader, fork: Fork): BlockHeader {
  const out = { ...h }
  if (forkAtLeast(fork, 'London')) out.baseFeePerGas ??= 0n
  if (forkAtLeast(fork, 'Shanghai')) out.withdrawalsRoot ??= EMPTY_TRIE_ROOT
  if (forkAtLeast(fork, 'Cancun')) {
    out.blobGasUsed ??= 0n
    out.excessBlobGas ??= 0n
    out.parentBeaconBlockRoot ??= new Uint8Array(32)
  }
  if (forkAtLeast(fork, 'Prague')) out.requestsHash ??= EMPTY_REQUESTS_HASH
  return out
}
