/**
 * Output and input formatting. Transactions of every type are signed by
 * viem, decoded by our codec, formatted by `formatTransaction`, and parsed
 * back with viem's own `formatTransaction`: the fields must equal viem's
 * parse of the raw bytes. Blocks, receipts and logs go through viem's
 * formatters and ethers' JSON-RPC provider formatting. Block selectors,
 * call requests, overrides and log filters are checked for accepted and
 * rejected inputs.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  formatTransaction as viemFormatTx,
  formatBlock as viemFormatBlock,
  formatTransactionReceipt as viemFormatReceipt,
  formatLog as viemFormatLog,
  parseTransaction,
  keccak256,
  type TransactionSerializable,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { decodeTransaction, transactionHash } from '../../src/eth/transaction/index.js'
import { hexToBytes, bytesToHex } from '../../src/primitives/hex.js'
import {
  formatTransaction,
  formatBlock,
  formatReceipt,
  formatLog,
  formatMiniBlock,
  formatStateChanges,
  blockSelector,
  blockNumberOrTag,
  callRequest,
  stateOverrides,
  logFilter,
  logMatches,
} from '../../src/rpc/format.js'
import type { ChainBlock, LocatedLog, LocatedReceipt, LocatedTransaction } from '../../src/rpc/backend.js'
import { InvalidParamsError } from '../../src/rpc/errors.js'
import { EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH, headerHash, type BlockHeader } from '../../src/chain/header.js'
import { EMPTY_TRIE_ROOT } from '../../src/crypto/keccak.js'
import { DEV_KEYS } from './helpers.js'

const account = privateKeyToAccount(DEV_KEYS[0])
const TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const
const b32 = (n: number): Uint8Array => new Uint8Array(32).fill(n)

const SAMPLES: TransactionSerializable[] = [
  { type: 'legacy', chainId: 31337, nonce: 0, gasPrice: 10n ** 9n, gas: 21000n, to: TO, value: 1n },
  { type: 'eip2930', chainId: 31337, nonce: 1, gasPrice: 2n * 10n ** 9n, gas: 50000n, to: TO, value: 0n, data: '0xdeadbeef', accessList: [{ address: TO, storageKeys: [bytesToHex(b32(1))] }] },
  { type: 'eip1559', chainId: 31337, nonce: 2, maxFeePerGas: 3n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n, gas: 100000n, data: '0x6000' },
  {
    type: 'eip4844', chainId: 31337, nonce: 3, maxFeePerGas: 3n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n, gas: 100000n, to: TO,
    maxFeePerBlobGas: 7n, blobVersionedHashes: [('0x01' + '22'.repeat(31)) as `0x${string}`],
  },
  {
    type: 'eip7702', chainId: 31337, nonce: 4, maxFeePerGas: 3n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n, gas: 100000n, to: TO,
    authorizationList: [{ chainId: 31337, address: TO, nonce: 5, yParity: 1, r: ('0x' + '33'.repeat(32)) as `0x${string}`, s: ('0x' + '44'.repeat(32)) as `0x${string}` }],
  },
]

async function located(i: number, mined: boolean): Promise<{ raw: `0x${string}`; lt: LocatedTransaction }> {
  const raw = await account.signTransaction(SAMPLES[i]!)
  const tx = decodeTransaction(hexToBytes(raw))
  const lt: LocatedTransaction = {
    tx,
    hash: transactionHash(tx),
    from: hexToBytes(account.address),
    blockHash: mined ? b32(9) : null,
    blockNumber: mined ? 5n : null,
    transactionIndex: mined ? i : null,
    blockBaseFee: 2n * 10n ** 9n,
  }
  return { raw, lt }
}

test('every transaction type formats to what viem parses from the raw bytes', async () => {
  for (let i = 0; i < SAMPLES.length; i++) {
    const { raw, lt } = await located(i, true)
    const json = formatTransaction(lt)
    const ours = viemFormatTx(json as never)
    const parsed = parseTransaction(raw)
    assert.equal(ours.hash, keccak256(raw), `type ${i}`)
    assert.equal(ours.from.toLowerCase(), account.address.toLowerCase())
    assert.equal(ours.type, parsed.type)
    assert.equal(ours.nonce, parsed.nonce)
    assert.equal(ours.gas, parsed.gas)
    assert.equal(ours.value, parsed.value ?? 0n)
    assert.equal(ours.input, parsed.data ?? '0x')
    assert.equal(ours.to?.toLowerCase() ?? null, parsed.to?.toLowerCase() ?? null)
    assert.equal(BigInt(ours.r), BigInt(parsed.r!))
    assert.equal(BigInt(ours.s), BigInt(parsed.s!))
    assert.equal(ours.chainId, parsed.chainId)
    if (parsed.type === 'legacy') assert.equal(ours.v, parsed.v)
    else {
      assert.equal(ours.yParity, parsed.yParity)
      assert.deepEqual(ours.accessList?.map((a) => ({ address: a.address.toLowerCase(), storageKeys: a.storageKeys })), (parsed.accessList ?? []).map((a) => ({ address: a.address.toLowerCase(), storageKeys: a.storageKeys })))
    }
    if (parsed.type === 'eip1559' || parsed.type === 'eip4844' || parsed.type === 'eip7702') {
      assert.equal(ours.maxFeePerGas, parsed.maxFeePerGas)
      assert.equal(ours.maxPriorityFeePerGas, parsed.maxPriorityFeePerGas)
      // Effective price of a mined tx: baseFee + min(tip, maxFee - baseFee).
      assert.equal(ours.gasPrice, 3n * 10n ** 9n)
    }
    if (parsed.type === 'eip4844') {
      assert.equal(ours.maxFeePerBlobGas, parsed.maxFeePerBlobGas)
      assert.deepEqual(ours.blobVersionedHashes, parsed.blobVersionedHashes)
    }
    if (parsed.type === 'eip7702') {
      const a = ours.authorizationList![0]!
      const p = parsed.authorizationList![0]!
      assert.equal(a.address.toLowerCase(), p.address.toLowerCase())
      assert.equal(a.chainId, p.chainId)
      assert.equal(a.nonce, p.nonce)
      assert.equal(a.yParity, p.yParity)
      assert.equal(BigInt(a.r), BigInt(p.r))
    }
    assert.equal(ours.blockNumber, 5n)
    assert.equal(ours.transactionIndex, i)
  }
})

test('a pending transaction has null location and reports maxFeePerGas as gasPrice', async () => {
  const { lt } = await located(2, false)
  const json = formatTransaction(lt)
  assert.equal(json.blockHash, null)
  assert.equal(json.blockNumber, null)
  assert.equal(json.transactionIndex, null)
  assert.equal(json.gasPrice, '0xb2d05e00')
  const viem = viemFormatTx(json as never)
  assert.equal(viem.blockNumber, null)
})

function sampleHeader(): BlockHeader {
  return {
    parentHash: b32(1), ommersHash: EMPTY_OMMERS_HASH, coinbase: new Uint8Array(20), stateRoot: b32(2), transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT, logsBloom: new Uint8Array(256), difficulty: 0n, number: 5n, gasLimit: 30_000_000n, gasUsed: 21000n,
    timestamp: 1_700_000_000n, extraData: new Uint8Array(0), mixHash: b32(3), nonce: new Uint8Array(8), baseFeePerGas: 10n ** 9n,
    withdrawalsRoot: EMPTY_TRIE_ROOT, blobGasUsed: 0n, excessBlobGas: 0n, parentBeaconBlockRoot: b32(4), requestsHash: EMPTY_REQUESTS_HASH,
  }
}

test('blocks format to what viem parses, with miniBlockCount/miniBlockOffset', async () => {
  const header = sampleHeader()
  const txs = await Promise.all([0, 2].map(async (i) => (await located(i, true)).lt))
  const block: ChainBlock = { header, hash: headerHash(header), size: 1234n, transactions: txs, miniBlockCount: 100n, miniBlockOffset: 400n }
  const hashesOnly = formatBlock(block, false)
  const v = viemFormatBlock(hashesOnly as never)
  assert.equal(v.number, 5n)
  assert.equal(v.hash, bytesToHex(block.hash))
  assert.equal(v.baseFeePerGas, 10n ** 9n)
  assert.equal(v.gasLimit, 30_000_000n)
  assert.equal(v.blobGasUsed, 0n)
  assert.equal(v.size, 1234n)
  assert.deepEqual(v.transactions, txs.map((t) => bytesToHex(t.hash)))
  assert.equal(hashesOnly.miniBlockCount, '0x64')
  assert.equal(hashesOnly.miniBlockOffset, '0x190')
  assert.equal(hashesOnly.requestsHash, bytesToHex(EMPTY_REQUESTS_HASH))
  const full = viemFormatBlock(formatBlock(block, true) as never)
  assert.equal((full.transactions[1] as { type: string }).type, 'eip1559')
})

test('receipts and logs format to what viem parses', () => {
  const log: LocatedLog = {
    address: hexToBytes(TO), topics: [b32(7), b32(8)], data: hexToBytes('0x1234'), blockNumber: 5n, blockHash: b32(9),
    transactionHash: b32(10), transactionIndex: 1, logIndex: 3, removed: false,
  }
  const receipt: LocatedReceipt = {
    type: 2, status: 1, transactionHash: b32(10), transactionIndex: 1, blockHash: b32(9), blockNumber: 5n, from: hexToBytes(account.address),
    to: null, contractAddress: hexToBytes(TO), cumulativeGasUsed: 42000n, gasUsed: 21000n, effectiveGasPrice: 10n ** 9n,
    logsBloom: new Uint8Array(256), logs: [log],
  }
  const r = viemFormatReceipt(formatReceipt(receipt) as never)
  assert.equal(r.status, 'success')
  assert.equal(r.type, 'eip1559')
  assert.equal(r.gasUsed, 21000n)
  assert.equal(r.contractAddress?.toLowerCase(), TO.toLowerCase())
  assert.equal(r.to, null)
  assert.equal(r.logs[0]!.logIndex, 3)
  const l = viemFormatLog(formatLog(log) as never)
  assert.equal(l.blockNumber, 5n)
  assert.deepEqual(l.topics, [bytesToHex(b32(7)), bytesToHex(b32(8))])
  const failed = formatReceipt({ ...receipt, status: 0, type: 3, blobGasUsed: 131072n, blobGasPrice: 1n })
  assert.equal(viemFormatReceipt(failed as never).status, 'reverted')
  assert.equal(failed.blobGasUsed, '0x20000')
})

test('mini-blocks use the snake_case MegaETH shape; state changes are sorted and filtered', async () => {
  const { lt } = await located(0, true)
  const diff = {
    accounts: new Map([
      ['0x00000000000000000000000000000000000000bb', { nonce: 5n, balance: 10n ** 18n, codeHash: b32(0) }],
      ['0x00000000000000000000000000000000000000aa', { nonce: 1n, balance: 0n, codeHash: b32(0) }],
    ]),
    storage: new Map([['0x00000000000000000000000000000000000000bb', new Map([[2n, 7n], [1n, 0n]])]]),
    codes: new Map(),
  }
  const m = formatMiniBlock({ number: 0x456f5a6bn, blockNumber: 0xb80336n, blockTimestamp: 0x69ca2909n, index: 11, timestampUs: 0x64e38f8980f50n, gasUsed: 0n, transactions: [lt], receipts: [], stateDiff: diff })
  assert.deepEqual(Object.keys(m), ['block_number', 'block_timestamp', 'index', 'mini_block_number', 'mini_block_timestamp', 'gas_used', 'transactions', 'receipts'])
  assert.equal(m.mini_block_timestamp, '0x64e38f8980f50')
  assert.equal(m.index, '0xb')
  const all = formatStateChanges(diff, undefined)
  assert.deepEqual(all.map((c) => c.address), ['0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb'])
  assert.deepEqual(all[1], {
    address: '0x00000000000000000000000000000000000000bb', nonce: '0x5', balance: '0xde0b6b3a7640000',
    storage: { ['0x' + '0'.repeat(63) + '1']: '0x' + '0'.repeat(64), ['0x' + '0'.repeat(63) + '2']: '0x' + '0'.repeat(63) + '7' },
  })
  assert.equal(formatStateChanges(diff, new Set(['0x00000000000000000000000000000000000000aa'])).length, 1)
})

test('block selectors: tags, numbers, hashes, EIP-1898 objects', () => {
  assert.deepEqual(blockSelector('latest', 'p'), { kind: 'tag', tag: 'latest' })
  for (const t of ['pending', 'safe', 'finalized', 'earliest']) assert.equal((blockSelector(t, 'p') as { tag: string }).tag, t)
  assert.deepEqual(blockSelector('0x1a', 'p'), { kind: 'number', number: 26n })
  const h = '0x' + 'ab'.repeat(32)
  assert.equal(blockSelector(h, 'p').kind, 'hash')
  assert.deepEqual(blockSelector({ blockNumber: '0x5' }, 'p'), { kind: 'number', number: 5n })
  const eip1898 = blockSelector({ blockHash: h, requireCanonical: true }, 'p')
  assert.equal(eip1898.kind === 'hash' && eip1898.requireCanonical, true)
  for (const bad of ['0x', '0x01', 'Latest', 12, null, { blockHash: h, blockNumber: '0x1' }, { foo: 1 }, '0x' + 'f'.repeat(17)]) {
    assert.throws(() => blockSelector(bad, 'p'), InvalidParamsError, JSON.stringify(bad))
  }
  assert.throws(() => blockNumberOrTag(h, 'p'), InvalidParamsError)
})

test('call requests, overrides and log filters', () => {
  const r = callRequest({ from: TO, to: TO, gas: '0x5208', value: '0x1', input: '0xabcd', maxFeePerGas: '0x2', maxPriorityFeePerGas: '0x1', blobs: [] }, 'p')
  assert.equal(r.gas, 21000n)
  assert.equal(bytesToHex(r.data!), '0xabcd')
  assert.deepEqual(callRequest({ to: null }, 'p').to, null)
  assert.throws(() => callRequest({ input: '0x01', data: '0x02' }, 'p'), /both "data" and "input"/)
  assert.throws(() => callRequest({ gasPrice: '0x1', maxFeePerGas: '0x1' }, 'p'), InvalidParamsError)
  assert.throws(() => callRequest({ maxFeePerGas: '0x1', maxPriorityFeePerGas: '0x2' }, 'p'), InvalidParamsError)
  assert.throws(() => callRequest({ value: '0x' + '1'.repeat(65) }, 'p'), InvalidParamsError)
  const ov = stateOverrides({ [TO]: { balance: '0x10', stateDiff: { '0x1': '0x' + '0'.repeat(63) + '2' } } }, 'p')
  const o = ov.get(TO.toLowerCase())!
  assert.equal(o.balance, 16n)
  assert.equal(o.stateDiff!.get(1n), 2n)
  assert.throws(() => stateOverrides({ [TO]: { state: {}, stateDiff: {} } }, 'p'), /both/)
  assert.throws(() => stateOverrides({ [TO]: { bogus: 1 } }, 'p'), InvalidParamsError)
  const f = logFilter({ fromBlock: '0x1', toBlock: 'latest', address: TO, topics: [null, ['0x' + '07'.repeat(32), '0x' + '08'.repeat(32)]] }, 'p')
  assert.equal(f.addresses.length, 1)
  assert.equal(f.topics[0], null)
  const l = { address: hexToBytes(TO), topics: [b32(1), b32(8)] }
  assert.ok(logMatches(l, f.addresses, f.topics))
  assert.ok(!logMatches({ ...l, topics: [b32(1), b32(9)] }, f.addresses, f.topics))
  assert.ok(!logMatches({ ...l, topics: [b32(1)] }, f.addresses, f.topics))
  assert.throws(() => logFilter({ blockHash: '0x' + '00'.repeat(32), fromBlock: '0x1' }, 'p'), /blockHash/)
  assert.throws(() => logFilter({ topics: [null, null, null, null, null] }, 'p'), /more than 4/)
})
