/**
 * Block-start system calls of the sequencer (Prague): genesis holds the
 * EIP-4788 beacon-roots and EIP-2935 history contracts, every block stores
 * its parent's hash in the history contract and its timestamp in the beacon
 * roots contract, also when the parent is still being sealed (the slot waits
 * for the hash) and when blocks are sealed back to back.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Chain } from '../../src/chain/chain.js'
import { encodeTransaction, signTransaction } from '../../src/eth/transaction/index.js'
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import { bytesToBigInt } from '../../src/primitives/bytes.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import { BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE, HISTORY_SERVE_WINDOW, HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE } from '../../src/execution/system.js'

const KEY = keccak256(Uint8Array.of(7))
const ADDR = privateKeyToAddress(KEY)
const PROBE = hexToBytes('0x00000000000000000000000000000000000000b7')
/** Stores in slot 0 what the EIP-2935 contract returns for NUMBER-1 (a STATICCALL with the number as input). */
const PROBE_CODE = hexToBytes('0x4360019003600052602060006020600073' + bytesToHex(HISTORY_STORAGE_ADDRESS).slice(2) + '5afa5060005160005500')
const WINDOW = HISTORY_SERVE_WINDOW

function call(nonce: bigint, to: Uint8Array): Uint8Array {
  return encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce, gasLimit: 100_000n, to, value: 0n, data: new Uint8Array(0), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, KEY))
}

async function openChain(): Promise<Chain> {
  return Chain.open({ chainId: 31337n, genesis: [{ address: ADDR, balance: 10n ** 21n }], autoSeal: false, genesisTimestamp: 1_700_000_000n })
}

test('genesis holds the EIP-4788 and EIP-2935 contracts (mainnet code, nonce 1)', async () => {
  const chain = await openChain()
  try {
    const s = chain.stateAtBlock(0n)!
    for (const [addr, code] of [[HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE], [BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE]] as const) {
      const a = s.account(addr)
      assert.ok(a, bytesToHex(addr))
      assert.equal(a.nonce, 1n)
      assert.equal(a.balance, 0n)
      assert.deepEqual(s.code(a.codeHash), code)
    }
  } finally {
    await chain.close()
  }
})

test('every block stores its parent hash (EIP-2935) and its timestamp (EIP-4788), also when sealed back to back', async () => {
  const chain = await openChain()
  try {
    await chain.mine(2n)
    // back to back: the second seal waits for the first one's hash
    await Promise.all([chain.seal(), chain.seal(), chain.seal()])
    await chain.mine(1n)
    const head = chain.headNumber
    assert.ok(head >= 5n, `head ${head}`)
    for (let n = 1n; n <= head; n++) {
      const s = chain.stateAtBlock(n)!
      assert.equal(s.storage(HISTORY_STORAGE_ADDRESS, (n - 1n) % WINDOW), bytesToBigInt(chain.blockHash(n - 1n)!), `block ${n} stores the hash of ${n - 1n}`)
      assert.equal(s.storage(HISTORY_STORAGE_ADDRESS, n % WINDOW), 0n, `block ${n} does not know its own hash`)
      const ts = chain.getBlock(n)!.header.timestamp
      assert.equal(s.storage(BEACON_ROOTS_ADDRESS, ts % WINDOW), ts, `block ${n} stores its timestamp`)
    }
    // the open block already has the head's hash (the slot is written as soon as it is known)
    assert.equal(chain.latestState().storage(HISTORY_STORAGE_ADDRESS, head % WINDOW), bytesToBigInt(chain.blockHash(head)!))
  } finally {
    await chain.close()
  }
})

test('a transaction reading the history contract while the parent is sealing gets the parent hash', async () => {
  const chain = await openChain()
  try {
    chain.setAccountFields(PROBE, { code: PROBE_CODE })
    await chain.mine(1n)
    for (let i = 0n; i < 3n; i++) {
      const sealing = chain.seal() // the next block opens before this one's hash is known
      const block = chain.openNumber
      const r = chain.submitRaw(call(i, PROBE))
      const rec = await chain.waitForReceipt(r.hash, 5000, new AbortController().signal)
      assert.ok(rec)
      assert.equal(rec.status, 1)
      assert.equal(rec.blockNumber, block)
      await sealing
      assert.equal(chain.latestState().storage(PROBE, 0n), bytesToBigInt(chain.blockHash(block - 1n)!), `in block ${block}`)
    }
  } finally {
    await chain.close()
  }
})
