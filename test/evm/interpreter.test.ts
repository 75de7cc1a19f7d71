/**
 * Interpreter metering: gas and stack are checked once per basic block, so
 * these tests pin down that the observable behaviour is per-op exact: GAS
 * sees the exact remaining gas mid-block, every gas limit gives the per-op
 * outcome, and a failure later in the code never stops an earlier state read
 * (blocks end at host ops).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CodeCache } from '../../src/evm/code.js'
import { CallKind, type BlockEnv } from '../../src/evm/env.js'
import { Evm } from '../../src/evm/interpreter.js'
import { hexToBytes } from '../../src/primitives/hex.js'
import { MemoryState } from '../../src/state/memory.js'
import { addressToBigInt, StateOverlay } from '../../src/state/overlay.js'

const TARGET = hexToBytes('0x' + 'c0'.repeat(20))
const CALLER = hexToBytes('0x' + 'ca'.repeat(20))
const block: BlockEnv = { number: 1n, timestamp: 1n, coinbase: new Uint8Array(20), gasLimit: 30_000_000n, baseFee: 0n, prevRandao: new Uint8Array(32), blobBaseFee: 1n, chainId: 1n, fork: 'Cancun' }
const cache = new CodeCache()

function run(code: string, gas: number, record = false): { success: boolean; gasLeft: number; output: Uint8Array; reads: number } {
  const m = new MemoryState()
  m.setAccount(TARGET, { nonce: 1n, code: hexToBytes(code), storage: [[1n, 5n]] })
  const s = new StateOverlay(m)
  const evm = new Evm(s, block, { codeCache: cache })
  s.beginTransaction()
  const to = addressToBigInt(TARGET)
  const target = s.account(to)
  s.warmAccount(target)
  if (record) s.startRecording()
  const r = evm.execute({ kind: CallKind.Call, caller: addressToBigInt(CALLER), address: to, codeAddress: to, value: 0n, input: new Uint8Array(0), gas, isStatic: false, depth: 0, transfersValue: true, isTopLevel: true })
  const reads = record ? (s.takeRecord().storageReads.get('c0'.repeat(20))?.size ?? 0) : 0
  return { success: r.success, gasLeft: r.gasLeft, output: r.output, reads }
}

const word = (b: Uint8Array, i: number): bigint => BigInt('0x' + Buffer.from(b.subarray(32 * i, 32 * i + 32)).toString('hex'))

test('GAS inside a block sees the exact remaining gas', () => {
  // GAS PUSH1 0 MSTORE GAS PUSH1 32 MSTORE PUSH1 64 PUSH1 0 RETURN
  const code = '0x5a6000525a60205260406000f3'
  const r = run(code, 1000)
  assert.equal(r.success, true)
  assert.equal(word(r.output, 0), 998n) // 1000 - GAS
  assert.equal(word(r.output, 1), 1000n - 2n - 3n - 6n - 2n) // - PUSH1 - MSTORE(3 + 1 word) - GAS
  assert.equal(r.gasLeft, 1000 - (2 + 3 + 6 + 2 + 3 + 6 + 3 + 3))
})

test('every gas limit gives the per-op outcome for straight-line code', () => {
  // PUSH1 1 PUSH1 2 ADD PUSH1 3 MUL POP JUMPDEST PUSH1 4 POP STOP: static gas 3+3+3+3+5+2+1+3+2 = 25
  const code = '0x6001600201600302505b60045000'
  for (let g = 0; g <= 40; g++) {
    const r = run(code, g)
    assert.equal(r.success, g >= 25, `gas ${g}`)
    assert.equal(r.gasLeft, g >= 25 ? g - 25 : 0, `gas ${g}`)
  }
})

test('a failure after a state read does not stop the read (blocks end at host ops)', () => {
  // PUSH1 1 SLOAD POP POP: the second POP underflows after the SLOAD ran
  const r = run('0x6001545050', 100_000, true)
  assert.equal(r.success, false)
  assert.equal(r.reads, 1)
  // PUSH1 1 POP POP PUSH1 1 SLOAD: the underflow comes first, no read
  const r2 = run('0x60015050600154', 100_000, true)
  assert.equal(r2.success, false)
  assert.equal(r2.reads, 0)
})
