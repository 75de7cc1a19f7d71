/**
 * Historical state over JSON-RPC on the real node (viem): eth_getBalance,
 * eth_getCode, eth_getStorageAt, eth_getTransactionCount and eth_call at
 * every sealed block number answer that block's state, before and after a
 * restart of the node on the same data directory.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicClient, createWalletClient, http, encodeFunctionData, keccak256, encodeAbiParameters, type Abi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { compileContracts } from '../contracts/compile.js'
import { startNode, DEV_KEYS } from './helpers.js'

const BOB = '0x00000000000000000000000000000000000000b0' as Address

test('eth_getBalance/getCode/getStorageAt/getTransactionCount/eth_call at every sealed block, also after a restart', async () => {
  const { Probe } = compileContracts()
  const abi = Probe!.abi as Abi
  let node = await startNode({ args: ['--block-time', '100ms'] })
  const dir = node.dir
  try {
    const alice = privateKeyToAccount(DEV_KEYS[0]!)
    let pub = createPublicClient({ transport: http(node.url) })
    const wallet = createWalletClient({ account: alice, transport: http(node.url) })
    const chain = { id: 31337, name: 'tachyon', nativeCurrency: { name: 'ETH', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [node.url] } } } as const
    const deploy = await wallet.deployContract({ abi, bytecode: Probe!.bytecode, chain })
    const probe = (await pub.waitForTransactionReceipt({ hash: deploy, pollingInterval: 20 })).contractAddress!
    const slot1 = keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [1n, 0n]))
    const blocks: bigint[] = []
    for (let i = 1n; i <= 4n; i++) {
      const h1 = await wallet.sendTransaction({ to: BOB, value: i * 1000n, chain })
      const h2 = await wallet.writeContract({ address: probe, abi, functionName: 'store', args: [1n, i * 11n], chain })
      const r = await pub.waitForTransactionReceipt({ hash: h2, pollingInterval: 20 })
      assert.ok((await pub.waitForTransactionReceipt({ hash: h1, pollingInterval: 20 })).blockNumber <= r.blockNumber)
      blocks.push(r.blockNumber)
      while ((await pub.getBlockNumber()) < r.blockNumber + 1n) await new Promise((res) => setTimeout(res, 50)) // the next block holds nothing of ours
    }
    const deployBlock = blocks[0]! - 1n
    const snapshot = async (n: bigint): Promise<unknown> => ({
      bob: await pub.getBalance({ address: BOB, blockNumber: n }),
      nonce: await pub.getTransactionCount({ address: alice.address, blockNumber: n }),
      code: (await pub.getCode({ address: probe, blockNumber: n })) ?? '0x',
      slot: await pub.getStorageAt({ address: probe, slot: slot1, blockNumber: n }),
      counter: (await pub.call({ to: probe, data: encodeFunctionData({ abi, functionName: 'counter' }), blockNumber: n })).data ?? '0x',
    })
    const before = new Map<bigint, unknown>()
    for (const n of [0n, deployBlock - 1n, ...blocks, blocks[3]! + 1n]) before.set(n, await snapshot(n))
    // the values are the ones each block left
    for (const [i, n] of blocks.entries()) {
      const s = before.get(n) as { bob: bigint; slot: Hex; counter: Hex }
      const k = BigInt(i + 1)
      assert.equal(s.bob, ((k * (k + 1n)) / 2n) * 1000n, `bob at ${n}`)
      assert.equal(BigInt(s.slot), k * 11n, `slot at ${n}`)
      assert.equal(BigInt(s.counter), k, `counter at ${n}`)
    }
    assert.deepEqual(before.get(0n), { bob: 0n, nonce: 0, code: '0x', slot: '0x0000000000000000000000000000000000000000000000000000000000000000', counter: '0x' })

    await node.stop()
    node = await startNode({ dir, args: ['--block-time', '100ms'] })
    pub = createPublicClient({ transport: http(node.url) })
    for (const [n, want] of before) assert.deepEqual(await snapshot(n), want, `block ${n} after restart`)
  } finally {
    await node.dispose()
  }
})
