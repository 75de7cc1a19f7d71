/**
 * Sender recovery from raw bytes (`txpool/raw.ts`), which the pool's
 * admission and recovery workers use instead of re-encoding the decoded
 * fields: for random transactions of every type (random signatures, data
 * and lists long enough for long RLP headers) the signing hash, r ‖ s and
 * parity read from the bytes equal the field-based ones, and the recovered
 * sender equals `recoverAddress` on the fields (null alike); for real
 * signatures it is the signer. Through the pool, transactions whose
 * signature recovers no key, is high-s or out of range get the same typed
 * errors from the worker path as from the synchronous path.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { encodeTransaction, signTransaction, signingHash, signatureYParity, type Transaction, type UnsignedTransaction } from '../../src/eth/transaction/index.js'
import { recoverAddress, privateKeyToAddress, SECP256K1_N, SECP256K1_HALF_N } from '../../src/crypto/secp256k1.js'
import { signingInputs, recoverRawSender } from '../../src/txpool/raw.js'
import { TxPool } from '../../src/txpool/pool.js'
import { TxPoolError } from '../../src/txpool/errors.js'
import { KECCAK_EMPTY } from '../../src/crypto/keccak.js'
import { bytesToBigInt } from '../../src/primitives/bytes.js'
import type { StateReader } from '../../src/state/database.js'

const big = (bytes: number): fc.Arbitrary<bigint> => fc.bigInt({ min: 0n, max: (1n << BigInt(8 * bytes)) - 1n })
const addr = fc.uint8Array({ minLength: 20, maxLength: 20 })
const word = fc.uint8Array({ minLength: 32, maxLength: 32 })
// up to 300 bytes: list payloads below and above 55 and 255 bytes
const data = fc.oneof(fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 300 }))
const accessList = fc.array(fc.tuple(addr, fc.array(word, { maxLength: 3 })).map(([address, storageKeys]) => ({ address, storageKeys })), { maxLength: 3 })
const authList = fc.array(
  fc.tuple(big(32), addr, big(8), fc.integer({ min: 0, max: 1 }), big(32), big(32)).map(([chainId, address, nonce, yParity, r, s]) => ({ chainId, address, nonce, yParity, r, s })),
  { maxLength: 2 },
)
// signatures: random words, small values and values around n
const sigWord = fc.oneof(big(32), big(1), fc.constantFrom(0n, 1n, SECP256K1_N - 1n, SECP256K1_N, SECP256K1_HALF_N, SECP256K1_HALF_N + 1n))
const sig = fc.tuple(fc.integer({ min: 0, max: 1 }), sigWord, sigWord)
const common = fc.tuple(big(32), big(32), big(32), big(32))

const anyTx: fc.Arbitrary<Transaction> = fc.oneof(
  fc
    .tuple(big(32), big(32), big(32), fc.option(addr), big(32), data, fc.oneof(fc.constantFrom(27n, 28n, 0n, 1n, 36n), big(8)), sigWord, sigWord)
    .map(([nonce, gasPrice, gasLimit, to, value, d, v, r, s]): Transaction => ({ type: 0, nonce, gasPrice, gasLimit, to, value, data: d, v, chainId: v >= 35n ? (v - 35n) / 2n : null, r, s })),
  fc
    .tuple(common, big(32), fc.option(addr), data, accessList, sig)
    .map(([[chainId, nonce, gasLimit, value], gasPrice, to, d, al, [yParity, r, s]]): Transaction => ({ type: 1, chainId, nonce, gasPrice, gasLimit, to, value, data: d, accessList: al, yParity, r, s })),
  fc
    .tuple(common, big(32), big(32), fc.option(addr), data, accessList, sig)
    .map(([[chainId, nonce, gasLimit, value], tip, cap, to, d, al, [yParity, r, s]]): Transaction => ({ type: 2, chainId, nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap, gasLimit, to, value, data: d, accessList: al, yParity, r, s })),
  fc
    .tuple(common, big(32), big(32), addr, data, accessList, big(32), fc.array(word, { maxLength: 6 }), sig)
    .map(([[chainId, nonce, gasLimit, value], tip, cap, to, d, al, blobFee, hashes, [yParity, r, s]]): Transaction => ({
      type: 3, chainId, nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap, gasLimit, to, value, data: d, accessList: al, maxFeePerBlobGas: blobFee, blobVersionedHashes: hashes, yParity, r, s,
    })),
  fc
    .tuple(common, big(32), big(32), addr, data, accessList, authList, sig)
    .map(([[chainId, nonce, gasLimit, value], tip, cap, to, d, al, auths, [yParity, r, s]]): Transaction => ({
      type: 4, chainId, nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap, gasLimit, to, value, data: d, accessList: al, authorizationList: auths, yParity, r, s,
    })),
)

test('property: signing hash, r ‖ s and parity from the bytes equal the field-based ones; the recovered sender too', () => {
  fc.assert(
    fc.property(anyTx, (tx) => {
      const raw = encodeTransaction(tx)
      const s = signingInputs(raw)
      assert.deepEqual(s.hash, signingHash(tx))
      assert.equal(bytesToBigInt(s.rs.subarray(0, 32)), tx.r)
      assert.equal(bytesToBigInt(s.rs.subarray(32)), tx.s)
      assert.equal(s.yParity, signatureYParity(tx) ?? -1)
      const parity = signatureYParity(tx)
      const want = parity === null ? null : recoverAddress(signingHash(tx), tx.r, tx.s, parity)
      assert.deepEqual(recoverRawSender(raw), want)
      assert.deepEqual(recoverRawSender(raw, tx), want)
    }),
    { numRuns: 300 },
  )
})

const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => {
  const v = bytesToBigInt(k)
  return v > 0n && v < SECP256K1_N
})

test('property: real signatures of every type recover their signer from the bytes', () => {
  fc.assert(
    fc.property(anyTx, keyArb, (t, key) => {
      const { r: _r, s: _s, ...rest } = t as Transaction & { v?: bigint; yParity?: number }
      delete rest.v
      delete rest.yParity
      if (rest.type === 0) rest.chainId = rest.chainId === null ? null : rest.chainId % (1n << 50n)
      const tx = signTransaction(rest as UnsignedTransaction, key)
      assert.deepEqual(recoverRawSender(encodeTransaction(tx)), privateKeyToAddress(key))
    }),
    { numRuns: 60 },
  )
})

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
const GWEI = 10n ** 9n

function pool(workers: number): TxPool {
  const me = privateKeyToAddress(KEY)
  const state: StateReader = {
    account: (a) => (a.every((b, i) => b === me[i]) ? { nonce: 0n, balance: 10n ** 22n, codeHash: KECCAK_EMPTY } : undefined),
    code: () => new Uint8Array(0),
    storage: () => 0n,
    blockHash: () => new Uint8Array(32),
  }
  return new TxPool({ chainId: 31337n, fork: 'Prague', state: () => state, baseFee: () => GWEI, blockGasLimit: 30_000_000n, maxPerSender: 1000, recoveryWorkers: workers })
}

test('bad signatures get the same typed errors on the worker path as on the synchronous path', async () => {
  const base: UnsignedTransaction = { type: 2, chainId: 31337n, nonce: 0n, maxPriorityFeePerGas: GWEI, maxFeePerGas: 2n * GWEI, gasLimit: 21000n, to: new Uint8Array(20).fill(7), value: 1n, data: new Uint8Array(0), accessList: [] }
  const good = (nonce: bigint): Transaction => signTransaction({ ...base, nonce }, KEY)
  const g = good(0n) as Extract<Transaction, { type: 2 }>
  const bad: Transaction[] = [
    { ...g, r: 0n },
    { ...g, s: 0n },
    { ...g, r: SECP256K1_N },
    { ...g, s: SECP256K1_N - g.s }, // high-s twin of a valid signature (EIP-2)
    { ...g, yParity: 1 - g.yParity }, // recovers another key: nonce/balance say no
    { ...g, r: 5n }, // most small r are not on the curve: no key
  ]
  const raws = [...Array.from({ length: 20 }, (_, i) => encodeTransaction(good(BigInt(i)))), ...bad.map(encodeTransaction)]
  const viaWorkers = pool(2)
  const sync = pool(0)
  try {
    const got = await viaWorkers.addRawBatch(raws)
    const want = raws.map((r) => {
      try {
        return sync.addRaw(r)
      } catch (e) {
        return e as TxPoolError
      }
    })
    assert.equal(got.length, want.length)
    for (let i = 0; i < got.length; i++) {
      const a = got[i]!
      const b = want[i]!
      if (b instanceof TxPoolError) {
        assert.ok(a instanceof TxPoolError, `index ${i}: want ${b.reason}`)
        assert.deepEqual([a.reason, a.message, a.rpcCode], [b.reason, b.message, b.rpcCode])
      } else {
        assert.ok(!(a instanceof TxPoolError), `index ${i}: ${(a as TxPoolError).message}`)
        assert.deepEqual(a, b)
      }
    }
    assert.equal(got.filter((r) => r instanceof TxPoolError).length, bad.length)
  } finally {
    await viaWorkers.close()
    await sync.close()
  }
})
