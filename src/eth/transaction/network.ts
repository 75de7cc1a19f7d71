/**
 * The EIP-4844 network form of blob transactions, as `eth_sendRawTransaction`
 * and the p2p pool carry them: `0x03 ‖ rlp([tx_payload_body, blobs,
 * commitments, proofs])`. Blocks hold only the canonical form
 * (`0x03 ‖ rlp(tx_payload_body)`), so the pool decodes the wrapper, checks
 * the sidecar's shape and its commitments against the versioned hashes, and
 * keeps the canonical bytes. KZG proof verification is the caller's (it
 * needs the trusted setup); this module is pure decoding.
 */
import { sha256 } from '../../crypto/sha256.js'
import { decodeRlp, encodeRlp, rlpBytes, rlpList, type RlpItem } from '../../primitives/rlp.js'
import { decodeTransaction } from './codec.js'
import { TxDecodeError } from './errors.js'
import { BLOB_COMMITMENT_VERSION_KZG } from './validate.js'
import type { BlobTransaction, Transaction } from './types.js'

/** Bytes per blob (4096 field elements of 32 bytes). */
export const BYTES_PER_BLOB = 131072
/** Bytes per KZG commitment or proof (a compressed BLS12-381 G1 point). */
export const BYTES_PER_KZG = 48

/** Blobs, commitments and proofs that travel with a blob transaction on the network. */
export interface BlobSidecar {
  blobs: Uint8Array[]
  commitments: Uint8Array[]
  proofs: Uint8Array[]
}

/** A transaction as received from the network, with its canonical bytes (what is hashed and put in blocks). */
export interface NetworkTransaction {
  tx: Transaction
  /** Canonical EIP-2718 bytes (for type 3: without the sidecar). */
  canonical: Uint8Array
  /** Present for type-3 transactions sent in network form. */
  sidecar?: BlobSidecar
}

/** The EIP-4844 versioned hash of a commitment: 0x01 ‖ sha256(commitment)[1..32]. */
export function kzgToVersionedHash(commitment: Uint8Array): Uint8Array {
  const h = sha256(commitment).slice()
  h[0] = BLOB_COMMITMENT_VERSION_KZG
  return h
}

function sized(item: RlpItem | undefined, size: number, what: string): Uint8Array[] {
  return rlpList(item, what).map((x) => {
    const b = rlpBytes(x, what)
    if (b.length !== size) throw new TxDecodeError('bad-field', `${what} entry must be ${size} bytes, got ${b.length}`)
    return b
  })
}

/**
 * Decode a raw transaction as sent over RPC or p2p: any canonical
 * transaction, or a type-3 transaction in network form whose sidecar counts
 * and commitments must match its versioned hashes. Throws `DecodeError`s.
 */
export function decodeNetworkTransaction(bytes: Uint8Array): NetworkTransaction {
  if (bytes.length > 1 && bytes[0] === 3) {
    const outer = decodeRlp(bytes.subarray(1))
    if (Array.isArray(outer) && outer.length === 4 && Array.isArray(outer[0])) {
      // Strict RLP decoding means re-encoding the body reproduces its exact bytes.
      const body = encodeRlp(outer[0])
      const canonical = new Uint8Array(body.length + 1)
      canonical[0] = 3
      canonical.set(body, 1)
      const tx = decodeTransaction(canonical) as BlobTransaction
      const sidecar: BlobSidecar = {
        blobs: sized(outer[1], BYTES_PER_BLOB, 'blobs'),
        commitments: sized(outer[2], BYTES_PER_KZG, 'commitments'),
        proofs: sized(outer[3], BYTES_PER_KZG, 'proofs'),
      }
      const n = tx.blobVersionedHashes.length
      if (sidecar.blobs.length !== n || sidecar.commitments.length !== n || sidecar.proofs.length !== n) {
        throw new TxDecodeError('bad-blob-hash', `sidecar has ${sidecar.blobs.length} blobs, ${sidecar.commitments.length} commitments, ${sidecar.proofs.length} proofs for ${n} versioned hashes`)
      }
      for (let i = 0; i < n; i++) {
        const want = kzgToVersionedHash(sidecar.commitments[i]!)
        const got = tx.blobVersionedHashes[i]!
        for (let j = 0; j < 32; j++) if (want[j] !== got[j]) throw new TxDecodeError('bad-blob-hash', `commitment ${i} does not match its versioned hash`)
      }
      return { tx, canonical, sidecar }
    }
  }
  return { tx: decodeTransaction(bytes), canonical: bytes }
}
