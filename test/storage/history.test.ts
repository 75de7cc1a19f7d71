/**
 * StateHistory (src/storage/history.ts): prior-value lookups (oldest change
 * after a block; none means "read the head"), absent priors, truncation
 * (evm_revert), reopen from the file with a torn tail, consecutive blocks.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StateHistory } from '../../src/storage/history.js'
import { InvalidRecordError } from '../../src/storage/errors.js'

const K1 = Uint8Array.of(1, 1)
const K2 = Uint8Array.of(2, 2, 2)
const v = (x: number): Uint8Array => Uint8Array.of(x)

function fill(h: StateHistory): void {
  h.append(0, [{ key: K1, prior: null }]) // K1 created in block 0
  h.append(1, [])
  h.append(2, [{ key: K1, prior: v(10) }, { key: K2, prior: null }]) // K1 changed, K2 created
  h.append(3, [{ key: K2, prior: v(20) }])
}

function check(h: StateHistory): void {
  assert.deepEqual(h.priorAfter(K1, -1), { changed: true, value: null })
  assert.deepEqual(h.priorAfter(K1, 0), { changed: true, value: v(10) })
  assert.deepEqual(h.priorAfter(K1, 1), { changed: true, value: v(10) })
  assert.deepEqual(h.priorAfter(K1, 2), { changed: false })
  assert.deepEqual(h.priorAfter(K2, 1), { changed: true, value: null })
  assert.deepEqual(h.priorAfter(K2, 2), { changed: true, value: v(20) })
  assert.deepEqual(h.priorAfter(K2, 3), { changed: false })
  assert.deepEqual(h.priorAfter(Uint8Array.of(9), 0), { changed: false })
  assert.equal(h.firstBlock, 0)
  assert.equal(h.lastBlock, 3)
}

test('prior values: the oldest change after a block, in memory and on disk, after reopen and a torn tail', async () => {
  const mem = StateHistory.open()
  fill(mem)
  check(mem)
  await mem.close()
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-history-'))
  try {
    const path = join(dir, 'history.log')
    let h = StateHistory.open(path)
    fill(h)
    check(h)
    await h.close()
    const size = statSync(path).size
    appendFileSync(path, Buffer.from([0x54, 0x48, 0x53, 0x54, 9, 0, 0, 0, 1, 2])) // torn append
    h = StateHistory.open(path)
    check(h)
    assert.equal(statSync(path).size, size, 'torn tail cut off')
    assert.throws(() => h.append(7, []), InvalidRecordError)
    // truncation drops later blocks: K2's change in block 3 is forgotten
    h.truncateAfter(2)
    assert.equal(h.lastBlock, 2)
    assert.deepEqual(h.priorAfter(K2, 2), { changed: false })
    assert.deepEqual(h.priorAfter(K1, 1), { changed: true, value: v(10) })
    h.append(3, [{ key: K1, prior: v(11) }])
    await h.close()
    h = StateHistory.open(path)
    assert.equal(h.lastBlock, 3)
    assert.deepEqual(h.priorAfter(K1, 2), { changed: true, value: v(11) })
    assert.deepEqual(h.priorAfter(K2, 2), { changed: false })
    h.clear()
    assert.equal(h.firstBlock, -1)
    h.append(8, [])
    assert.equal(h.firstBlock, 8)
    await h.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
