/**
 * Deterministic synthetic chain for the store's tests, crash loop and
 * benchmark. Block `n` is a pure function of (seed, n), so a verifier can
 * regenerate exactly what a writer (possibly a killed child process) wrote.
 * Traffic is modelled on mainnet: ~70% ERC20 transfers (≈110-byte calldata,
 * one Transfer log) and ~30% Uniswap-V2 swaps (≈260-byte calldata, four logs:
 * two Transfers, Sync, Swap), EIP-1559 envelopes with random signatures, RLP
 * receipts with a 256-byte bloom, addresses and tokens drawn from pools.
 */
import { encodeRlp, type RlpInput } from '../../src/primitives/rlp.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import type { BlockInput, LogKey, MiniBlockInput, TxInput } from '../../src/storage/index.js'

/** Small fast PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randBytes(r: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i += 4) {
    const v = (r() * 4294967296) >>> 0
    b[i] = v & 0xff
    if (i + 1 < n) b[i + 1] = (v >>> 8) & 0xff
    if (i + 2 < n) b[i + 2] = (v >>> 16) & 0xff
    if (i + 3 < n) b[i + 3] = v >>> 24
  }
  return b
}

function word(addr: Uint8Array): Uint8Array {
  const w = new Uint8Array(32)
  w.set(addr, 12)
  return w
}

function amount(r: () => number): Uint8Array {
  const w = new Uint8Array(32)
  w.set(randBytes(r, 9), 23)
  return w
}

const poolRng = rng(0x5eed)
/** Token contract addresses (ERC20 traffic concentrates on few tokens). */
export const TOKENS: Uint8Array[] = Array.from({ length: 40 }, () => randBytes(poolRng, 20))
/** Uniswap pair addresses. */
export const PAIRS: Uint8Array[] = Array.from({ length: 20 }, () => randBytes(poolRng, 20))
/** User accounts. */
export const USERS: Uint8Array[] = Array.from({ length: 5000 }, () => randBytes(poolRng, 20))
/** Transfer(address,address,uint256) topic. */
export const TRANSFER_TOPIC: Uint8Array = keccak256(new TextEncoder().encode('Transfer(address,address,uint256)'))
/** Sync(uint112,uint112) topic. */
export const SYNC_TOPIC: Uint8Array = keccak256(new TextEncoder().encode('Sync(uint112,uint112)'))
/** Swap(address,uint256,uint256,uint256,uint256,address) topic. */
export const SWAP_TOPIC: Uint8Array = keccak256(new TextEncoder().encode('Swap(address,uint256,uint256,uint256,uint256,address)'))
const ROUTER = randBytes(poolRng, 20)

interface FullLog {
  key: LogKey
  data: Uint8Array
}

function pick<T>(r: () => number, a: T[]): T {
  return a[Math.floor(r() * a.length)]!
}

function makeTx(r: () => number, nonce: number, to: Uint8Array, data: Uint8Array): Uint8Array {
  const fields: RlpInput = [
    31337,
    nonce,
    1_000_000_000,
    30_000_000_000 + Math.floor(r() * 1e9),
    100_000 + Math.floor(r() * 100_000),
    to,
    0,
    data,
    [],
    Math.floor(r() * 2),
    randBytes(r, 32),
    randBytes(r, 32),
  ]
  const body = encodeRlp(fields)
  const out = new Uint8Array(body.length + 1)
  out[0] = 2
  out.set(body, 1)
  return out
}

function bloomOf(logs: FullLog[]): Uint8Array {
  const bloom = new Uint8Array(256)
  const add = (b: Uint8Array) => {
    const h = keccak256(b)
    for (let i = 0; i < 6; i += 2) {
      const bit = ((h[i]! << 8) | h[i + 1]!) & 2047
      bloom[255 - (bit >>> 3)]! |= 1 << (bit & 7)
    }
  }
  for (const l of logs) {
    add(l.key.address)
    for (const t of l.key.topics) add(t)
  }
  return bloom
}

function makeReceipt(cumGas: number, logs: FullLog[]): Uint8Array {
  const body = encodeRlp([1, cumGas, bloomOf(logs), logs.map((l) => [l.key.address, l.key.topics, l.data])])
  const out = new Uint8Array(body.length + 1)
  out[0] = 2
  out.set(body, 1)
  return out
}

