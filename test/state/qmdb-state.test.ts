/**
 * QmdbState's state-layer rules: no-op writes (the current value, deleting
 * an absent key) are dropped at commit, so a block that changes nothing
 * keeps the root while the raw QMDB commit of the same writes moves it; and
 * an account deleted by the EVM (EIP-158 touch of an empty account that
 * holds storage) loses its storage slots in QMDB, also after a restart of
 * the sequencer, through the slots the overlay lists and the sequencer's
 * sweep of the slots its state history recorded.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QmdbState } from '../../src/state/qmdb/store.js'
import { MemoryState } from '../../src/state/memory.js'
import { StateOverlay } from '../../src/state/overlay.js'
import { Chain } from '../../src/chain/chain.js'
import { KECCAK_EMPTY, keccak256 } from '../../src/crypto/keccak.js'
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js'
import { encodeTransaction, signTransaction } from '../../src/eth/transaction/index.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import type { StateDiff } from '../../src/state/database.js'

const A = new Uint8Array(20).fill(0xa1)

function diff(balance: bigint, slot: bigint): StateDiff {
  return { accounts: new Map([[bytesToHex(A), { nonce: 1n, balance, codeHash: KECCAK_EMPTY }]]), storage: new Map([[bytesToHex(A), new Map([[1n, slot], [2n, 0n]])]]), codes: new Map() }
}

test('no-op writes are dropped: the same diff again keeps the root (the raw QMDB commit moves it)', async () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'qmdb-noop-')), mkdtempSync(join(tmpdir(), 'qmdb-noop-'))]
  const [st, raw] = [await QmdbState.open(dirs[0]!, { workers: 0 }), await QmdbState.open(dirs[1]!, { workers: 0 })]
  try {
    const r1 = await st.commit(diff(5n, 9n))
    // the same first block (slot 2's delete of an absent key is the one no-op there)
    assert.deepEqual(await raw.db.commit(QmdbState.changesOf(diff(5n, 9n)).filter((c) => c.value !== null)), r1, 'same first block')
    assert.equal(st.netChanges(diff(5n, 9n)).length, 0, 'nothing changes')
    const r2 = await st.commit(diff(5n, 9n))
    assert.deepEqual(r2, r1, 'a block of no-op writes keeps the root')
    const r2raw = await raw.db.commit(QmdbState.changesOf(diff(5n, 9n)).filter((c) => c.value !== null))
    assert.notDeepEqual(r2raw, r1, 'QMDB appends an entry per write, changed or not')
    assert.equal(st.netChanges(diff(6n, 9n)).length, 1, 'only the account changed')
    const r3 = await st.commit(diff(6n, 9n))
    assert.notDeepEqual(r3, r2)
    assert.equal(st.account(A)!.balance, 6n)
    assert.equal(st.storage(A, 1n), 9n)
  } finally {
    await st.close()
    await raw.close()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
})

test('the overlay lists the known slots of a deleted pre-existing account as zero', () => {
  const base = new MemoryState()
  base.apply({ accounts: new Map([[bytesToHex(A), { nonce: 0n, balance: 0n, codeHash: KECCAK_EMPTY }]]), storage: new Map([[bytesToHex(A), new Map([[1n, 5n]])]]), codes: new Map() })
  const o = new StateOverlay(base)
  o.beginTransaction()
  assert.equal(o.sload(o.account(BigInt(bytesToHex(A))), 1n), 5n)
  o.touch(o.account(BigInt(bytesToHex(A))))
  o.finalizeTransaction(true) // EIP-158: the touched empty account is deleted
  const d = o.diff()
  assert.equal(d.accounts.get(bytesToHex(A)), null)
  assert.ok(d.clearedStorage?.has(bytesToHex(A)))
  assert.deepEqual(d.storage.get(bytesToHex(A)), new Map([[1n, 0n]]))
})

test('sequencer on disk: an account deleted by EIP-158 loses its storage in QMDB, also slots no transaction read', async () => {
  const key = keccak256(Uint8Array.of(21))
  const sender = privateKeyToAddress(key)
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-sweep-'))
  const open = (): Promise<Chain> => Chain.open({ chainId: 31337n, genesis: [{ address: sender, balance: 10n ** 20n }], autoSeal: false, dataDir: dir, genesisTimestamp: 1_700_000_000n })
  let chain = await open()
  try {
    // an empty account (nonce 0, balance 0, no code) holding storage: only dev edits make one
    chain.setStorageAt(A, 1n, 5n)
    chain.setStorageAt(A, 2n, 6n)
    await chain.mine(1n)
    assert.equal(chain.stateAtBlock(chain.headNumber)!.storage(A, 2n), 6n)
    const tx = encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce: 0n, gasLimit: 21000n, to: A, value: 0n, data: new Uint8Array(0), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, key))
    const r = await chain.waitForReceipt(chain.submitRaw(tx).hash, 5000, new AbortController().signal)
    assert.equal(r?.status, 1)
    await chain.mine(1n)
    const head = chain.headNumber
    await chain.close()
    chain = await open()
    const s = chain.stateAtBlock(head)!
    assert.equal(s.account(A), undefined, 'deleted')
    assert.equal(s.storage(A, 1n), 0n)
    assert.equal(s.storage(A, 2n), 0n)
    assert.equal(chain.stateAtBlock(head - 1n)!.storage(A, 2n), 6n, 'history still has it')
    // re-creating the account does not bring the old slots back
    chain.setAccountFields(A, { balance: 1n })
    await chain.mine(1n)
    assert.equal(chain.latestState().storage(A, 1n), 0n)
    assert.equal(chain.latestState().storage(A, 2n), 0n)
  } finally {
    await chain.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
