/**
 * Building blocks of the store: the CRC-32 fallback agrees with zlib, the
 * pure-JS zstd decoder (fzstd, the fallback) reads what the native
 * compressor wrote, incompressible batches are stored raw, and the packed
 * hash index agrees with a Map on random keys.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import * as zlib from 'node:zlib'
import { crc32, crc32Table } from '../../src/storage/crc.js'
import { CODEC_RAW, CODEC_ZSTD, decodeBatch, encodeBatch, hasNativeZstd } from '../../src/storage/codec.js'
import { HashMultiIndex, fingerprint } from '../../src/storage/hashIndex.js'
import { makeBlock } from './fixtures.js'
import { SMALL } from './helpers.js'

test('crc32 table fallback equals zlib.crc32, including continuation', () => {
  for (const n of [0, 1, 7, 8, 9, 100, 4097]) {
    const b = randomBytes(n)
    assert.equal(crc32Table(b), zlib.crc32(b) >>> 0)
    assert.equal(crc32(b), crc32Table(b))
    const cut = n >> 1
    assert.equal(crc32Table(b.subarray(cut), crc32Table(b.subarray(0, cut))), crc32Table(b))
  }
})

test('zstd batches decode with the pure-JS fallback; incompressible data stays raw', () => {
  assert.ok(hasNativeZstd, 'zstd-napi is installed in this repo')
  const txs = makeBlock(SMALL, 3).minis.flatMap((m) => m.txs.map((t) => t.receipt))
  const raw = Buffer.concat(txs)
  const enc = encodeBatch(raw, 3)
  assert.equal(enc.codec, CODEC_ZSTD)
  assert.ok(enc.data.length < raw.length)
  assert.deepEqual(Buffer.from(decodeBatch(enc.codec, enc.data, raw.length, true)), raw)
  assert.deepEqual(Buffer.from(decodeBatch(enc.codec, enc.data, raw.length)), raw)
  const noise = randomBytes(10_000)
  assert.equal(encodeBatch(noise, 3).codec, CODEC_RAW)
  assert.equal(encodeBatch(raw, 0).codec, CODEC_RAW)
})

test('HashMultiIndex agrees with a Map on 200k random keys', () => {
  const idx = new HashMultiIndex(16)
  const fp = new Uint32Array(2)
  const keys: Uint8Array[] = []
  for (let i = 0; i < 200_000; i++) {
    const k = randomBytes(32)
    keys.push(k)
    fingerprint(k, 1, fp)
    idx.insert(fp[0]!, fp[1]!, i)
  }
  assert.equal(idx.size, 200_000)
  for (let i = 0; i < keys.length; i += 7) {
    fingerprint(keys[i]!, 1, fp)
    assert.equal(idx.find(fp[0]!, fp[1]!, (v) => v === i), i)
  }
  fingerprint(randomBytes(32), 1, fp)
  assert.equal(idx.first(fp[0]!, fp[1]!), -1)
  // Same bytes, different tag: different fingerprint.
  const a = new Uint32Array(2)
  fingerprint(keys[0]!, 2, a)
  fingerprint(keys[0]!, 1, fp)
  assert.notDeepEqual(a, fp)
})
