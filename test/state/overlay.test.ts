/**
 * The journaled state overlay: checkpoints and reverts, EIP-2200 original
 * values, warm sets and transient storage reset per transaction, EIP-158
 * cleanup, the block `StateDiff` (applied back onto a MemoryState), and
 * read/write recording.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryState } from '../../src/state/memory.js'
import { addressKey, addressToBigInt, bigIntToAddress, StateOverlay } from '../../src/state/overlay.js'
import { bytesToHexRaw, hexToBytes } from '../../src/primitives/hex.js'

const A = hexToBytes('0x' + 'aa'.repeat(20))
const B = hexToBytes('0x' + '0b'.repeat(20))

function setup(): { m: MemoryState; s: StateOverlay } {
  const m = new MemoryState()
  m.setAccount(A, { nonce: 1n, balance: 100n, storage: [[1n, 11n]] })
  return { m, s: new StateOverlay(m) }
}

test('address conversions round-trip', () => {
  const v = addressToBigInt(A)
  assert.equal(addressKey(v), 'aa'.repeat(20))
  assert.deepEqual(bigIntToAddress(v), A)
  for (const h of ['00'.repeat(20), '00'.repeat(19) + '01', '00'.repeat(16) + 'ffffffff', '00'.repeat(15) + '0100000000', 'ff'.repeat(20), '80' + '00'.repeat(19), '0123456789abcdef0123456789abcdef01234567']) {
    const b = hexToBytes('0x' + h)
    const x = addressToBigInt(b)
    assert.equal(x, BigInt('0x' + h), h)
    assert.deepEqual(bigIntToAddress(x), b, h)
  }
  assert.deepEqual(bigIntToAddress((1n << 200n) | 5n), hexToBytes('0x' + '00'.repeat(19) + '05'), 'only the low 160 bits')
})

test('revert undoes balance, nonce, storage, creation, transient storage and warmth', () => {
  const { s } = setup()
  s.beginTransaction()
  const a = s.account(addressToBigInt(A))
  const b = s.account(addressToBigInt(B))
  const cp = s.checkpoint()
  s.transfer(a, b, 40n)
  s.createAccount(b)
  s.setNonce(a, 2n)
  s.sstore(a, 1n, 12n)
  s.tstore(a, 5n, 9n)
  s.warmSlot(a, 1n)
  s.addRefund(4800)
  assert.equal(b.balance, 40n)
  assert.equal(s.originalStorage(a, 1n), 11n)
  s.revert(cp)
  assert.equal(a.balance, 100n)
  assert.equal(b.balance, 0n)
  assert.equal(b.exists, false)
  assert.equal(a.nonce, 1n)
  assert.equal(s.sload(a, 1n), 11n)
  assert.equal(s.tload(a, 5n), 0n)
  assert.equal(s.isSlotWarm(a, 1n), false)
  assert.equal(s.refund, 0)
})

test('per-transaction state resets; EIP-158 removes touched empty accounts; diff applies back', () => {
  const { m, s } = setup()
  s.beginTransaction()
  const a = s.account(addressToBigInt(A))
  const b = s.account(addressToBigInt(B))
  s.sstore(a, 1n, 0n)
  s.sstore(a, 2n, 22n)
  s.createAccount(b)
  s.touch(b) // empty and touched: deleted at the end
  s.tstore(a, 1n, 1n)
  s.warmAccount(a)
  s.finalizeTransaction()
  assert.equal(b.exists, false)
  assert.equal(a.warm, false)
  assert.equal(s.tload(a, 1n), 0n)
  s.beginTransaction()
  assert.equal(s.originalStorage(a, 2n), 22n, 'original = value at transaction start')
  const d = s.diff()
  assert.equal(d.accounts.has('0x' + '0b'.repeat(20)), false, 'never-existing deleted account omitted')
  assert.deepEqual([...d.storage.get('0x' + 'aa'.repeat(20))!].sort(), [[1n, 0n], [2n, 22n]])
  m.apply(d)
  assert.equal(m.storage(A, 1n), 0n)
  assert.equal(m.storage(A, 2n), 22n)
})

test('recording lists reads with first values and writes', () => {
  const { s } = setup()
  s.startRecording()
  const a = s.account(addressToBigInt(A))
  assert.equal(s.sload(a, 1n), 11n)
  s.sstore(a, 3n, 33n)
  s.setBalance(a, 7n)
  const r = s.takeRecord()
  const k = 'aa'.repeat(20)
  assert.equal(r.accountReads.get(k)?.balance, 100n)
  assert.equal(r.storageReads.get(k)?.get(1n), 11n)
  assert.equal(r.storageWrites.get(k)?.get(3n), 33n)
  assert.equal(r.accountWrites.get(k)?.balance, 7n)
})

test('journal: repeated writes after the latest checkpoint are journaled once and still revert exactly (random nested frames)', () => {
  let seed = 7
  const rnd = (n: number): number => {
    // xorshift32
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) % n
  }
  for (let round = 0; round < 200; round++) {
    const m = new MemoryState()
    m.setAccount(A, { nonce: 1n, balance: 100n, storage: [[1n, 11n], [2n, 22n]] })
    const s = new StateOverlay(m)
    s.beginTransaction()
    const a = s.account(addressToBigInt(A))
    const logsHex = (): string[] => s.logs.map((l) => l.topics.map((t) => bytesToHexRaw(t)).join(',') + ':' + bytesToHexRaw(l.data))
    const snap = (): string => JSON.stringify([[0n, 1n, 2n, 3n].map((k) => String(s.sload(a, k))), s.refund, logsHex(), a.writtenCount, String(a.balance)])
    const mem = Uint8Array.from({ length: 256 }, (_, i) => i)
    const frames: { cp: number; state: string }[] = []
    for (let step = 0; step < 60; step++) {
      const r = rnd(10)
      if (r < 4) s.sstore(a, BigInt(rnd(4)), BigInt(rnd(5)))
      else if (r === 4) s.addRefund(rnd(3) * 100 - 100)
      else if (r === 5) {
        if (rnd(3) === 0) s.addLog({ address: A, topics: [Uint8Array.of(rnd(256))], data: new Uint8Array(0) })
        else s.emitLog(A, rnd(5), BigInt(rnd(1000)), 1n << 200n, 3n, BigInt(step), mem, rnd(100), rnd(3) * 50)
      }
      else if (r === 6) s.setBalance(a, BigInt(rnd(1000)))
      else if (r === 7) frames.push({ cp: s.checkpoint(), state: snap() })
      else if (r === 8 && frames.length > 0) {
        const f = frames.pop()!
        s.revert(f.cp)
        assert.equal(snap(), f.state, `round ${round} step ${step}`)
      } else if (frames.length > 0) frames.pop() // frame succeeded: its checkpoint is dropped
    }
    while (frames.length > 0) {
      const f = frames.pop()!
      s.revert(f.cp)
      assert.equal(snap(), f.state, `round ${round} unwind`)
    }
  }
})
