/**
 * The commit record. Two files, `meta.0` and `meta.1`; block h is recorded in
 * `meta.{h % 2}` after every entry of h is fsynced, then the file is fsynced
 * and then the directory. A torn write leaves the other file (h - 1) intact.
 * Format: one line of JSON, a newline, and the hex SHA-256 of the JSON line.
 */
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { fsyncDir } from './segfile.js'
import { sha256 } from './hash.js'
import type { ShardMeta } from './shard.js'

/** Format version written in every meta record. */
export const META_FORMAT = 1

/** What a commit records. */
export interface MetaRecord {
  format: number
  height: number
  /** Entry-log segment size the store was created with (fixed for its life). */
  segmentBytes: number
  /** Global root, hex without 0x. */
  root: string
  shards: (ShardMeta & { root: string })[]
}

/** Writes the record for `m.height` durably (file fsync, then directory fsync). */
export function writeMeta(dir: string, m: MetaRecord): void {
  const json = JSON.stringify(m)
  const sum = Buffer.from(sha256(Buffer.from(json))).toString('hex')
  const p = path.join(dir, `meta.${m.height % 2}`)
  const fd = fs.openSync(p, 'w', 0o644)
  try {
    fs.writeSync(fd, `${json}\n${sum}\n`)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fsyncDir(dir)
}

/**
 * `writeMeta` off the calling thread: the write and both fsyncs run on the libuv pool, in
 * the same order (file written, file fsynced, then the directory fsynced); resolves when
 * the record is durable. The caller must not start the next record before this resolves.
 */
export async function writeMetaAsync(dir: string, m: MetaRecord): Promise<void> {
  const json = JSON.stringify(m)
  const sum = Buffer.from(sha256(Buffer.from(json))).toString('hex')
  const fh = await fsp.open(path.join(dir, `meta.${m.height % 2}`), 'w', 0o644)
  try {
    await fh.writeFile(`${json}\n${sum}\n`)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await fsyncDirAsync(dir)
}

/** Fsyncs a directory on the libuv pool. */
export async function fsyncDirAsync(dir: string): Promise<void> {
  const dh = await fsp.open(dir, 'r')
  try { await dh.sync() } finally { await dh.close() }
}

/** Reads one meta file; undefined if missing, torn or failing its checksum. */
function readOne(p: string): MetaRecord | undefined {
  let text: string
  try { text = fs.readFileSync(p, 'utf8') } catch { return undefined }
  const lines = text.split('\n')
  if (lines.length < 2) return undefined
  const json = lines[0]!, sum = lines[1]!
  if (Buffer.from(sha256(Buffer.from(json))).toString('hex') !== sum) return undefined
  try {
    const m = JSON.parse(json) as MetaRecord
    return m.format === META_FORMAT ? m : undefined
  } catch { return undefined }
}

/** The valid meta record with the highest height, or undefined. Also says whether any meta file exists. */
export function readMeta(dir: string): { meta: MetaRecord | undefined; anyFile: boolean } {
  const a = readOne(path.join(dir, 'meta.0'))
  const b = readOne(path.join(dir, 'meta.1'))
  const anyFile = fs.existsSync(path.join(dir, 'meta.0')) || fs.existsSync(path.join(dir, 'meta.1'))
  const meta = a && b ? (a.height >= b.height ? a : b) : (a ?? b)
  return { meta, anyFile }
}
