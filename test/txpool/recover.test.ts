/**
 * Batched sender recovery (`addRawAsync` with recovery workers): a burst of
 * transactions from several senders submitted concurrently is recovered on
 * the workers and pooled in submission order (every one `pending`, senders
 * and hashes as the synchronous path finds them); invalid ones in the same
 * burst fail with the same typed errors as `addRaw`; a lone submission is
 * admitted inline; closing stops the workers.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { privateKeyToAccount } from 'viem/accounts'
import { keccak256 as viemKeccak, type TransactionSerializable } from 'viem'
import { TxPool } from '../../src/txpool/pool.js'
import { TxPoolError } from '../../src/txpool/errors.js'
import type { AccountInfo, StateReader } from '../../src/state/database.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import { KECCAK_EMPTY } from '../../src/crypto/keccak.js'

const KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
] as const
const signers = KEYS.map((k) => privateKeyToAccount(k))
const GWEI = 10n ** 9n

function memState(): StateReader {
  const funded = new Set(signers.map((s) => s.address.toLowerCase()))
  return {
    account: (a) => (funded.has(bytesToHex(a)) ? ({ nonce: 0n, balance: 10n ** 20n, codeHash: KECCAK_EMPTY } satisfies AccountInfo) : undefined),
    code: () => new Uint8Array(0),
    storage: () => 0n,
    blockHash: () => new Uint8Array(32),
  }
}

function makePool(workers: number): TxPool {
  return new TxPool({ chainId: 31337n, fork: 'Prague', state: memState, baseFee: () => GWEI, blockGasLimit: 30_000_000n, maxPerSender: 1000, recoveryWorkers: workers })
}

async function sign(i: number, nonce: number, extra: Partial<TransactionSerializable> = {}): Promise<Uint8Array> {
  const tx = { type: 'eip1559', chainId: 31337, to: '0x000000000000000000000000000000000000dEaD', gas: 21000n, maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: GWEI, value: 1n, nonce, ...extra } as TransactionSerializable
  return hexToBytes(await signers[i]!.signTransaction(tx))
}

test('a concurrent burst is recovered on workers and pooled in submission order; failures keep their typed errors', async () => {
  const pool = makePool(2)
  try {
    const raws: Uint8Array[] = []
    for (let n = 0; n < 60; n++) for (let i = 0; i < 3; i++) raws.push(await sign(i, n))
    const wrongChain = await sign(0, 60, { chainId: 1 })
    const garbage = Uint8Array.of(0x02, 0xc1, 0x80)
    const burst = [...raws.slice(0, 90), wrongChain, garbage, ...raws.slice(90)]
    const results = await Promise.allSettled(burst.map((r) => pool.addRawAsync(r)))
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<TxPool['addRawAsync']>>>).value)
    assert.equal(ok.length, 180)
    // in submission order every transaction continues its sender's run: all pending
    assert.ok(ok.every((r) => r.status === 'pending'))
    assert.deepEqual(ok.map((r) => bytesToHex(r.hash)), raws.map((r) => viemKeccak(r)))
    assert.equal(pool.size(), 180)
    for (let k = 0; k < 3; k++) assert.equal(bytesToHex(pool.get(hexToBytes(viemKeccak(raws[k]!)))!.sender), signers[k]!.address.toLowerCase())
    const bad = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as unknown)
    assert.equal(bad.length, 2)
    const syncPool = makePool(0)
    for (const [e, raw] of [[bad[0], wrongChain], [bad[1], garbage]] as const) {
      assert.ok(e instanceof TxPoolError)
      let want: TxPoolError | undefined
      try {
        syncPool.addRaw(raw)
      } catch (x) {
        want = x as TxPoolError
      }
      assert.ok(want instanceof TxPoolError)
      assert.equal(e.reason, want.reason)
      assert.equal(e.rpcCode, want.rpcCode)
      assert.equal(e.message, want.message)
    }
    // the drain order is unchanged: nonce order per sender
    const taken = pool.takeReady(30)
    for (let i = 0; i < 3; i++) {
      const nonces = taken.filter((p) => bytesToHex(p.sender) === signers[i]!.address.toLowerCase()).map((p) => p.tx.nonce)
      assert.deepEqual(nonces, [...nonces].sort((a, b) => (a < b ? -1 : 1)))
      assert.equal(nonces[0], 0n)
    }
  } finally {
    await pool.close()
  }
})

test('a lone submission is admitted inline with the same result', async () => {
  const pool = makePool(1)
  try {
    const raw = await sign(2, 0)
    const r = await pool.addRawAsync(raw)
    assert.equal(r.status, 'pending')
    assert.equal(bytesToHex(r.hash), viemKeccak(raw))
    await assert.rejects(pool.addRawAsync(raw), (e: unknown) => e instanceof TxPoolError && e.reason === 'already-known')
  } finally {
    await pool.close()
  }
})
