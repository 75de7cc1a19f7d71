/**
 * Index checkpoint file (`index.ckpt`): the in-memory indices as of one
 * durable commit, so `open` restores them and replays only the batches
 * written after that commit instead of the whole history.
 *
 * Layout (little-endian): `u32 magic "TCKP"` ‖ `u32 version` ‖ `u32
 * sectionCount` ‖ `u32 0` ‖ the 64-byte commit record the checkpoint
 * belongs to ‖ sections ‖ `u32 crc32(everything before)` ‖ `u32 magic
 * "TCKE"`. A section is `u32 kind (1 f64, 2 u32, 3 bytes)` ‖ `u32 0` ‖ `u64
 * element count` ‖ the elements, padded to 8 bytes. What each section means
 * is the store's business (a fixed order, see `store.ts`).
 *
 * It is written to `index.ckpt.tmp`, fdatasync'ed, renamed over
 * `index.ckpt` and the directory fsync'ed, so a crash leaves either the old
 * file or the new one. A file that is short, fails its checksum or does not
 * match the commit log is ignored: the index is then rebuilt from the log.
 */
import * as fs from 'node:fs'
import { join } from 'node:path'
import { crc32 } from './crc.js'
import { COMMIT_RECORD_SIZE, readU32, writeU32, writeU64, readU64 } from './format.js'

/** File name of the checkpoint in the store directory. */
export const CHECKPOINT_FILE = 'index.ckpt'
const TMP_FILE = 'index.ckpt.tmp'
const MAGIC = 0x504b4354 // "TCKP"
const END_MAGIC = 0x454b4354 // "TCKE"
const VERSION = 1
const HEADER = 16
const SECTION_HEADER = 16

/** One array of a checkpoint. */
export type Section = Float64Array | Uint32Array | Uint8Array

function kindOf(s: Section): number {
  return s instanceof Float64Array ? 1 : s instanceof Uint32Array ? 2 : 3
}

function pad8(n: number): number {
  return (8 - (n % 8)) % 8
}

/** The buffers making up a checkpoint of `sections` for commit `record` (the sections are not copied). */
export function encodeCheckpoint(record: Uint8Array, sections: Section[]): Uint8Array[] {
  const out: Uint8Array[] = []
  const head = new Uint8Array(HEADER + COMMIT_RECORD_SIZE)
  writeU32(head, 0, MAGIC)
  writeU32(head, 4, VERSION)
  writeU32(head, 8, sections.length)
  head.set(record, HEADER)
  out.push(head)
  let crc = crc32(head)
  const zeros = new Uint8Array(8)
  for (const s of sections) {
    const sh = new Uint8Array(SECTION_HEADER)
    writeU32(sh, 0, kindOf(s))
    writeU64(sh, 8, s.length)
    const bytes = new Uint8Array(s.buffer, s.byteOffset, s.byteLength)
    out.push(sh, bytes)
    crc = crc32(bytes, crc32(sh, crc))
    const p = pad8(bytes.length)
    if (p > 0) {
      out.push(zeros.subarray(0, p))
      crc = crc32(zeros.subarray(0, p), crc)
    }
  }
  const tail = new Uint8Array(8)
  writeU32(tail, 0, crc)
  writeU32(tail, 4, END_MAGIC)
  out.push(tail)
  return out
}

/** Parse a checkpoint file's bytes; a reason string when it is not a whole, valid checkpoint. */
export function decodeCheckpoint(b: Uint8Array): { record: Uint8Array; sections: Section[] } | string {
  if (b.length < HEADER + COMMIT_RECORD_SIZE + 8) return 'file too short'
  if (readU32(b, 0) !== MAGIC) return 'bad magic'
  if (readU32(b, 4) !== VERSION) return `unsupported version ${readU32(b, 4)}`
  if (readU32(b, b.length - 4) !== END_MAGIC) return 'no end marker (torn write)'
  if (readU32(b, b.length - 8) !== crc32(b.subarray(0, b.length - 8))) return 'checksum mismatch'
  const count = readU32(b, 8)
  // Plain Uint8Array copies (a Buffer's slice() would be a view, and its species a Buffer).
  const record = new Uint8Array(b.subarray(HEADER, HEADER + COMMIT_RECORD_SIZE))
  const sections: Section[] = []
  let o = HEADER + COMMIT_RECORD_SIZE
  for (let i = 0; i < count; i++) {
    if (o + SECTION_HEADER > b.length - 8) return 'sections run past the end'
    const kind = readU32(b, o)
    const n = readU64(b, o + 8)
    const width = kind === 1 ? 8 : kind === 2 ? 4 : kind === 3 ? 1 : 0
    if (width === 0) return `unknown section kind ${kind}`
    o += SECTION_HEADER
    const len = n * width
    if (o + len > b.length - 8) return 'sections run past the end'
    // Copy into a fresh (aligned) buffer.
    const bytes = new Uint8Array(b.subarray(o, o + len))
    sections.push(kind === 1 ? new Float64Array(bytes.buffer, 0, n) : kind === 2 ? new Uint32Array(bytes.buffer, 0, n) : bytes)
    o += len + pad8(len)
  }
  if (o !== b.length - 8) return 'trailing bytes after the sections'
  return { record, sections }
}

/** Read and parse `dir/index.ckpt`; undefined when there is none, a reason string when it is unusable. */
export function readCheckpoint(dir: string): { record: Uint8Array; sections: Section[] } | string | undefined {
  let b: Buffer
  try {
    b = fs.readFileSync(join(dir, CHECKPOINT_FILE))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return `unreadable: ${(e as Error).message}`
  }
  return decodeCheckpoint(b)
}

function callback<T>(f: (cb: (err: NodeJS.ErrnoException | null, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v as T))))
}

/** Write a checkpoint crash-safely (tmp file, fdatasync, rename, directory fsync), off the caller's thread. */
export async function writeCheckpoint(dir: string, buffers: Uint8Array[]): Promise<number> {
  const tmp = join(dir, TMP_FILE)
  const fd = await callback<number>((cb) => fs.open(tmp, 'w', 0o644, cb))
  let bytes = 0
  try {
    for (let i = 0; i < buffers.length; ) {
      const group = buffers.slice(i, i + 512)
      const want = group.reduce((a, g) => a + g.length, 0)
      let written = await callback<number>((cb) => fs.writev(fd, group, bytes, cb))
      // A short write: finish the group buffer by buffer.
      if (written < want) {
        let skip = written
        for (const g of group) {
          if (skip >= g.length) {
            skip -= g.length
            continue
          }
          let o = skip
          skip = 0
          while (o < g.length) {
            const n = await callback<number>((cb) => fs.write(fd, g, o, g.length - o, bytes + written, cb))
            o += n
            written += n
          }
        }
      }
      bytes += written
      i += group.length
    }
    await callback<void>((cb) => fs.fdatasync(fd, cb))
  } finally {
    await callback<void>((cb) => fs.close(fd, cb))
  }
  await callback<void>((cb) => fs.rename(tmp, join(dir, CHECKPOINT_FILE), cb))
  const dfd = await callback<number>((cb) => fs.open(dir, 'r', cb))
  try {
    await callback<void>((cb) => fs.fsync(dfd, cb))
  } finally {
    await callback<void>((cb) => fs.close(dfd, cb))
  }
  return bytes
}
