/**
 * Batch compression. zstd through the native `zstd-napi` addon when it loads;
 * otherwise batches are written raw (flagged as such in their header) and any
 * zstd batch already on disk is decoded by the pure-JS `fzstd`. A store stays
 * readable on a machine without the addon; it just stops compressing. A batch
 * is stored raw too when compression does not save at least 1/16 of it.
 */
import { createRequire } from 'node:module'
import { decompress as fzstdDecompress } from 'fzstd'

/** Shape of the two zstd-napi functions we use. */
interface ZstdNapi {
  compress(data: Uint8Array, params?: { compressionLevel?: number }): Buffer
  decompress(data: Uint8Array): Buffer
}

/** zstd-napi's low-level decompression context (`zstd-napi/binding`): decompresses into a caller's buffer. */
interface ZstdDCtx {
  decompress(dst: Uint8Array, src: Uint8Array): number
}

function loadNative(): { zstd: ZstdNapi; dctx: ZstdDCtx | undefined } | undefined {
  if (process.env.TACHYON_NO_ZSTD_NAPI === '1') return undefined
  try {
    const require = createRequire(import.meta.url)
    const zstd = require('zstd-napi') as ZstdNapi
    let dctx: ZstdDCtx | undefined
    try {
      const binding = require('zstd-napi/binding') as { DCtx: new () => ZstdDCtx }
      dctx = new binding.DCtx()
    } catch {
      dctx = undefined
    }
    return { zstd, dctx }
  } catch {
    return undefined
  }
}

const native = loadNative()
const nativeZstd = native?.zstd
const nativeDctx = native?.dctx

/** True when the native zstd compressor is available (else batches are written raw). */
export const hasNativeZstd: boolean = nativeZstd !== undefined

/** Codec flag stored in a batch header: payload is stored as is. */
export const CODEC_RAW = 0
/** Codec flag stored in a batch header: payload is one zstd frame. */
export const CODEC_ZSTD = 1

/** Result of `encodeBatch`: the bytes to store and how they are encoded. */
export interface EncodedPayload {
  codec: number
  data: Uint8Array
}

/** Compress `raw` when it pays (and zstd is available), else return it as is. */
export function encodeBatch(raw: Uint8Array, level: number): EncodedPayload {
  if (nativeZstd === undefined || level === 0 || raw.length < 128) return { codec: CODEC_RAW, data: raw }
  const z = nativeZstd.compress(raw, { compressionLevel: level })
  if (z.length > raw.length - (raw.length >>> 4)) return { codec: CODEC_RAW, data: raw }
  return { codec: CODEC_ZSTD, data: z }
}

/**
 * Undo `encodeBatch` into `out` (at least `rawLen` bytes, e.g. a recycled
 * cache buffer); returns the decoded bytes (a view of `out`, or `data`
 * itself for a raw batch). Throws on a malformed frame or a size mismatch.
 */
export function decodeBatchInto(codec: number, data: Uint8Array, rawLen: number, out: Uint8Array): Uint8Array {
  if (codec === CODEC_RAW) return data
  const dst = out.subarray(0, rawLen)
  if (nativeDctx !== undefined) {
    const n = nativeDctx.decompress(dst, data)
    if (n !== rawLen) throw new Error(`decoded ${n} bytes, expected ${rawLen}`)
    return dst
  }
  const r = nativeZstd !== undefined ? nativeZstd.decompress(data) : fzstdDecompress(data, dst)
  if (r.length !== rawLen) throw new Error(`decoded ${r.length} bytes, expected ${rawLen}`)
  if (r !== dst) dst.set(r)
  return dst
}

/** Undo `encodeBatch`. Throws (any error) on a malformed zstd frame; callers wrap it in a typed error. */
export function decodeBatch(codec: number, data: Uint8Array, rawLen: number, forceJs = false): Uint8Array {
  if (codec === CODEC_RAW) return data
  if (nativeZstd !== undefined && !forceJs) return nativeZstd.decompress(data)
  return fzstdDecompress(data, new Uint8Array(rawLen))
}
