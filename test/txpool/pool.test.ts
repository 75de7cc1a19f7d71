/**
 * The transaction pool with transactions signed by viem: entry validation
 * (decode, chain id, signature, nonce, funds, fee floor, intrinsic gas),
 * pending vs queued, replacement only with a 10% bump, per-sender cap, and
 * takeReady ordering (best tip first, nonce order per sender).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { privateKeyToAccount } from 'viem/accounts'
import type { TransactionSerializable } from 'viem'
import { TxPool } from '../../src/txpool/pool.js'
import { TxPoolError } from '../../src/txpool/errors.js'
import type { AccountInfo, StateReader } from '../../src/state/database.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import { KECCAK_EMPTY } from '../../src/crypto/keccak.js'

const alice = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const bob = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const TO = '0x000000000000000000000000000000000000dEaD' as const
const GWEI = 10n ** 9n

/** In-memory accounts behind the StateReader interface. */
function memState(accounts: Record<string, { nonce: bigint; balance: bigint }>): StateReader {
  return {
    account: (a) => {
      const x = accounts[bytesToHex(a)]
      return x === undefined ? undefined : ({ ...x, codeHash: KECCAK_EMPTY } satisfies AccountInfo)
    },
    code: () => new Uint8Array(0),
    storage: () => 0n,
    blockHash: () => new Uint8Array(32),
  }
}

function makePool(accounts = { [alice.address.toLowerCase()]: { nonce: 0n, balance: 10n ** 18n }, [bob.address.toLowerCase()]: { nonce: 0n, balance: 10n ** 18n } }, opts = {}) {
  return new TxPool({ chainId: 31337n, fork: 'Prague', state: () => memState(accounts), baseFee: () => GWEI, blockGasLimit: 30_000_000n, maxPerSender: 4, ...opts })
}

async function raw(acct: typeof alice, t: Partial<TransactionSerializable> & { nonce: number }): Promise<Uint8Array> {
  const tx = { type: 'eip1559', chainId: 31337, to: TO, gas: 21000n, maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: GWEI, value: 1n, ...t } as TransactionSerializable
  return hexToBytes(await acct.signTransaction(tx))
}

function rejects(f: () => unknown, reason: string, code?: number): void {
  assert.throws(f, (e: unknown) => e instanceof TxPoolError && e.reason === reason && (code === undefined || e.rpcCode === code), reason)
}

test('pending vs queued, events, and stats', async () => {
  const pool = makePool()
  const seen: string[] = []
  pool.onTransaction((t) => seen.push(bytesToHex(t.hash)))
  const r0 = pool.addRaw(await raw(alice, { nonce: 0 }))
  assert.equal(r0.status, 'pending')
  const r2 = pool.addRaw(await raw(alice, { nonce: 2 }))
  assert.equal(r2.status, 'queued')
  assert.equal(r2.expectedNonce, 1n)
  assert.deepEqual(pool.stats(), { pending: 1, queued: 1 })
  assert.equal(pool.addRaw(await raw(alice, { nonce: 1 })).status, 'pending')
  assert.deepEqual(pool.stats(), { pending: 3, queued: 0 })
  assert.equal(seen.length, 3)
  assert.ok(pool.get(r0.hash))
})

test('entry validation errors carry reasons and RPC codes', async () => {
  const pool = makePool({ [alice.address.toLowerCase()]: { nonce: 3n, balance: 10n ** 15n } })
  rejects(() => pool.addRaw(Uint8Array.of(0x02, 0xc0)), 'decode', -32602)
  rejects(() => pool.addRaw(new Uint8Array(0)), 'decode', -32602)
  rejects(() => pool.addRaw(hexToBytes('0x' + 'ff'.repeat(10))), 'decode', -32602)
  await assert.rejects(async () => pool.addRaw(await raw(alice, { nonce: 3, chainId: 1 })), (e: unknown) => e instanceof TxPoolError && e.reason === 'wrong-chain-id')
  await assert.rejects(async () => pool.addRaw(await raw(alice, { nonce: 2 })), (e: unknown) => e instanceof TxPoolError && e.reason === 'nonce-too-low' && /nonce too low/.test(e.message))
  await assert.rejects(async () => pool.addRaw(await raw(alice, { nonce: 3, value: 10n ** 18n })), (e: unknown) => e instanceof TxPoolError && e.reason === 'insufficient-funds')
  await assert.rejects(async () => pool.addRaw(await raw(alice, { nonce: 3, maxFeePerGas: GWEI / 2n, maxPriorityFeePerGas: 1n })), (e: unknown) => e instanceof TxPoolError && e.reason === 'underpriced')
  await assert.rejects(async () => pool.addRaw(await raw(alice, { nonce: 3, gas: 20000n })), (e: unknown) => e instanceof TxPoolError && e.reason === 'intrinsic-gas')
  await assert.rejects(async () => pool.addRaw(await raw(alice, { nonce: 3, gas: 40_000_000n, maxFeePerGas: GWEI, maxPriorityFeePerGas: 0n })), (e: unknown) => e instanceof TxPoolError && e.reason === 'gas-limit')
  // A corrupted signature recovers another (unfunded) sender or fails recovery.
  const good = await raw(alice, { nonce: 3 })
  const bad = good.slice()
  bad[bad.length - 1]! ^= 0x01
  assert.throws(() => pool.addRaw(bad), TxPoolError)
  assert.equal(pool.addRaw(good).status, 'pending')
  rejects(() => pool.addRaw(good), 'already-known')
})

