/**
 * Sealing in slices (issue 7: "the mini-block loop must not stall while a
 * block is sealed"): the seal job yields to the event loop between small
 * steps, so mini-blocks keep closing while the previous block is applied to
 * QMDB, its roots computed and its records written; the result is the same
 * (state, transactions and receipts roots) whatever the slice budget; state reads
 * by block tag stay right while a block is half-sealed; restart resumes; a
 * sealed block that dropped its mini-blocks still reports them right.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain } from '../../src/chain/chain.js'
import { encodeTransaction, signTransaction } from '../../src/eth/transaction/index.js'
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import { orderedTrieRoot } from '../../src/eth/trie.js'
import { consensusReceipt } from '../../src/chain/records.js'

const SENDERS = 20
const KEYS = Array.from({ length: SENDERS }, (_, i) => keccak256(Uint8Array.of(7, i)))
const ADDRS = KEYS.map(privateKeyToAddress)
const ETH = 10n ** 18n
const RECIPIENT = hexToBytes('0x00000000000000000000000000000000000000bb')
/** Transactions in the big block: enough that an unsliced seal takes several milliseconds. */
const BIG_BLOCK_TXS = 400

function transfer(key: Uint8Array, nonce: bigint, value = 1n, to = RECIPIENT): Uint8Array {
  return encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce, gasLimit: 21000n, to, value, data: new Uint8Array(0), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, key))
}

/** Signed transfers: BIG_BLOCK_TXS for block 1 (round robin over the senders, each to its own recipient), then one more per sender. */
const BIG = Array.from({ length: BIG_BLOCK_TXS }, (_, i) => transfer(KEYS[i % SENDERS]!, BigInt(Math.floor(i / SENDERS)), 1n, keccak256(Uint8Array.of(1, i >> 8, i & 0xff)).slice(12)))
const NEXT = KEYS.map((k) => transfer(k, BigInt(BIG_BLOCK_TXS / SENDERS), 5n))

/**
 * Cancun: from Prague on, EIP-2935 stores each parent hash in state, and a hash commits to
 * the mini-blocks' µs wall-clock stamps, so state roots of two runs would differ from block 2 on.
 */
async function openChain(dataDir: string, sealSliceMs: number): Promise<Chain> {
  return Chain.open({ chainId: 31337n, genesis: ADDRS.map((address) => ({ address, balance: 1000n * ETH })), autoSeal: false, dataDir, genesisTimestamp: 1_700_000_000n, sealSliceMs, fork: 'Cancun' })
}

async function fillBlock(chain: Chain, raws: Uint8Array[]): Promise<void> {
  const hashes = raws.map((r) => chain.submitRaw(r).hash)
  for (const h of hashes) assert.equal((await chain.waitForReceipt(h, 5000, new AbortController().signal))?.status, 1)
}

