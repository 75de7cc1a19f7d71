/**
 * Proofs and their verifier. A proof carries one active entry and the path
 * from its leaf to the global root:
 *   entry payload → 11 left-tree siblings → left root;
 *   the 32-byte ActiveBits page holding the entry's bit (which must be set)
 *   → 3 right-tree siblings → L3; twig root = H(11, leftRoot, L3);
 *   upper siblings (levels 12 ..) → shard root; sha256(all shard roots) → root.
 * Membership: the entry's key is the queried key. Non-membership: the entry's
 * key hash and nextKeyHash strictly bracket sha256(queried key).
 * `verifyProof` is pure (only SHA-256) and needs nothing but the proof and a
 * trusted root.
 */
import { ACTIVE_BITS_BYTES, FIRST_UPPER_LEVEL, LEAVES_PER_TWIG, SHARD_BITS, SHARD_COUNT, TWIG_ROOT_LEVEL, TWIG_SHIFT } from './constants.js'
import { compareHash, decodeEntry, entryKeyHash } from './entry.js'
import { QmdbProofFormatError } from './errors.js'
import { hashNode, sha256 } from './hash.js'

/** A membership or non-membership proof for `key` against a global root. */
export interface QmdbProof {
  /** The key asked about. */
  key: Uint8Array
  /** Payload of the proving entry (the key's entry, or its predecessor for non-membership). */
  entry: Uint8Array
  /** 11 × 32 bytes: left-tree siblings from the leaf up. */
  leftPath: Uint8Array
  /** The 32-byte ActiveBits page holding the entry's bit. */
  page: Uint8Array
  /** 3 × 32 bytes: sibling page, sibling L1, sibling L2. */
  rightPath: Uint8Array
  /** 32 bytes per upper level, from level 12 up to the shard root. */
  upperPath: Uint8Array
  /** SHARD_COUNT × 32 bytes: every shard root (their sha256 is the global root). */
  shardRoots: Uint8Array
}

/** Outcome of verification. */
export type ProofResult =
  | { ok: true; exists: true; value: Uint8Array }
  | { ok: true; exists: false }
  | { ok: false; reason: string }

function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Shard of a key hash. */
export function shardOf(kh: Uint8Array): number {
  return kh[0]! >> (8 - SHARD_BITS)
}

/** Verifies `proof` against the trusted global `root`; never throws on bad proofs. */
export function verifyProof(proof: QmdbProof, root: Uint8Array): ProofResult {
  try {
    if (proof.leftPath.length !== 32 * TWIG_SHIFT) return { ok: false, reason: 'left path length' }
    if (proof.page.length !== 32 || proof.rightPath.length !== 96) return { ok: false, reason: 'right path length' }
    if (proof.upperPath.length % 32 !== 0 || proof.upperPath.length > 32 * 52) return { ok: false, reason: 'upper path length' }
    if (proof.shardRoots.length !== 32 * SHARD_COUNT) return { ok: false, reason: 'shard roots length' }
    const padded = new Uint8Array((proof.entry.length + 7) & ~7)
    padded.set(proof.entry)
    const e = decodeEntry(padded, 0, padded.length)
    if (e.payloadLen !== proof.entry.length) return { ok: false, reason: 'entry length' }
    const sn = e.sn
    // left tree
    let node = sha256(proof.entry)
    const pos = sn % LEAVES_PER_TWIG
    for (let i = 0; i < TWIG_SHIFT; i++) {
      const sib = proof.leftPath.subarray(32 * i, 32 * i + 32)
      node = ((pos >> i) & 1) === 1 ? hashNode(i, sib, node) : hashNode(i, node, sib)
    }
    const leftRoot = node
    // active bit
    const b = pos & 255
    if ((proof.page[b >> 3]! & (1 << (b & 7))) === 0) return { ok: false, reason: 'entry is not active' }
    // right tree
    const j = pos >> 8
    node = proof.page
    for (let i = 0; i < 3; i++) {
      const sib = proof.rightPath.subarray(32 * i, 32 * i + 32)
      node = ((j >> i) & 1) === 1 ? hashNode(8 + i, sib, node) : hashNode(8 + i, node, sib)
    }
    node = hashNode(TWIG_ROOT_LEVEL, leftRoot, node)
    // upper tree
    const twig = Math.floor(sn / LEAVES_PER_TWIG)
    const levels = proof.upperPath.length / 32
    if (Math.floor(twig / 2 ** levels) !== 0) return { ok: false, reason: 'upper path too short for the twig' }
    for (let i = 0; i < levels; i++) {
      const sib = proof.upperPath.subarray(32 * i, 32 * i + 32)
      node = (Math.floor(twig / 2 ** i) & 1) === 1 ? hashNode(FIRST_UPPER_LEVEL + i, sib, node) : hashNode(FIRST_UPPER_LEVEL + i, node, sib)
    }
    const qkh = sha256(proof.key)
    const shard = shardOf(qkh)
    if (!eq(node, proof.shardRoots.subarray(32 * shard, 32 * shard + 32))) return { ok: false, reason: 'shard root mismatch' }
    if (!eq(sha256(proof.shardRoots), root)) return { ok: false, reason: 'global root mismatch' }
    if (e.value.length > 0 && eq(e.key, proof.key)) return { ok: true, exists: true, value: new Uint8Array(e.value) }
    const ekh = entryKeyHash(e.key, e.value)
    if (compareHash(ekh, 0, qkh, 0) < 0 && compareHash(qkh, 0, e.nkh, 0) < 0) return { ok: true, exists: false }
    return { ok: false, reason: 'entry neither matches nor brackets the key' }
  } catch (err) {
    return { ok: false, reason: `malformed proof: ${(err as Error).message}` }
  }
}

/** Serialises a proof: u16 key length, key, u32 entry length, entry, left, page, right, u8 upper count, upper, shard roots. */
export function encodeProof(p: QmdbProof): Uint8Array {
  const parts = [
    Uint8Array.of(p.key.length & 0xff, p.key.length >> 8), p.key,
    Uint8Array.of(p.entry.length & 0xff, (p.entry.length >> 8) & 0xff, (p.entry.length >> 16) & 0xff, p.entry.length >>> 24), p.entry,
    p.leftPath, p.page, p.rightPath, Uint8Array.of(p.upperPath.length / 32), p.upperPath, p.shardRoots,
  ]
  return Buffer.concat(parts)
}

/** Parses `encodeProof` output; throws QmdbProofFormatError when malformed. */
export function decodeProof(b: Uint8Array): QmdbProof {
  let p = 0
  const take = (n: number): Uint8Array => {
    if (p + n > b.length) throw new QmdbProofFormatError('proof truncated')
    const s = new Uint8Array(b.subarray(p, p + n))
    p += n
    return s
  }
  const kl = take(2); const key = take(kl[0]! | (kl[1]! << 8))
  const el = take(4); const entry = take((el[0]! | (el[1]! << 8) | (el[2]! << 16) | (el[3]! << 24)) >>> 0)
  const leftPath = take(32 * TWIG_SHIFT), page = take(32), rightPath = take(96)
  const upperPath = take(32 * take(1)[0]!)
  const shardRoots = take(32 * SHARD_COUNT)
  if (p !== b.length) throw new QmdbProofFormatError('trailing bytes after proof')
  return { key, entry, leftPath, page, rightPath, upperPath, shardRoots }
}

/** Bytes of ActiveBits per twig, re-exported for proof builders. */
export const PAGE_COUNT = ACTIVE_BITS_BYTES / 32
