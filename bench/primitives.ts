/**
 * Primitives benchmark (`npm run bench:primitives`): our keccak256, ecrecover,
 * RLP and hex against their reference peers, measured in the same process and
 * interleaved round by round so machine noise hits both sides alike. Prints a
 * table of median ops/s and ratios (ours / theirs), then one line of JSON
 * `{"bench":"primitives", ...figures, "ratio": <geometric mean>}`.
 *
 * Options (env): BENCH_ROUNDS (default 7), BENCH_MS per sample (default 150).
 * Progress goes to stderr on a TTY only (and never when CI is set).
 */
import { performance } from 'node:perf_hooks'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex as nobleBytesToHex, hexToBytes as nobleHexToBytes } from '@noble/hashes/utils.js'
import { secp256k1 as noble } from '@noble/curves/secp256k1.js'
import { RLP } from '@ethereumjs/rlp'
import { keccak256 } from '../src/crypto/keccak.js'
import { recoverPublicKey, secp256k1Backend, signHash } from '../src/crypto/secp256k1.js'
import { decodeRlp, encodeRlp, type RlpInput } from '../src/primitives/rlp.js'
import { bigIntToBytes } from '../src/primitives/bytes.js'
import { bytesToHex, hexToBytes } from '../src/primitives/hex.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const SAMPLE_MS = Number(process.env.BENCH_MS ?? 150)
const showProgress = process.stderr.isTTY === true && !process.env.CI

/** One comparison: our function and the peer's, each doing one operation per call. */
interface Case {
  key: string
  label: string
  peer: string
  ours: () => number
  theirs: () => number
}

/** Sink for results so the JIT cannot drop the work. */
let sink = 0

/** Run `fn` repeatedly for about `ms` milliseconds; return operations per second. */
function sample(fn: () => number, ms: number): number {
  let batch = 1
  // Calibrate a batch size that takes about 1/20 of the sample so timer reads stay negligible.
  for (;;) {
    const t0 = performance.now()
    for (let i = 0; i < batch; i++) sink ^= fn()
    const dt = performance.now() - t0
    if (dt >= ms / 20 || batch >= 1 << 24) break
    batch *= 2
  }
  let ops = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) sink ^= fn()
    ops += batch
    now = performance.now()
  }
  return (ops * 1000) / (now - start)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

// ---------------------------------------------------------------- inputs

const data32 = Uint8Array.from({ length: 32 }, (_, i) => (i * 31 + 7) & 0xff)
const data1k = Uint8Array.from({ length: 1024 }, (_, i) => (i * 13 + 5) & 0xff)

/** 256 prepared signatures by random keys over random hashes. */
const SIGS = 256
const sigHashes: Uint8Array[] = []
const sigR: bigint[] = []
const sigS: bigint[] = []
const sigV: number[] = []
const sig65: Uint8Array[] = []
for (let i = 0; i < SIGS; i++) {
  const key = noble.utils.randomSecretKey()
  const hash = keccak256(Uint8Array.of(i, i >> 8, 0x42))
  const sig = signHash(hash, key)
  sigHashes.push(hash)
  sigR.push(sig.r)
  sigS.push(sig.s)
  sigV.push(sig.yParity)
  const rec = new Uint8Array(65)
  rec[0] = sig.yParity
  rec.set(bigIntToBytes(sig.r, 32), 1)
  rec.set(bigIntToBytes(sig.s, 32), 33)
  sig65.push(rec)
}

/** A signed legacy (EIP-155) ERC-20 transfer: the usual shape on the wire. */
function legacyTx(): { fields: RlpInput[]; encoded: Uint8Array } {
  const calldata = new Uint8Array(68)
  calldata.set([0xa9, 0x05, 0x9c, 0xbb], 0)
  calldata.fill(0x11, 16, 36)
  calldata[67] = 0x64
  const unsigned: RlpInput[] = [300, 20_000_000_000n, 65_000, new Uint8Array(20).fill(0xab), 1_000_000_000_000n, calldata, 1, 0, 0]
  const sig = signHash(keccak256(encodeRlp(unsigned)), new Uint8Array(32).fill(0x46))
  const fields: RlpInput[] = [...unsigned.slice(0, 6), 37 + sig.yParity, sig.r, sig.s]
  return { fields, encoded: encodeRlp(fields) }
}
const tx = legacyTx()
/** The same fields as byte strings, the form @ethereumjs/rlp and our encoder share. */
const txFieldBytes = (decodeRlp(tx.encoded) as Uint8Array[]).map((b) => b.slice())
const hex32 = bytesToHex(data32)

let k = 0
const next = (): number => (k = (k + 1) & (SIGS - 1))

