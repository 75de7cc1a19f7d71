/**
 * The sequencer over in-memory and on-disk (QMDB + chain store) state: the
 * elastic mini-block loop (a lone transaction closes its own mini-block, a
 * burst is batched, nothing pending means no mini-block), signed mini-block
 * headers chained by parent hash, sealing (standard roots, stateRoot from the
 * state store, extraData = last mini-block hash, base-fee progression),
 * block-tag state (newest mini-block vs sealed blocks), logs, dev-mode
 * snapshot/revert, and restart from disk.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain, DEFAULT_SEQUENCER_KEY } from '../../src/chain/chain.js'
import { miniBlockHash, miniBlockSigner, encodeSignedMiniBlock, decodeSignedMiniBlock } from '../../src/chain/miniblock.js'
import { consensusReceipt } from '../../src/chain/records.js'
import { encodeTransaction, signTransaction } from '../../src/eth/transaction/index.js'
import { orderedTrieRoot } from '../../src/eth/trie.js'
import { headerHash } from '../../src/chain/header.js'
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import { equalBytes } from '../../src/primitives/bytes.js'

const KEYS = [1, 2, 3].map((i) => keccak256(Uint8Array.of(i)))
const ADDRS = KEYS.map(privateKeyToAddress)
const ETH = 10n ** 18n
const RECIPIENT = hexToBytes('0x00000000000000000000000000000000000000aa')
// runtime code: LOG1(topic = calldata word 0) then return; init code deploys it
// runtime: PUSH1 0 CALLDATALOAD PUSH1 0 PUSH1 0 LOG1 STOP  => 60003560006000a100
const RUNTIME = hexToBytes('0x60003560006000a100')
const INIT = hexToBytes('0x6009600c60003960096000f3' + '60003560006000a100')

function transfer(key: Uint8Array, nonce: bigint, value = 1n, to = RECIPIENT): Uint8Array {
  return encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce, gasLimit: 21000n, to, value, data: new Uint8Array(0), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, key))
}

/** Bound on event-loop scheduling delays on a loaded 2-core CI box (far below the 1 s block time). */
const SCHEDULING_SLACK_MS = 500

async function openChain(dataDir?: string): Promise<Chain> {
  return Chain.open({ chainId: 31337n, genesis: ADDRS.map((address) => ({ address, balance: 1000n * ETH })), autoSeal: false, ...(dataDir ? { dataDir } : {}), genesisTimestamp: 1_700_000_000n })
}

test('a lone transaction gets its own signed mini-block before the caller resumes', async () => {
  const chain = await openChain()
  try {
    const seen: bigint[] = []
    chain.on('miniBlock', (m) => seen.push(m.number))
    assert.equal(chain.miniBlockHead, -1n)
    const r = chain.submitRaw(transfer(KEYS[0]!, 0n))
    assert.equal(r.status, 'pending')
    const t0 = performance.now()
    const rec = await chain.waitForReceipt(r.hash, 1000, new AbortController().signal)
    const ms = performance.now() - t0
    assert.ok(rec, 'receipt')
    assert.equal(rec.status, 1)
    assert.equal(rec.gasUsed, 21000n)
    assert.equal(rec.blockNumber, 1n, 'lands in the open block 1')
    assert.equal(rec.blockHash, undefined, 'not sealed yet')
    // Latency goals are measured by bench:node; here only a bound a loaded CI box always meets.
    assert.ok(ms < SCHEDULING_SLACK_MS, `receipt after ${ms} ms`)
    assert.deepEqual(seen, [0n])
    // nothing pending: no more mini-blocks
    await new Promise((r) => setTimeout(r, 30))
    assert.deepEqual(seen, [0n])
    assert.equal(chain.latestState().account(RECIPIENT)?.balance, 1n)
    assert.equal(chain.stateAtBlock(0n)!.account(RECIPIENT), undefined, 'sealed state does not see it yet')
  } finally {
    await chain.close()
  }
})