test('a sliced seal gives the same roots as an unsliced one, and yields while it runs', async () => {
  const hashes: string[][] = []
  const pauses: number[] = []
  for (const slice of [0, 1e9]) {
    const dir = mkdtempSync(join(tmpdir(), 'tachyon-seal-'))
    const chain = await openChain(dir, slice)
    try {
      chain.setNextBlockTimestamp(1_700_000_010n) // EIP-4788 stores the timestamp: fix it before the first mini-block
      await fillBlock(chain, BIG)
      await chain.mine(1n, 1_700_000_010n)
      pauses.push(chain.lastSeal!.pauses)
      assert.equal(chain.lastSeal!.txs, BIG_BLOCK_TXS)
      chain.setNextBlockTimestamp(1_700_000_011n)
      await fillBlock(chain, NEXT)
      await chain.mine(1n, 1_700_000_011n)
      for (const n of [1n, 2n]) {
        const b = chain.getBlock(n)!
        // independent check of the sliced roots
        assert.equal(bytesToHex(b.header.transactionsRoot), bytesToHex(orderedTrieRoot(b.txs.map((t) => t.raw))))
        assert.equal(bytesToHex(b.header.receiptsRoot), bytesToHex(orderedTrieRoot(b.txs.map(consensusReceipt))))
      }
      // block hashes differ between runs (mini-block timestamps reach extraData); the roots do not
      hashes.push([1n, 2n].flatMap((n) => [chain.getBlock(n)!.header.stateRoot, chain.getBlock(n)!.header.transactionsRoot, chain.getBlock(n)!.header.receiptsRoot].map(bytesToHex)))
    } finally {
      await chain.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  assert.deepEqual(hashes[0], hashes[1])
  assert.ok(pauses[0]! > 10, `a zero budget yields between steps (${pauses[0]} pauses)`)
  assert.equal(pauses[1], 0, 'an unlimited budget never yields')
})

test('mini-blocks close while the previous block is being sealed; block-tag state stays right', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-seal-'))
  try {
    let chain = await openChain(dir, 0)
    const events: string[] = []
    const sealedSeen: (bigint | undefined)[] = []
    chain.on('newHead', (b) => events.push(`head ${b.number}`))
    chain.on('miniBlock', (m) => {
      events.push(`mini ${m.blockNumber}`)
      // while block 1 is sealing, `latest` sealed state is genesis: the recipient has nothing there
      if (m.blockNumber === 2n) sealedSeen.push(chain.stateAtBlock(chain.headNumber)!.account(RECIPIENT)?.balance)
    })
    await fillBlock(chain, BIG)
    events.length = 0
    const sealed = chain.seal(1_700_000_010n)
    // submitted after the seal started: executed on top of block 1's state before block 1 is published
    const recs = await Promise.all(NEXT.map((r) => chain.waitForReceipt(chain.submitRaw(r).hash, 5000, new AbortController().signal)))
    for (const r of recs) {
      assert.equal(r?.status, 1)
      assert.equal(r?.blockNumber, 2n)
    }
    const firstHead = events.indexOf('head 1')
    assert.ok(events.indexOf('mini 2') >= 0 && (firstHead < 0 || events.indexOf('mini 2') < firstHead), `a mini-block of block 2 closed before block 1 was published: ${events.slice(0, 5).join(', ')}`)
    assert.equal(chain.latestState().account(RECIPIENT)?.balance, 5n * BigInt(SENDERS))
    await sealed
    for (const v of sealedSeen) assert.ok(v === undefined, 'sealed-tag state never shows an unpublished block')
    assert.equal(chain.headNumber, 1n)
    assert.equal(chain.stateAtBlock(1n)!.account(RECIPIENT)?.balance, undefined, 'block 1 sent nothing to RECIPIENT')
    assert.equal(chain.stateAtBlock(1n)!.account(ADDRS[0]!)?.nonce, BigInt(BIG_BLOCK_TXS / SENDERS))
    await chain.mine(1n, 1_700_000_011n)
    assert.equal(chain.stateAtBlock(1n)!.account(ADDRS[0]!)?.nonce, BigInt(BIG_BLOCK_TXS / SENDERS), 'history through the undo maps')
    assert.equal(chain.stateAtBlock(2n)!.account(RECIPIENT)?.balance, 5n * BigInt(SENDERS))
    const b2 = bytesToHex(chain.getBlock(2n)!.hash)
    await chain.close()
    chain = await openChain(dir, 0)
    try {
      assert.equal(chain.headNumber, 2n)
      assert.equal(bytesToHex(chain.getBlock(2n)!.hash), b2)
      assert.equal(chain.getBlock(1n)!.txs.length, BIG_BLOCK_TXS)
      assert.equal(chain.latestState().account(RECIPIENT)?.balance, 5n * BigInt(SENDERS))
    } finally {
      await chain.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a sealed block keeps its last mini-block only: counts, extraData, the mini-block chain and its records are unchanged, also past the recent window', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-seal-'))
  // recentBlocks 1: block 1 is also evicted from memory once block 3 is sealed, and read back from the store
  const chain = await Chain.open({ chainId: 31337n, genesis: ADDRS.map((address) => ({ address, balance: 1000n * ETH })), autoSeal: false, dataDir: dir, genesisTimestamp: 1_700_000_000n, fork: 'Cancun', recentBlocks: 1 })
  try {
    const minis: import('../../src/chain/chain.js').MiniBlock[] = []
    chain.on('miniBlock', (m) => void minis.push(m))
    // one transaction per mini-block, as at 1,000 tx/s
    const ones = KEYS.slice(0, 6).map((k) => transfer(k, 0n))
    const hashes = ones.map((raw) => {
      const h = chain.submitRaw(raw).hash
      assert.ok(chain.runMiniBlock(false))
      return h
    })
    assert.equal(minis.length, ones.length)
    await chain.mine(1n)
    const b1 = chain.getBlock(1n)!
    assert.equal(b1.miniBlockCount, BigInt(ones.length))
    assert.equal(b1.miniBlockOffset, 0n)
    assert.equal(bytesToHex(b1.header.extraData), bytesToHex(minis[minis.length - 1]!.hash))
    // the next block's first mini-block chains to block 1's last one
    const next = transfer(KEYS[0]!, 1n)
    chain.submitRaw(next)
    assert.ok(chain.runMiniBlock(false))
    assert.equal(bytesToHex(minis[ones.length]!.header.parentHash), bytesToHex(minis[ones.length - 1]!.hash))
    await chain.mine(1n)
    await chain.mine(1n)
    for (const n of [1n, 2n]) {
      const b = chain.getBlock(n)!
      assert.equal(b.miniBlockCount, n === 1n ? BigInt(ones.length) : 1n)
    }
    hashes.forEach((h, i) => {
      const r = chain.getRecord(h)!
      assert.equal(r.status, 1)
      assert.equal(r.blockNumber, 1n)
      assert.equal(r.miniBlockNumber, BigInt(i))
    })
  } finally {
    await chain.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
