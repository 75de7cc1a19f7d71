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
import { HashMultiIndex, fingerprint, fingerprintAt, fingerprintView } from '../../src/storage/hashIndex.js'
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

test('fingerprint, fingerprintAt and fingerprintView agree (any length, offset, tag)', () => {
  const buf = new Uint8Array(new SharedArrayBuffer(4096))
  buf.set(randomBytes(4096))
  const dv = new DataView(buf.buffer)
  const a = new Uint32Array(2)
  const b = new Uint32Array(2)
  const c = new Uint32Array(2)
  for (let k = 0; k < 2000; k++) {
    const off = (k * 37) % 4000
    const n = [0, 1, 3, 4, 7, 20, 32, 33, 64][k % 9]!
    const tag = k % 5
    fingerprint(Uint8Array.from(buf.subarray(off, off + n)), tag, a)
    fingerprintAt(buf, off, n, tag, b)
    fingerprintView(dv, buf, off, n, tag, c)
    assert.deepEqual([b[0], b[1]], [a[0], a[1]])
    assert.deepEqual([c[0], c[1]], [a[0], a[1]])
  }
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

test('without the zstd addon a store written with zstd is read through fzstd and new batches are raw', async (t) => {
  const { spawnSync } = await import('node:child_process')
  const { fileURLToPath } = await import('node:url')
  const { ChainStore } = await import('../../src/storage/index.js')
  const { tempDir, writeBlocks, SMALL: shape } = await import('./helpers.js')
  const dir = tempDir(t)
  const store = await ChainStore.open(dir)
  await writeBlocks(store, shape, 0, 5)
  const zstdBatches = store.stats().streams[2]!.storedBytes
  await store.close()
  const storeJs = fileURLToPath(new URL('../../src/storage/index.js', import.meta.url))
  const helpersJs = fileURLToPath(new URL('./helpers.js', import.meta.url))
  const script = `
    const { ChainStore, hasNativeZstd } = await import(${JSON.stringify(storeJs)})
    const { checkBlock, writeBlocks, SMALL } = await import(${JSON.stringify(helpersJs)})
    if (hasNativeZstd) throw new Error('addon still loaded')
    const s = await ChainStore.open(${JSON.stringify(dir)})
    s.read((v) => { for (let n = 0; n <= 5; n++) checkBlock(v, SMALL, n) })
    await writeBlocks(s, SMALL, 6, 7)
    const st = s.stats().streams[2]
    if (st.storedBytes < st.rawBytes) throw new Error('fallback wrote compressed batches')
    await s.close()
  `
  const { writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const file = join(dir, 'fallback-child.mjs')
  writeFileSync(file, script)
  const env: NodeJS.ProcessEnv = { ...process.env, TACHYON_NO_ZSTD_NAPI: '1' }
  delete env.NODE_TEST_CONTEXT
  const r = spawnSync(process.execPath, [file], { env, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.ok(zstdBatches > 0)
  const again = await ChainStore.open(dir)
  again.read((s) => {
    for (let n = 0; n <= 7; n++) assert.ok(s.getBlock(n))
  })
  await again.close()
})