test('a burst is batched; mini-blocks chain by parent hash and carry the sequencer signature', async () => {
  const chain = await openChain()
  try {
    const minis: import('../../src/chain/chain.js').MiniBlock[] = []
    chain.on('miniBlock', (m) => minis.push(m))
    const hashes = []
    for (let i = 0n; i < 30n; i++) for (const k of KEYS) hashes.push(chain.submitRaw(transfer(k, i)).hash)
    const recs = await Promise.all(hashes.map((h) => chain.waitForReceipt(h, 2000, new AbortController().signal)))
    assert.ok(recs.every((r) => r?.status === 1))
    assert.ok(minis.length >= 1 && minis.length < 10, `${minis.length} mini-blocks for 90 txs`)
    assert.equal(minis.reduce((n, m) => n + m.txs.length, 0), 90)
    const seqAddr = privateKeyToAddress(DEFAULT_SEQUENCER_KEY)
    for (let i = 0; i < minis.length; i++) {
      const m = minis[i]!
      assert.equal(m.index, i)
      assert.equal(m.number, BigInt(i))
      assert.ok(equalBytes(miniBlockHash(m.header), m.hash))
      assert.ok(equalBytes(miniBlockSigner(m.header)!, seqAddr))
      const back = decodeSignedMiniBlock(encodeSignedMiniBlock(m.header))
      assert.ok(equalBytes(miniBlockHash(back), m.hash))
      if (i > 0) assert.ok(equalBytes(m.header.parentHash, minis[i - 1]!.hash))
      if (i > 0) assert.ok(m.timestampUs >= minis[i - 1]!.timestampUs)
    }
    // block-relative indexes and cumulative gas
    const all = minis.flatMap((m) => m.txs)
    all.forEach((t, i) => {
      assert.equal(t.txIndex, i)
      assert.equal(t.cumulativeGasUsed, 21000n * BigInt(i + 1))
    })
    let head: import('../../src/chain/chain.js').ChainBlockData | undefined
    chain.on('newHead', (b) => (head = b))
    await chain.mine(1n)
    assert.ok(head)
    assert.equal(head.number, 1n)
    assert.equal(head.txs.length, 90)
    assert.equal(head.miniBlockCount, BigInt(minis.length))
    assert.equal(head.miniBlockOffset, 0n)
    assert.equal(head.header.gasUsed, 90n * 21000n)
    assert.ok(equalBytes(head.header.transactionsRoot, orderedTrieRoot(all.map((t) => t.raw))))
    assert.ok(equalBytes(head.header.receiptsRoot, orderedTrieRoot(all.map(consensusReceipt))))
    assert.ok(equalBytes(head.header.extraData, minis[minis.length - 1]!.hash))
    assert.ok(equalBytes(head.hash, headerHash(head.header)))
    assert.ok(equalBytes(head.header.parentHash, chain.blockHash(0n)!))
    assert.ok(all.every((t) => t.blockHash !== undefined && equalBytes(t.blockHash, head!.hash)))
    assert.equal(chain.stateAtBlock(1n)!.account(RECIPIENT)?.balance, 90n)
    assert.equal(chain.stateAtBlock(0n)!.account(RECIPIENT), undefined)
    // base fee of block 2 follows EIP-1559 from block 1 (far below target: falls)
    assert.ok(chain.openBaseFee < head.header.baseFeePerGas!)
  } finally {
    await chain.close()
  }
})

test('logs of contracts are queryable by address and topic, with block-wide log indexes', async () => {
  const chain = await openChain()
  try {
    const deploy = encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce: 0n, gasLimit: 200000n, to: null, value: 0n, data: INIT, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, KEYS[0]!))
    const d = await chain.waitForReceipt(chain.submitRaw(deploy).hash, 1000, new AbortController().signal)
    assert.ok(d?.contractAddress)
    const addr = d.contractAddress
    const code = chain.latestState().code(chain.latestState().account(addr)!.codeHash)
    assert.equal(bytesToHex(code), bytesToHex(RUNTIME))
    const topic = (i: number): Uint8Array => keccak256(Uint8Array.of(i))
    const calls = [1, 2, 1].map((t, i) => encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce: BigInt(i), gasLimit: 100000n, to: addr, value: 0n, data: topic(t), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, KEYS[1]!)))
    for (const c of calls) await chain.waitForReceipt(chain.submitRaw(c).hash, 1000, new AbortController().signal)
    // open block: visible already
    const pending = chain.getLogs({ fromBlock: 1n, toBlock: 1n, addresses: [addr], topics: [[topic(1)]] })
    assert.equal(pending.length, 2)
    await chain.mine(1n)
    const logs = chain.getLogs({ fromBlock: 0n, toBlock: 5n, addresses: [addr], topics: [] })
    assert.deepEqual(logs.map((l) => l.logIndex), [0, 1, 2])
    assert.deepEqual(logs.map((l) => l.transactionIndex), [1, 2, 3])
    assert.ok(logs.every((l) => equalBytes(l.blockHash, chain.blockHash(1n)!)))
    assert.equal(chain.getLogs({ fromBlock: 0n, toBlock: 5n, addresses: [], topics: [[topic(2)]] }).length, 1)
  } finally {
    await chain.close()
  }
})

test('dev mode: set balance, snapshot and revert restore the newest state', async () => {
  const chain = await openChain()
  try {
    const id = await chain.snapshot()
    await chain.waitForReceipt(chain.submitRaw(transfer(KEYS[0]!, 0n, 5n)).hash, 1000, new AbortController().signal)
    chain.setAccountFields(RECIPIENT, { balance: 777n })
    chain.setStorageAt(RECIPIENT, 3n, 9n)
    assert.equal(chain.latestState().account(RECIPIENT)?.balance, 777n)
    assert.equal(chain.latestState().storage(RECIPIENT, 3n), 9n)
    assert.equal(await chain.revert(id), true)
    assert.equal(chain.latestState().account(RECIPIENT), undefined)
    assert.equal(chain.latestState().storage(RECIPIENT, 3n), 0n)
    assert.equal(chain.latestState().account(ADDRS[0]!)?.nonce, 0n)
    assert.equal(chain.latestState().account(ADDRS[0]!)?.balance, 1000n * ETH)
    assert.equal(await chain.revert(id), false)
    // the same transaction can be sent again
    const again = await chain.waitForReceipt(chain.submitRaw(transfer(KEYS[0]!, 0n, 6n)).hash, 1000, new AbortController().signal)
    assert.equal(again?.status, 1)
    await chain.mine(1n)
    assert.equal(chain.stateAtBlock(chain.headNumber)!.account(RECIPIENT)?.balance, 6n)
  } finally {
    await chain.close()
  }
})

