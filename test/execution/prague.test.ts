/**
 * Prague rules the Cancun fixtures do not cover: EIP-7702 set-code
 * transactions and delegated execution, EIP-2935 block-hash history system
 * call, EIP-7623 calldata floor and EIP-7691 blob schedule.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js'
import { signAuthorization } from '../../src/eth/transaction/sign.js'
import type { Transaction } from '../../src/eth/transaction/types.js'
import { applyBlockHashHistory, HISTORY_STORAGE_ADDRESS } from '../../src/execution/system.js'
import { blobBaseFee, callMessage, executeTransaction, fakeExponential, makeBlockEnv, nextExcessBlobGas, GAS_PER_BLOB } from '../../src/execution/transaction.js'
import { TxRejectedError } from '../../src/execution/errors.js'
import { hexToBytes } from '../../src/primitives/hex.js'
import { MemoryState } from '../../src/state/memory.js'
import { addressToBigInt, StateOverlay } from '../../src/state/overlay.js'

const ETH = 10n ** 18n
const senderKey = hexToBytes('0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8')
const authorityKey = hexToBytes('0x' + '11'.repeat(32))
const sender = privateKeyToAddress(senderKey)
const authority = privateKeyToAddress(authorityKey)
const delegate = hexToBytes('0x' + 'de'.repeat(20))
const probe = hexToBytes('0x' + 'bb'.repeat(20))

function base(fork: 'Cancun' | 'Prague') {
  return makeBlockEnv({ fork, number: 100n, timestamp: 1000n, gasLimit: 30_000_000n, baseFee: 7n, chainId: 1n })
}

function setCodeTx(nonce: bigint, auths: Transaction extends infer T ? (T extends { authorizationList: infer L } ? L : never) : never, data = new Uint8Array(0)): Transaction {
  return { type: 4, chainId: 1n, nonce, gasLimit: 200_000n, to: authority, value: 0n, data, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, accessList: [], authorizationList: auths, r: 0n, s: 0n, yParity: 0 }
}

test('EIP-7702: authorization installs a delegation and the call runs the delegate code in the authority', () => {
  const m = new MemoryState()
  m.setAccount(sender, { balance: ETH })
  m.setAccount(authority, { balance: ETH })
  // delegate: SSTORE(0, 0x42); STOP
  m.setAccount(delegate, { code: hexToBytes('0x604260005500') })
  // probe: SSTORE(0, EXTCODESIZE(authority)); STOP
  m.setAccount(probe, { code: hexToBytes('0x73' + Buffer.from(authority).toString('hex') + '3b60005500') })
  const state = new StateOverlay(m)
  const auth = signAuthorization({ chainId: 1n, address: delegate, nonce: 0n }, authorityKey)
  const r = executeTransaction(state, setCodeTx(0n, [auth]), sender, base('Prague'))
  assert.equal(r.status, 1)
  const a = state.account(addressToBigInt(authority))
  assert.equal(a.nonce, 1n, 'authority nonce bumped')
  const code = state.code(a)
  assert.deepEqual([...code.subarray(0, 3)], [0xef, 0x01, 0x00])
  assert.deepEqual(code.subarray(3), delegate)
  assert.equal(state.sload(a, 0n), 0x42n, 'delegate code wrote the authority storage')
  assert.equal(state.sload(state.account(addressToBigInt(delegate)), 0n), 0n)
  // the authority existed: 12,500 refund, capped at gasUsed/5
  assert.ok(r.gasRefund > 0n && r.gasRefund <= r.gasUsedBeforeRefund / 5n)
  // EXTCODESIZE sees the 23-byte designator
  const c = callMessage(state, { from: sender, to: probe, gas: 100_000n }, base('Prague'), { commit: true })
  assert.equal(c.success, true)
  assert.equal(state.sload(state.account(addressToBigInt(probe)), 0n), 23n)
})

test('EIP-7702: wrong nonce or chain id skips the tuple; address zero clears the delegation', () => {
  const m = new MemoryState()
  m.setAccount(sender, { balance: ETH })
  m.setAccount(authority, { balance: ETH })
  m.setAccount(delegate, { code: hexToBytes('0x604260005500') })
  const state = new StateOverlay(m)
  const bad = [signAuthorization({ chainId: 1n, address: delegate, nonce: 5n }, authorityKey), signAuthorization({ chainId: 9n, address: delegate, nonce: 0n }, authorityKey)]
  executeTransaction(state, setCodeTx(0n, bad), sender, base('Prague'))
  assert.equal(state.code(state.account(addressToBigInt(authority))).length, 0)
  executeTransaction(state, setCodeTx(1n, [signAuthorization({ chainId: 0n, address: delegate, nonce: 0n }, authorityKey)]), sender, base('Prague'))
  assert.equal(state.code(state.account(addressToBigInt(authority))).length, 23)
  executeTransaction(state, setCodeTx(2n, [signAuthorization({ chainId: 1n, address: new Uint8Array(20), nonce: 1n }, authorityKey)]), sender, base('Prague'))
  assert.equal(state.code(state.account(addressToBigInt(authority))).length, 0)
  assert.equal(state.account(addressToBigInt(authority)).nonce, 2n)
})

test('EIP-7702: type-4 transactions are rejected before Prague', () => {
  const m = new MemoryState()
  m.setAccount(sender, { balance: ETH })
  const state = new StateOverlay(m)
  const auth = signAuthorization({ chainId: 1n, address: delegate, nonce: 0n }, authorityKey)
  assert.throws(() => executeTransaction(state, setCodeTx(0n, [auth]), sender, base('Cancun')), (e: unknown) => e instanceof TxRejectedError && e.code === 'type-not-supported')
})

test('EIP-2935: the system call stores the parent hash, readable through the history contract', () => {
  const m = new MemoryState()
  m.setAccount(HISTORY_STORAGE_ADDRESS, {
    nonce: 1n,
    code: hexToBytes('0x3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500'),
  })
  m.setAccount(sender, { balance: ETH })
  const state = new StateOverlay(m)
  const block = base('Prague')
  const parent = hexToBytes('0x' + 'ab'.repeat(32))
  assert.equal(applyBlockHashHistory(state, block, parent), true)
  const hist = state.account(addressToBigInt(HISTORY_STORAGE_ADDRESS))
  assert.equal(state.sload(hist, (block.number - 1n) % 8191n), BigInt('0x' + 'ab'.repeat(32)))
  const q = new Uint8Array(32)
  q[31] = 99
  const got = callMessage(state, { from: sender, to: HISTORY_STORAGE_ADDRESS, data: q }, block)
  assert.equal(got.success, true)
  assert.deepEqual(got.returnData, parent)
  q[31] = 100 // the current block is not in history
  assert.equal(callMessage(state, { from: sender, to: HISTORY_STORAGE_ADDRESS, data: q }, block).success, false)
  assert.equal(applyBlockHashHistory(new StateOverlay(m), base('Cancun'), parent), false)
})

test('EIP-7623: calldata-heavy transactions pay the floor in Prague only', () => {
  const data = new Uint8Array(1000).fill(1)
  const tx = (gasLimit: bigint): Transaction => ({ type: 2, chainId: 1n, nonce: 0n, gasLimit, to: probe, value: 0n, data, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, accessList: [], r: 0n, s: 0n, yParity: 0 })
  const run = (fork: 'Cancun' | 'Prague', gasLimit: bigint) => {
    const m = new MemoryState()
    m.setAccount(sender, { balance: ETH })
    return executeTransaction(new StateOverlay(m), tx(gasLimit), sender, base(fork))
  }
  assert.equal(run('Cancun', 100_000n).gasUsed, 21000n + 16n * 1000n)
  assert.equal(run('Prague', 100_000n).gasUsed, 21000n + 10n * 4n * 1000n)
  assert.equal(run('Cancun', 50_000n).status, 1)
  assert.throws(() => run('Prague', 50_000n), (e: unknown) => e instanceof TxRejectedError && e.code === 'intrinsic-gas-too-low')
})

test('EIP-7691: Prague blob schedule (max 9, target 6, update fraction 5007716)', () => {
  for (const excess of [0n, 1_000_000n, 10_000_000n, 30_000_000n]) {
    for (const [fork, frac] of [['Cancun', 3338477], ['Prague', 5007716]] as const) {
      const exact = blobBaseFee(excess, fork)
      const approx = Math.exp(Number(excess) / frac)
      assert.ok(Math.abs(Number(exact) - approx) <= Math.max(1, approx * 1e-6) + 1, `${fork} ${excess}: ${exact} vs ${approx}`)
    }
  }
  assert.equal(fakeExponential(1n, 0n, 5007716n), 1n)
  assert.equal(nextExcessBlobGas(0n, 9n * GAS_PER_BLOB, 'Prague'), 3n * GAS_PER_BLOB)
  assert.equal(nextExcessBlobGas(0n, 6n * GAS_PER_BLOB, 'Cancun'), 3n * GAS_PER_BLOB)
  const blobTx = (n: number): Transaction => ({
    type: 3, chainId: 1n, nonce: 0n, gasLimit: 100_000n, to: probe, value: 0n, data: new Uint8Array(0), maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, accessList: [],
    maxFeePerBlobGas: 10n, blobVersionedHashes: Array.from({ length: n }, () => { const h = new Uint8Array(32); h[0] = 1; return h }), r: 0n, s: 0n, yParity: 0,
  })
  const run = (fork: 'Cancun' | 'Prague', n: number) => {
    const m = new MemoryState()
    m.setAccount(sender, { balance: ETH })
    return executeTransaction(new StateOverlay(m), blobTx(n), sender, base(fork))
  }
  assert.equal(run('Prague', 9).blobGasUsed, 9n * GAS_PER_BLOB)
  assert.throws(() => run('Prague', 10), (e: unknown) => e instanceof TxRejectedError && e.code === 'too-many-blobs')
  assert.throws(() => run('Cancun', 7), (e: unknown) => e instanceof TxRejectedError && e.code === 'too-many-blobs')
})
