/**
 * SHA-256 through `node:crypto` (OpenSSL), the fastest option for the
 * precompile's inputs of any size. QMDB's batched node hashing has its own
 * kernel in `ads/`.
 */
import { createHash } from 'node:crypto'

/** SHA-256 of `data` as 32 bytes. */
export function sha256(data: Uint8Array): Uint8Array {
  const h = createHash('sha256').update(data).digest()
  return new Uint8Array(h.buffer, h.byteOffset, h.length)
}