test('on disk: QMDB state root in the header, and restart resumes chain, state and the mini-block chain', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-chain-'))
  try {
    let chain = await openChain(dir)
    const rootGenesis = chain.getBlock(0n)!.header.stateRoot
    for (let i = 0n; i < 5n; i++) await chain.waitForReceipt(chain.submitRaw(transfer(KEYS[0]!, i, 10n)).hash, 1000, new AbortController().signal)
    await chain.mine(1n)
    const b1 = chain.getBlock(1n)!
    assert.ok(!equalBytes(b1.header.stateRoot, rootGenesis))
    const h = await chain.waitForReceipt(chain.submitRaw(transfer(KEYS[1]!, 0n, 3n)).hash, 1000, new AbortController().signal)
    const lastMini = chain.miniBlockHead
    await chain.close() // seals block 2 with the pending transaction
    chain = await openChain(dir)
    try {
      assert.equal(chain.headNumber, 2n)
      assert.equal(chain.latestState().account(RECIPIENT)?.balance, 53n)
      assert.equal(chain.stateAtBlock(2n)!.account(RECIPIENT)?.balance, 53n)
      const rec = chain.getRecord(h!.hash)!
      assert.equal(rec.blockNumber, 2n)
      assert.ok(equalBytes(rec.blockHash!, chain.blockHash(2n)!))
      const b1again = chain.getBlock(1n)!
      assert.ok(equalBytes(b1again.hash, b1.hash))
      assert.equal(b1again.txs.length, 5)
      assert.equal(b1again.miniBlockCount, b1.miniBlockCount)
      assert.equal(chain.getLogs({ fromBlock: 0n, toBlock: 2n, addresses: [], topics: [] }).length, 0)
      // the mini-block chain continues
      const r = chain.submitRaw(transfer(KEYS[2]!, 0n))
      let mini: import('../../src/chain/chain.js').MiniBlock | undefined
      chain.on('miniBlock', (m) => (mini = m))
      await chain.waitForReceipt(r.hash, 1000, new AbortController().signal)
      assert.equal(mini!.number, lastMini + 1n)
      assert.ok(equalBytes(mini!.header.parentHash, chain.getBlock(2n)!.header.extraData))
      await chain.mine(1n)
      assert.equal(chain.getBlock(3n)!.miniBlockOffset, lastMini + 1n)
    } finally {
      await chain.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('two runs of the same transactions give the same state root while the inputs are the same', async () => {
  const roots: string[][] = []
  for (let run = 0; run < 2; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'tachyon-det-'))
    const chain = await openChain(dir)
    try {
      const out: string[] = []
      for (let b = 0n; b < 3n; b++) {
        // the EIP-4788 call stores the block timestamp in state: fix it
        chain.setNextBlockTimestamp(1_700_000_100n + b)
        for (const k of KEYS) await chain.waitForReceipt(chain.submitRaw(transfer(k, b, 1n + b)).hash, 1000, new AbortController().signal)
        await chain.mine(1n)
        out.push(bytesToHex(chain.getBlock(chain.headNumber)!.header.stateRoot))
      }
      roots.push(out)
    } finally {
      await chain.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  // Block 1 has the same inputs in both runs (genesis and timestamps fixed).
  // From block 2 on, the EIP-2935 slot holds the parent's hash, which commits
  // to the mini-blocks' µs wall-clock timestamps (extraData): roots differ by design.
  assert.equal(roots[0]![0], roots[1]![0])
  assert.notEqual(roots[0]![1], roots[1]![1], 'block 2 stores a run-specific parent hash (EIP-2935)')
})

test('timer sealing: blocks come every blockTimeMs and the loop keeps running', async () => {
  const chain = await Chain.open({ chainId: 31337n, genesis: ADDRS.map((address) => ({ address, balance: 1000n * ETH })), blockTimeMs: 100 })
  try {
    const heads: bigint[] = []
    chain.on('newHead', (b) => heads.push(b.number))
    for (let i = 0n; i < 10n; i++) {
      const rec = await chain.waitForReceipt(chain.submitRaw(transfer(KEYS[0]!, i)).hash, 1000, new AbortController().signal)
      assert.equal(rec?.status, 1)
      await new Promise((r) => setTimeout(r, 30))
    }
    assert.ok(heads.length >= 2, `${heads.length} blocks`)
    assert.deepEqual(heads, heads.map((_, i) => heads[0]! + BigInt(i)))
  } finally {
    await chain.close()
  }
})
