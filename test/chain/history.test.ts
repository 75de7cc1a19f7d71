/**
 * Historical state of the sequencer: the state of every sealed block (older
 * than any in-memory window, and after restarts) from the state history over
 * QMDB; keys created after a block read as absent at it; a torn history tail
 * is cut off on open; a history lost (or from before it existed) restarts at
 * the head, older blocks answering StateUnavailableError.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chain } from '../../src/chain/chain.js'
import { StateUnavailableError } from '../../src/chain/errors.js'
import { encodeTransaction, signTransaction } from '../../src/eth/transaction/index.js'
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import { hexToBytes } from '../../src/primitives/hex.js'

const KEY = keccak256(Uint8Array.of(9))
const ADDR = privateKeyToAddress(KEY)
const ETH = 10n ** 18n
const TO = hexToBytes('0x00000000000000000000000000000000000000c1')
const STORE = hexToBytes('0x00000000000000000000000000000000000000c2')

function transfer(nonce: bigint, value: bigint): Uint8Array {
  return encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce, gasLimit: 21000n, to: TO, value, data: new Uint8Array(0), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, KEY))
}

function open(dataDir: string): Promise<Chain> {
  return Chain.open({ chainId: 31337n, genesis: [{ address: ADDR, balance: 1000n * ETH }], autoSeal: false, dataDir, genesisTimestamp: 1_700_000_000n })
}

interface Seen {
  balance: bigint | undefined
  nonce: bigint | undefined
  slot1: bigint
  slot2: bigint
  sender: bigint | undefined
}

function read(chain: Chain, n: bigint): Seen {
  const s = chain.stateAtBlock(n)!
  return { balance: s.account(TO)?.balance, nonce: s.account(ADDR)?.nonce, slot1: s.storage(STORE, 1n), slot2: s.storage(STORE, 2n), sender: s.account(ADDR)?.balance }
}

test('the state of every sealed block on disk, across restarts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-hist-'))
  try {
    const expected = new Map<bigint, Seen>()
    let chain = await open(dir)
    try {
      expected.set(0n, read(chain, 0n))
      assert.equal(expected.get(0n)!.balance, undefined, 'TO does not exist at genesis')
      for (let i = 0n; i < 6n; i++) {
        const r = chain.submitRaw(transfer(i, 1000n + i))
        assert.ok(await chain.waitForReceipt(r.hash, 5000, new AbortController().signal))
        chain.setStorageAt(STORE, 1n, i % 3n) // 0 deletes the slot
        if (i === 2n) chain.setStorageAt(STORE, 2n, 77n)
        await chain.mine(1n)
        const n = chain.headNumber
        expected.set(n, read(chain, n))
      }
      await chain.mine(10n)
      for (const [n, want] of expected) assert.deepEqual(read(chain, n), want, `block ${n}`)
    } finally {
      await chain.close()
    }
    for (let run = 0; run < 2; run++) {
      chain = await open(dir)
      try {
        for (const [n, want] of expected) assert.deepEqual(read(chain, n), want, `block ${n} after restart ${run}`)
        assert.equal(chain.oldestStateBlock(), 0n)
        // eth_call-like reads at a historical block also work for keys created later
        assert.equal(chain.stateAtBlock(0n)!.account(STORE), undefined)
        assert.equal(chain.stateAtBlock(chain.headNumber)!.storage(STORE, 2n), 77n)
      } finally {
        await chain.close()
      }
      // a torn append at the tail is cut off on the next open
      appendFileSync(join(dir, 'history.log'), Buffer.from('THST\x10\x00\x00\x00garbage'))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('in memory: the state of blocks far older than 256 blocks', async () => {
  const chain = await Chain.open({ chainId: 31337n, genesis: [{ address: ADDR, balance: 1000n * ETH }], autoSeal: false, genesisTimestamp: 1_700_000_000n })
  try {
    chain.setStorageAt(STORE, 1n, 5n)
    await chain.mine(1n)
    chain.setStorageAt(STORE, 1n, 6n)
    await chain.mine(300n)
    assert.equal(chain.stateAtBlock(0n)!.storage(STORE, 1n), 0n)
    assert.equal(chain.stateAtBlock(1n)!.storage(STORE, 1n), 5n)
    assert.equal(chain.stateAtBlock(2n)!.storage(STORE, 1n), 6n)
    assert.equal(chain.stateAtBlock(0n)!.account(STORE), undefined)
  } finally {
    await chain.close()
  }
})

test('a lost history restarts at the head; older blocks answer StateUnavailableError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-hist-'))
  try {
    let chain = await open(dir)
    await chain.mine(3n)
    await chain.close()
    unlinkSync(join(dir, 'history.log'))
    chain = await open(dir)
    try {
      const head = chain.headNumber
      assert.equal(chain.oldestStateBlock(), head)
      assert.throws(() => chain.stateAtBlock(head - 1n), StateUnavailableError)
      assert.equal(chain.stateAtBlock(head)!.account(ADDR)?.balance, 1000n * ETH)
      const r = chain.submitRaw(transfer(0n, 5n))
      assert.ok(await chain.waitForReceipt(r.hash, 5000, new AbortController().signal))
      await chain.mine(2n)
      assert.equal(chain.stateAtBlock(head)!.account(TO), undefined, 'the head before the transfer is readable again')
      assert.equal(chain.stateAtBlock(head + 1n)!.account(TO)?.balance, 5n)
    } finally {
      await chain.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
