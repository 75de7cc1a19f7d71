/**
 * Foundry's `cast` (the real binary from @foundry-rs/cast) against the real
 * node on a loopback port, unchanged: chain-id, block-number, balance, send
 * (a transfer with a dev key), receipt, send --create (a contract compiled by
 * solc), send to a function, call, storage, code and block latest, each
 * checked against the node's own JSON-RPC answers.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createPublicClient, http, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { compileContracts } from '../contracts/compile.js'
import { startNode, DEV_KEYS } from './helpers.js'

const here = dirname(fileURLToPath(import.meta.url))
/** The cast launcher of @foundry-rs/cast (a dev dependency). */
const CAST_BIN = resolve(here, '../../../node_modules/.bin/cast')
/** Longest one cast invocation may take on a loaded CI box (cast polls receipts about once a second). */
const CAST_TIMEOUT_MS = 60_000
const exec = promisify(execFile)

interface CastReceipt {
  status: Hex
  transactionHash: Hex
  blockHash: Hex
  blockNumber: Hex
  gasUsed: Hex
  contractAddress: Address | null
  from: Address
}

test('cast: chain-id, block-number, balance, send, receipt, send --create, call, storage, block latest', async () => {
  const { Probe } = compileContracts()
  const node = await startNode({ args: ['--block-time', '200ms'] })
  try {
    // async exec: the node runs in this process and must keep answering
    // --rpc-url right after the subcommand: `send --create <code>` takes everything after it as constructor arguments
    const cast = async (sub: string, ...args: string[]): Promise<string> => (await exec(CAST_BIN, [sub, '--rpc-url', node.url, ...args], { encoding: 'utf8', timeout: CAST_TIMEOUT_MS })).stdout.trim()
    const pub = createPublicClient({ transport: http(node.url) })
    const alice = privateKeyToAccount(DEV_KEYS[0]!)
    const bob = privateKeyToAccount(DEV_KEYS[1]!)
    const to = '0x00000000000000000000000000000000000000e1' as Address

    assert.equal(await cast('chain-id'), '31337')
    const bn = BigInt(await cast('block-number'))
    assert.ok(bn >= 0n && bn <= BigInt(await pub.request({ method: 'eth_blockNumber' })))
    assert.equal(await cast('balance', bob.address), (10_000n * 10n ** 18n).toString())

    const sent = JSON.parse(await cast('send', '--private-key', DEV_KEYS[0]!, '--json', to, '--value', '1ether')) as CastReceipt
    assert.equal(sent.status, '0x1')
    assert.equal(sent.from.toLowerCase(), alice.address.toLowerCase())
    assert.equal(await cast('balance', to), (10n ** 18n).toString())
    const receipt = JSON.parse(await cast('receipt', sent.transactionHash, '--json')) as CastReceipt
    assert.equal(receipt.status, '0x1')
    assert.equal(receipt.transactionHash, sent.transactionHash)
    assert.equal(BigInt(receipt.gasUsed), 21_000n)
    const block = await pub.getBlock({ blockNumber: BigInt(receipt.blockNumber) })
    assert.equal(receipt.blockHash, block.hash, 'sealed: the block hash the node reports')
    assert.ok(block.transactions.includes(sent.transactionHash))

    const created = JSON.parse(await cast('send', '--private-key', DEV_KEYS[0]!, '--json', '--create', Probe!.bytecode)) as CastReceipt
    assert.equal(created.status, '0x1')
    const probe = created.contractAddress!
    assert.ok(probe)
    const code = await pub.getCode({ address: probe })
    assert.ok(code !== undefined && code.length > 2)
    assert.equal(await cast('code', probe), code)

    const stored = JSON.parse(await cast('send', '--private-key', DEV_KEYS[1]!, '--json', probe, 'store(uint256,uint256)', '1', '42')) as CastReceipt
    assert.equal(stored.status, '0x1')
    assert.equal(await cast('call', probe, 'slots(uint256)(uint256)', '1'), '42')
    assert.equal(await cast('call', probe, 'counter()(uint256)'), '1')
    // Probe's `counter` is storage slot 1
    assert.equal(await cast('storage', probe, '1'), `0x${'1'.padStart(64, '0')}`)
    assert.equal(await cast('storage', probe, '1'), await pub.getStorageAt({ address: probe, slot: '0x1' }))

    const latest = JSON.parse(await cast('block', 'latest', '--json')) as { number: Hex; hash: Hex; stateRoot: Hex }
    const ours = await pub.getBlock({ blockNumber: BigInt(latest.number) })
    assert.equal(latest.hash, ours.hash)
    assert.equal(latest.stateRoot, ours.stateRoot)
  } finally {
    await node.dispose()
  }
})