const cases: Case[] = [
  { key: 'keccak32', label: 'keccak256 32 B', peer: '@noble/hashes keccak_256', ours: () => keccak256(data32)[0]!, theirs: () => keccak_256(data32)[0]! },
  { key: 'keccak1k', label: 'keccak256 1 KiB', peer: '@noble/hashes keccak_256', ours: () => keccak256(data1k)[0]!, theirs: () => keccak_256(data1k)[0]! },
  {
    key: 'ecrecover',
    label: `ecrecover (${secp256k1Backend})`,
    peer: '@noble/curves recoverPublicKey',
    ours: () => {
      const i = next()
      return recoverPublicKey(sigHashes[i]!, sigR[i]!, sigS[i]!, sigV[i]!)![0]!
    },
    theirs: () => {
      const i = next()
      return noble.recoverPublicKey(sig65[i]!, sigHashes[i]!, { prehash: false })[1]!
    },
  },
  { key: 'rlpDecode', label: `RLP decode ${tx.encoded.length} B tx`, peer: '@ethereumjs/rlp decode', ours: () => (decodeRlp(tx.encoded) as Uint8Array[]).length, theirs: () => (RLP.decode(tx.encoded) as Uint8Array[]).length },
  { key: 'rlpEncode', label: `RLP encode ${tx.encoded.length} B tx`, peer: '@ethereumjs/rlp encode', ours: () => encodeRlp(txFieldBytes).length, theirs: () => RLP.encode(txFieldBytes).length },
  { key: 'hexEncode', label: 'bytesToHex 32 B', peer: '@noble/hashes bytesToHex', ours: () => bytesToHex(data32).length, theirs: () => nobleBytesToHex(data32).length },
  { key: 'hexDecode', label: 'hexToBytes 32 B', peer: '@noble/hashes hexToBytes', ours: () => hexToBytes(hex32)[0]!, theirs: () => nobleHexToBytes(hex32.slice(2))[0]! },
]

// ---------------------------------------------------------------- run

// Sanity: each pair computes the same thing before we time it.
if (bytesToHex(keccak256(data1k)) !== '0x' + nobleBytesToHex(keccak_256(data1k))) throw new Error('keccak mismatch')
if (bytesToHex(encodeRlp(txFieldBytes)) !== bytesToHex(RLP.encode(txFieldBytes)) || bytesToHex(RLP.encode(txFieldBytes)) !== bytesToHex(tx.encoded)) throw new Error('RLP mismatch')
{
  const a = recoverPublicKey(sigHashes[0]!, sigR[0]!, sigS[0]!, sigV[0]!)!
  const b = noble.Point.fromBytes(noble.recoverPublicKey(sig65[0]!, sigHashes[0]!, { prehash: false })).toBytes(false).subarray(1)
  if (bytesToHex(a) !== bytesToHex(b)) throw new Error('ecrecover mismatch')
}

const results = new Map<string, { ours: number[]; theirs: number[] }>()
for (const c of cases) results.set(c.key, { ours: [], theirs: [] })

// Warm-up: let both sides reach optimized code.
for (const c of cases) {
  sample(c.ours, 30)
  sample(c.theirs, 30)
}
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    if (showProgress) process.stderr.write(`\r  round ${round + 1}/${ROUNDS}  ${c.label.padEnd(32)}`)
    const r = results.get(c.key)!
    // Alternate which side goes first so neither always runs on a warmer/cooler slot.
    if (round % 2 === 0) {
      r.ours.push(sample(c.ours, SAMPLE_MS))
      r.theirs.push(sample(c.theirs, SAMPLE_MS))
    } else {
      r.theirs.push(sample(c.theirs, SAMPLE_MS))
      r.ours.push(sample(c.ours, SAMPLE_MS))
    }
  }
}
if (showProgress) process.stderr.write('\r' + ' '.repeat(60) + '\r')

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0))
const rows: string[][] = [['operation', 'ours ops/s', 'peer ops/s', 'ratio', 'peer']]
const json: Record<string, number | string> = { bench: 'primitives' }
let logSum = 0
for (const c of cases) {
  const r = results.get(c.key)!
  const ours = median(r.ours)
  const theirs = median(r.theirs)
  const ratio = ours / theirs
  logSum += Math.log(ratio)
  rows.push([c.label, fmt(ours), fmt(theirs), ratio.toFixed(2) + 'x', c.peer])
  json[`${c.key}_ops`] = Math.round(ours)
  json[`${c.key}_peer_ops`] = Math.round(theirs)
  json[`${c.key}_ratio`] = Number(ratio.toFixed(3))
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
for (const [i, row] of rows.entries()) {
  console.log(row.map((cell, j) => (j === 0 || j === 4 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  '))
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}
console.log(`(${ROUNDS} rounds x ${SAMPLE_MS} ms per side, medians; secp256k1 backend: ${secp256k1Backend}; sink ${sink & 1})`)
json.secp256k1Backend = secp256k1Backend
json.ratio = Number(Math.exp(logSum / cases.length).toFixed(3))
console.log(JSON.stringify(json))