test('replacement needs a 10% bump of fee cap and tip; per-sender cap', async () => {
  const pool = makePool()
  pool.addRaw(await raw(alice, { nonce: 0 }))
  await assert.rejects(async () => pool.addRaw(await raw(alice, { nonce: 0, maxFeePerGas: 2n * GWEI + 1n, maxPriorityFeePerGas: GWEI + 1n, value: 2n })), (e: unknown) => e instanceof TxPoolError && e.reason === 'replacement-underpriced')
  const rep = pool.addRaw(await raw(alice, { nonce: 0, maxFeePerGas: (22n * GWEI) / 10n, maxPriorityFeePerGas: (11n * GWEI) / 10n }))
  assert.equal(pool.size(), 1)
  assert.ok(pool.get(rep.hash))
  for (let n = 1; n < 4; n++) pool.addRaw(await raw(alice, { nonce: n }))
  await assert.rejects(async () => pool.addRaw(await raw(alice, { nonce: 4 })), (e: unknown) => e instanceof TxPoolError && e.reason === 'sender-limit')
})

test('takeReady: highest tip first across senders, nonce order within a sender, gaps wait', async () => {
  const accounts = { [alice.address.toLowerCase()]: { nonce: 0n, balance: 10n ** 18n }, [bob.address.toLowerCase()]: { nonce: 0n, balance: 10n ** 18n } }
  const pool = makePool(accounts)
  pool.addRaw(await raw(alice, { nonce: 0, maxPriorityFeePerGas: 1n, maxFeePerGas: 2n * GWEI }))
  pool.addRaw(await raw(alice, { nonce: 1, maxPriorityFeePerGas: GWEI / 2n, maxFeePerGas: 3n * GWEI }))
  pool.addRaw(await raw(bob, { nonce: 0, maxPriorityFeePerGas: GWEI / 4n, maxFeePerGas: 3n * GWEI }))
  pool.addRaw(await raw(bob, { nonce: 2 }))
  const ready = pool.takeReady()
  assert.deepEqual(ready.map((p) => [p.sender === undefined ? '' : bytesToHex(p.sender), p.tx.nonce]), [
    [bob.address.toLowerCase(), 0n],
    [alice.address.toLowerCase(), 0n],
    [alice.address.toLowerCase(), 1n],
  ])
  assert.equal(pool.size(), 1)
  accounts[bob.address.toLowerCase()]!.nonce = 2n
  assert.equal(pool.takeReady(1)[0]!.tx.nonce, 2n)
  assert.equal(pool.size(), 0)
})

test('pending status follows the contiguous run through takes, stale drops, rejected executions and gap fills', async () => {
  const accounts = { [alice.address.toLowerCase()]: { nonce: 0n, balance: 10n ** 18n } }
  const pool = makePool(accounts, { maxPerSender: 16 })
  const a = alice.address.toLowerCase()
  assert.equal(pool.addRaw(await raw(alice, { nonce: 0 })).status, 'pending')
  assert.equal(pool.addRaw(await raw(alice, { nonce: 1 })).status, 'pending')
  const q3 = pool.addRaw(await raw(alice, { nonce: 3 }))
  assert.deepEqual([q3.status, q3.expectedNonce], ['queued', 2n])
  // the sequencer takes 0 and 1 (state not yet advanced: its mini-block is still open)
  assert.deepEqual(pool.takeReady().map((p) => p.tx.nonce), [0n, 1n])
  // nothing more is ready until the state moves, and a second take finds nothing
  assert.deepEqual(pool.takeReady(), [])
  accounts[a]!.nonce = 2n
  // nonce 2 fills the gap: 2 and 3 are now a run from the account nonce
  assert.equal(pool.addRaw(await raw(alice, { nonce: 2 })).status, 'pending')
  assert.deepEqual(pool.stats(), { pending: 2, queued: 0 })
  assert.equal(pool.addRaw(await raw(alice, { nonce: 4 })).status, 'pending')
  // take only 2; its execution is rejected (state stays at 2): 3 and 4 wait behind the hole
  assert.deepEqual(pool.takeReady(1).map((p) => p.tx.nonce), [2n])
  const q5 = pool.addRaw(await raw(alice, { nonce: 5 }))
  assert.deepEqual([q5.status, q5.expectedNonce], ['queued', 2n])
  assert.deepEqual(pool.takeReady(), [])
  // a resubmitted 2 runs again, then everything behind it
  assert.equal(pool.addRaw(await raw(alice, { nonce: 2, value: 2n })).status, 'pending')
  assert.deepEqual(pool.takeReady().map((p) => p.tx.nonce), [2n, 3n, 4n, 5n])
  assert.equal(pool.size(), 0)
  // the account nonce jumps past pooled transactions (e.g. anvil_setNonce): they are dropped as stale
  accounts[a]!.nonce = 6n
  pool.addRaw(await raw(alice, { nonce: 7 }))
  pool.addRaw(await raw(alice, { nonce: 6 }))
  accounts[a]!.nonce = 7n
  assert.deepEqual(pool.takeReady().map((p) => p.tx.nonce), [7n])
  assert.equal(pool.size(), 0)
})
