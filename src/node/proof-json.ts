/**
 * The JSON shape of `tachyon_getProof` (docs/rpc.md § tachyon_getProof) and
 * its inverse: QMDB proofs (`src/ads/proof.ts`) as hex fields, so a client
 * can rebuild a `QmdbProof` and check it with `verifyProof` against the
 * `stateRoot` of the block header named by `blockNumber` / `blockHash`.
 */
import { verifyProof, type QmdbProof } from '../ads/proof.js'
import { decodeAccount, accountKey } from '../state/qmdb/store.js'
import { bytesToHex, hexToBytes } from '../primitives/hex.js'
import { bytesToBigInt } from '../primitives/bytes.js'
import { ChainCorruptionError } from '../chain/errors.js'

/** One QMDB proof as hex. */
export interface QmdbProofJson {
  /** The QMDB key asked about (account `0x00‖address`, slot `0x01‖address‖slot`). */
  key: string
  /** Payload of the proving entry: the key's own entry, or its predecessor (non-membership). */
  entry: string
  /** 11 × 32 bytes: the twig's left-tree siblings, leaf level first. */
  twigPath: string
  /** The 32-byte ActiveBits page holding the entry's bit. */
  activeBitsPage: string
  /** 3 × 32 bytes: the twig's right-tree siblings (sibling page, L1, L2). */
  activeBitsPath: string
  /** 32 bytes per upper level, from level 12 up to the shard root. */
  upperPath: string
  /** 4 × 32 bytes: the shard roots; their sha256 is the state root. */
  shardRoots: string
}

/** An account's proof. */
export interface AccountProofJson {
  address: string
  /** True for a membership proof; false for non-membership. */
  exists: boolean
  nonce: string
  balance: string
  codeHash: string
  proof: QmdbProofJson
}

/** A storage slot's proof (absent slots read as zero and get non-membership proofs). */
export interface StorageProofJson {
  slot: string
  exists: boolean
  value: string
  proof: QmdbProofJson
}

/** The result of tachyon_getProof. */
export interface StateProofJson {
  blockNumber: string
  blockHash: string
  /** The block header's stateRoot (QMDB global root) the proofs verify against. */
  stateRoot: string
  account: AccountProofJson
  storageProof: StorageProofJson[]
}

const KECCAK_EMPTY_HEX = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'

function quantity(v: bigint): string {
  return '0x' + v.toString(16)
}

/** A proof as hex fields. */
export function proofToJson(p: QmdbProof): QmdbProofJson {
  return {
    key: bytesToHex(p.key),
    entry: bytesToHex(p.entry),
    twigPath: bytesToHex(p.leftPath),
    activeBitsPage: bytesToHex(p.page),
    activeBitsPath: bytesToHex(p.rightPath),
    upperPath: bytesToHex(p.upperPath),
    shardRoots: bytesToHex(p.shardRoots),
  }
}

/** Inverse of `proofToJson` (throws on malformed hex; lengths are checked by `verifyProof`). */
export function proofFromJson(j: QmdbProofJson): QmdbProof {
  return {
    key: hexToBytes(j.key),
    entry: hexToBytes(j.entry),
    leftPath: hexToBytes(j.twigPath),
    page: hexToBytes(j.activeBitsPage),
    rightPath: hexToBytes(j.activeBitsPath),
    upperPath: hexToBytes(j.upperPath),
    shardRoots: hexToBytes(j.shardRoots),
  }
}

/**
 * The RPC answer for proofs of `address` and `slots` against `root`. Every
 * proof is verified here first (cheap: about twenty SHA-256 hashes), which
 * also yields the proven values.
 */
export function stateProofJson(p: { blockNumber: bigint; blockHash: Uint8Array; root: Uint8Array; account: QmdbProof; storage: QmdbProof[] }, address: Uint8Array, slots: readonly bigint[]): StateProofJson {
  const check = (q: QmdbProof): { exists: boolean; value?: Uint8Array } => {
    const r = verifyProof(q, p.root)
    if (!r.ok) throw new ChainCorruptionError(`QMDB produced a proof that does not verify: ${r.reason}`)
    return r.exists ? { exists: true, value: r.value } : { exists: false }
  }
  const a = check(p.account)
  const info = a.value !== undefined ? decodeAccount(a.value) : undefined
  if (!equalKey(p.account.key, accountKey(address))) throw new ChainCorruptionError('account proof for another key')
  return {
    blockNumber: quantity(p.blockNumber),
    blockHash: bytesToHex(p.blockHash),
    stateRoot: bytesToHex(p.root),
    account: {
      address: bytesToHex(address),
      exists: a.exists,
      nonce: quantity(info?.nonce ?? 0n),
      balance: quantity(info?.balance ?? 0n),
      codeHash: info ? bytesToHex(info.codeHash) : KECCAK_EMPTY_HEX,
      proof: proofToJson(p.account),
    },
    storageProof: slots.map((slot, i) => {
      const q = p.storage[i]!
      const r = check(q)
      return { slot: bytesToHex(bigToBytes32(slot)), exists: r.exists, value: r.value ? quantity(bytesToBigInt(r.value)) : '0x0', proof: proofToJson(q) }
    }),
  }
}

function bigToBytes32(v: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 31; i >= 0 && v > 0n; i--, v >>= 8n) out[i] = Number(v & 0xffn)
  return out
}

function equalKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
