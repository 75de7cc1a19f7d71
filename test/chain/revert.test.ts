/**
 * evm_snapshot / evm_revert roll the chain back as anvil does: block
 * numbers, blocks, transactions and state return to the snapshot, on disk
 * too (a reverted block never reappears after a restart, QMDB resumes with a
 * rewind marker), and the chain continues from there, also across restarts.
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
import { hexToBytes } from '../../src/primitives/hex.js'

const KEY = keccak256(Uint8Array.of(11))
const ADDR = privateKeyToAddress(KEY)
const ETH = 10n ** 18n
const TO = hexToBytes('0x00000000000000000000000000000000000000d7')
const signal = new AbortController().signal

function transfer(nonce: bigint, value: bigint): Uint8Array {
  return encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce, gasLimit: 21000n, to: TO, value, data: new Uint8Array(0), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, KEY))
}

function open(dataDir?: string): Promise<Chain> {
  return Chain.open({ chainId: 31337n, genesis: [{ address: ADDR, balance: 1000n * ETH }], autoSeal: false, genesisTimestamp: 1_700_000_000n, ...(dataDir ? { dataDir } : {}) })
}

async function send(chain: Chain, nonce: bigint, value: bigint): Promise<Uint8Array> {
  const r = chain.submitRaw(transfer(nonce, value))
  assert.ok(await chain.waitForReceipt(r.hash, 5000, signal))
  return r.hash
}

for (const disk of [false, true]) {
  test(`${disk ? 'on disk' : 'in memory'}: revert removes later blocks, transactions and state; the chain continues${disk ? ' and restarts without them' : ''}`, async () => {
    const dir = disk ? mkdtempSync(join(tmpdir(), 'tachyon-revert-')) : undefined
    let chain = await open(dir)
    try {
      await send(chain, 0n, 1n)
      chain.setStorageAt(TO, 1n, 5n)
      const id = await chain.snapshot() // seals the open block (it holds a transaction)
      const base = chain.headNumber
      assert.equal(base, 1n)
      const baseHash = chain.blockHash(base)!
      const later = await send(chain, 1n, 10n)
      chain.setStorageAt(TO, 1n, 6n)
      chain.setStorageAt(TO, 2n, 7n)
      await chain.mine(3n)
      const removedHash = chain.blockHash(base + 1n)!
      assert.equal(chain.headNumber, base + 3n)
      const pendingTx = await send(chain, 2n, 100n) // executed in the open block, never sealed
      assert.equal(chain.latestState().account(TO)?.balance, 111n)

      assert.equal(await chain.revert(id), true)
      assert.equal(chain.headNumber, base)
      assert.equal(chain.openNumber, base + 1n)
      assert.equal(chain.getBlock(base + 1n), undefined)
      assert.equal(chain.blockNumberOf(removedHash), undefined)
      assert.equal(chain.getRecord(later), undefined)
      assert.equal(chain.getRecord(pendingTx), undefined)
      for (const s of [chain.latestState(), chain.stateAtBlock(base)!]) {
        assert.equal(s.account(TO)?.balance, 1n)
        assert.equal(s.storage(TO, 1n), 5n)
        assert.equal(s.storage(TO, 2n), 0n)
        assert.equal(s.account(ADDR)?.nonce, 1n)
      }
      assert.equal(await chain.revert(id), false, 'a snapshot is used once')

      // the chain continues from the snapshot: nonce 1 again, new blocks base+1…
      const again = await send(chain, 1n, 20n)
      await chain.mine(1n)
      assert.equal(chain.headNumber, base + 1n)
      assert.notDeepEqual(chain.blockHash(base + 1n), removedHash)
      assert.equal(chain.getRecord(again)?.blockNumber, base + 1n)
      assert.equal(chain.stateAtBlock(base)!.account(TO)?.balance, 1n)
      assert.equal(chain.stateAtBlock(base + 1n)!.account(TO)?.balance, 21n)
      assert.equal(chain.stateAtBlock(base + 1n)!.storage(TO, 1n), 5n)
      if (!disk) return
      // revert with nothing sealed since the snapshot, then restart right after it
      const id2 = await chain.snapshot()
      await send(chain, 2n, 300n)
      await chain.mine(1n)
      assert.equal(await chain.revert(id2), true)
      assert.equal(chain.headNumber, base + 1n)
      await chain.close()
      chain = await open(dir)
      assert.equal(chain.headNumber, base + 1n, 'the reverted block is gone after a restart')
      assert.deepEqual(chain.blockHash(base), baseHash)
      assert.equal(chain.getRecord(later), undefined)
      assert.equal(chain.getRecord(again)?.blockNumber, base + 1n)
      assert.equal(chain.latestState().account(TO)?.balance, 21n)
      assert.equal(chain.stateAtBlock(base)!.account(TO)?.balance, 1n)
      await send(chain, 2n, 1000n)
      await chain.mine(1n)
      await chain.close()
      chain = await open(dir)
      assert.equal(chain.headNumber, base + 2n)
      assert.equal(chain.stateAtBlock(base + 2n)!.account(TO)?.balance, 1021n)
      assert.equal(chain.stateAtBlock(base + 1n)!.account(TO)?.balance, 21n)
    } finally {
      await chain.close()
      if (dir) rmSync(dir, { recursive: true, force: true })
    }
  })
}