function erc20(r: () => number, nonce: number, cumGas: number): TxInput {
  const token = pick(r, TOKENS)
  const from = pick(r, USERS)
  const to = pick(r, USERS)
  const value = amount(r)
  const data = new Uint8Array(68)
  data.set([0xa9, 0x05, 0x9c, 0xbb])
  data.set(word(to), 4)
  data.set(value, 36)
  const tx = makeTx(r, nonce, token, data)
  const logs: FullLog[] = [{ key: { address: token, topics: [TRANSFER_TOPIC, word(from), word(to)] }, data: value }]
  return { hash: keccak256(tx), tx, receipt: makeReceipt(cumGas, logs), logs: logs.map((l) => l.key) }
}

function swap(r: () => number, nonce: number, cumGas: number): TxInput {
  const pair = pick(r, PAIRS)
  const t0 = pick(r, TOKENS)
  const t1 = pick(r, TOKENS)
  const user = pick(r, USERS)
  const data = new Uint8Array(4 + 32 * 8)
  data.set([0x38, 0xed, 0x17, 0x39])
  data.set(amount(r), 4)
  data.set(amount(r), 36)
  data.set(word(ROUTER), 68)
  data.set(word(user), 100)
  data.set(amount(r), 132)
  data.set(word(t0), 196)
  data.set(word(t1), 228)
  const tx = makeTx(r, nonce, ROUTER, data)
  const inAmt = amount(r)
  const outAmt = amount(r)
  const logs: FullLog[] = [
    { key: { address: t0, topics: [TRANSFER_TOPIC, word(user), word(pair)] }, data: inAmt },
    { key: { address: t1, topics: [TRANSFER_TOPIC, word(pair), word(user)] }, data: outAmt },
    { key: { address: pair, topics: [SYNC_TOPIC] }, data: new Uint8Array([...amount(r), ...amount(r)]) },
    { key: { address: pair, topics: [SWAP_TOPIC, word(ROUTER), word(user)] }, data: new Uint8Array([...inAmt, ...amount(r), ...amount(r), ...outAmt]) },
  ]
  return { hash: keccak256(tx), tx, receipt: makeReceipt(cumGas, logs), logs: logs.map((l) => l.key) }
}

/** Shape of the synthetic chain. */
export interface ChainShape {
  seed: number
  /** Mini-blocks per block (fixed, so mini-block numbers are n × minisPerBlock + i). */
  minisPerBlock: number
  /** Average transactions per mini-block (actual: 0 to 2× this). */
  txsPerMini: number
}

/** Block `n` of the synthetic chain: its header input and mini-blocks. */
export function makeBlock(shape: ChainShape, n: number): { block: BlockInput; minis: MiniBlockInput[] } {
  const r = rng((shape.seed * 1_000_003 + n * 7919) >>> 0)
  const minis: MiniBlockInput[] = []
  let nonce = n * 100_000
  let cumGas = 0
  for (let i = 0; i < shape.minisPerBlock; i++) {
    const count = Math.floor(r() * (2 * shape.txsPerMini + 1))
    const txs: TxInput[] = []
    for (let k = 0; k < count; k++) {
      cumGas += 50_000 + Math.floor(r() * 100_000)
      txs.push(r() < 0.7 ? erc20(r, nonce++, cumGas) : swap(r, nonce++, cumGas))
    }
    const header = encodeRlp([n * shape.minisPerBlock + i, n, i, randBytes(r, 32), n * 1_000_000 + i * 10_000, cumGas, randBytes(r, 65)])
    minis.push({ number: n * shape.minisPerBlock + i, index: i, hash: keccak256(header), header, txs })
  }
  const header = encodeRlp([
    randBytes(r, 32),
    randBytes(r, 32),
    randBytes(r, 20),
    randBytes(r, 32),
    randBytes(r, 32),
    randBytes(r, 32),
    new Uint8Array(256),
    0,
    n,
    30_000_000,
    cumGas,
    1_700_000_000 + n,
    new Uint8Array(0),
    randBytes(r, 32),
    new Uint8Array(8),
    1_000_000_000,
  ])
  return { block: { number: n, hash: keccak256(header), header }, minis }
}

/** Logical bytes of a block: everything the caller hands the store (records and index keys). */
export function logicalBytes(b: { block: BlockInput; minis: MiniBlockInput[] }): number {
  let n = b.block.header.length + 32
  for (const m of b.minis) {
    n += m.header.length + 32
    for (const t of m.txs) {
      n += 32 + t.tx.length + t.receipt.length
      for (const l of t.logs) n += 20 + 32 * l.topics.length
    }
  }
  return n
}

/** Number of records (block, mini-blocks, txs, receipts) of a block. */
export function recordCount(b: { minis: MiniBlockInput[] }): number {
  let n = 1
  for (const m of b.minis) n += 1 + 2 * m.txs.length
  return n
}
