/**
 * Ethereum state over QMDB: commits StateDiffs, reads them back through
 * StateReader, proves accounts and slots, and survives reopen with the same root.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { QmdbState } from '../../src/state/qmdb/store.js'
import { verifyProof } from '../../src/ads/proof.js'
import { keccak256, KECCAK_EMPTY } from '../../src/crypto/keccak.js'
import type { StateDiff } from '../../src/state/database.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

test('QmdbState commits diffs, reads them back, proves them, reopens to the same root', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qmdb-state-'))
  let st = await QmdbState.open(dir, { workers: 0 })
  try {
    const a = new Uint8Array(20).fill(0xaa), b = new Uint8Array(20).fill(0xbb)
    const code = Uint8Array.of(0x60, 0x00, 0x56)
    const ch = keccak256(code)
    const d1: StateDiff = {
      accounts: new Map([[`0x${hex(a)}`, { nonce: 1n, balance: 10n ** 18n, codeHash: KECCAK_EMPTY }], [`0x${hex(b)}`, { nonce: 0n, balance: 0n, codeHash: ch }]]),
      storage: new Map([[`0x${hex(b)}`, new Map([[1n, 42n], [2n ** 255n, 7n]])]]),
      codes: new Map([[`0x${hex(ch)}`, code]]),
    }
    const r1 = await st.commit(d1)
    assert.equal(st.account(a)!.balance, 10n ** 18n)
    assert.equal(st.storage(b, 1n), 42n)
    assert.equal(st.storage(b, 2n ** 255n), 7n)
    assert.equal(st.storage(b, 3n), 0n)
    assert.equal(hex(st.code(ch)), hex(code))
    assert.equal(st.code(KECCAK_EMPTY).length, 0)
    const d2: StateDiff = { accounts: new Map([[`0x${hex(a)}`, null]]), storage: new Map([[`0x${hex(b)}`, new Map([[1n, 0n]])]]), codes: new Map() }
    const r2 = await st.commit(d2)
    assert.notEqual(hex(r1), hex(r2))
    assert.equal(st.account(a), undefined)
    assert.equal(st.storage(b, 1n), 0n)
    const p = st.prove(b, [1n, 2n ** 255n])
    const pa = verifyProof(p.account, r2)
    assert.ok(pa.ok && pa.exists)
    const p1 = verifyProof(p.storage[0]!, r2)
    assert.ok(p1.ok && !p1.exists)
    const p2 = verifyProof(p.storage[1]!, r2)
    assert.ok(p2.ok && p2.exists && p2.value[31] === 7)
    await st.close()
    st = await QmdbState.open(dir, { workers: 0 })
    assert.equal(hex(st.root), hex(r2))
    assert.equal(st.storage(b, 2n ** 255n), 7n)
  } finally {
    await st.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
