/**
 * Differential test against anvil (the real binary, revm): the same signed
 * transaction sequence (contract deployments, storage writes and clears with
 * refunds, events, reverts with reasons, out-of-gas, CREATE2 children, value
 * calls, ERC20 transfers, plain ETH transfers, a contract call from a second
 * sender) is sent to both nodes; per transaction the hash, status, gas used
 * and logs must match, and afterwards balances, nonces, code and storage.
 * Legacy transactions with a fixed gas price make balances independent of
 * the base fee, which differs because anvil seals a block per transaction.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicClient, http, encodeFunctionData, encodeDeployData, keccak256, encodeAbiParameters, type Abi, type Hex, type Address, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { compileContracts } from '../contracts/compile.js'
import { startNode, DEV_KEYS } from './helpers.js'
import { startAnvil } from './anvil.js'

test('the same transactions on anvil and on Tachyon give the same statuses, gas, logs, balances and storage', async () => {
  const { Probe, Token } = compileContracts()
  const probeAbi = Probe!.abi as Abi
  const tokenAbi = Token!.abi as Abi
  const ours = await startNode({ args: ['--block-time', '200ms'] })
  const anvil = await startAnvil()
  try {
    const clients: PublicClient[] = [createPublicClient({ transport: http(ours.url) }), createPublicClient({ transport: http(anvil.url) })]
    const alice = privateKeyToAccount(DEV_KEYS[0]!)
    const bob = privateKeyToAccount(DEV_KEYS[1]!)
    const nonces = new Map<string, number>()
    const gasPrice = 3_000_000_000n
    const sign = async (who: typeof alice, tx: { to?: Address; data?: Hex; value?: bigint; gas: bigint }): Promise<Hex> => {
      const nonce = nonces.get(who.address) ?? 0
      nonces.set(who.address, nonce + 1)
      return who.signTransaction({ type: 'legacy', chainId: 31337, nonce, gasPrice, gas: tx.gas, ...(tx.to ? { to: tx.to } : {}), data: tx.data ?? '0x', value: tx.value ?? 0n })
    }
    const results: { label: string; ours: unknown; anvil: unknown }[] = []
    const run = async (label: string, raw: Hex): Promise<{ contractAddress: Address | null | undefined }> => {
      const out = []
      for (const c of clients) {
        const hash = await c.request({ method: 'eth_sendRawTransaction', params: [raw] })
        const r = await c.waitForTransactionReceipt({ hash, pollingInterval: 20 })
        out.push({ hash, status: r.status, gasUsed: r.gasUsed, contractAddress: r.contractAddress ?? null, logs: r.logs.map((l) => ({ address: l.address.toLowerCase(), topics: l.topics, data: l.data })) })
      }
      results.push({ label, ours: out[0], anvil: out[1] })
      assert.deepEqual(out[0], out[1], `${label}: receipts differ`)
      return { contractAddress: out[0]!.contractAddress }
    }
    const probe = (await run('deploy Probe', await sign(alice, { data: Probe!.bytecode, gas: 3_000_000n }))).contractAddress!
    const call = (fn: string, args: unknown[]): Hex => encodeFunctionData({ abi: probeAbi, functionName: fn, args })
    await run('store 1', await sign(alice, { to: probe, data: call('store', [1n, 42n]), gas: 200_000n }))
    await run('store 2', await sign(alice, { to: probe, data: call('store', [2n, 7n]), gas: 200_000n }))
    await run('overwrite 2', await sign(alice, { to: probe, data: call('store', [2n, 8n]), gas: 200_000n }))
    await run('clear 1 (refund)', await sign(alice, { to: probe, data: call('clear', [1n]), gas: 200_000n }))
    await run('revert with reason', await sign(alice, { to: probe, data: call('fail', [1n]), gas: 100_000n }))
    await run('no revert', await sign(alice, { to: probe, data: call('fail', [0n]), gas: 100_000n }))
    await run('hash loop', await sign(alice, { to: probe, data: call('hashLoop', [100n]), gas: 500_000n }))
    await run('out of gas', await sign(alice, { to: probe, data: call('hashLoop', [5000n]), gas: 100_000n }))
    await run('create2 child', await sign(alice, { to: probe, data: call('spawn', [keccak256('0x01'), 99n]), gas: 500_000n }))
    await run('pay bob via probe', await sign(alice, { to: probe, data: call('pay', [bob.address]), value: 10n ** 15n, gas: 100_000n }))
    await run('fund probe', await sign(alice, { to: probe, value: 12345n, gas: 50_000n }))
    await run('plain transfer', await sign(alice, { to: '0x00000000000000000000000000000000000000d1', value: 10n ** 18n, gas: 21_000n }))
    await run('calldata-heavy transfer (EIP-7623 floor)', await sign(alice, { to: '0x00000000000000000000000000000000000000d2', data: `0x${'ff'.repeat(2000)}`, gas: 200_000n }))
    const token = (await run('deploy ERC20', await sign(alice, { data: encodeDeployData({ abi: tokenAbi, bytecode: Token!.bytecode, args: ['Diff', 'DIF', 10n ** 24n] }), gas: 3_000_000n }))).contractAddress!
    await run('erc20 transfer', await sign(alice, { to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [bob.address, 5000n] }), gas: 100_000n }))
    await run('erc20 transfer too much (custom error)', await sign(bob, { to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [alice.address, 10n ** 30n] }), gas: 100_000n }))
    await run('erc20 approve from bob', await sign(bob, { to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'approve', args: [alice.address, 77n] }), gas: 100_000n }))
    await run('bob stores', await sign(bob, { to: probe, data: call('store', [3n, 3n]), gas: 200_000n }))
    assert.equal(results.length, 19)

    // final state
    const mapSlot = (k: bigint): Hex => keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [k, 0n]))
    const erc20BalanceSlot = (who: Address): Hex => keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [who, 0n]))
    const child = (results.find((r) => r.label === 'create2 child')!.ours as { logs: { data: Hex }[] }).logs[0]!.data
    const childAddr = `0x${child.slice(26)}` as Address
    const state = async (c: PublicClient): Promise<unknown> => ({
      balances: await Promise.all([alice.address, bob.address, probe, token, '0x00000000000000000000000000000000000000d1' as Address].map((a) => c.getBalance({ address: a }))),
      nonces: await Promise.all([alice.address, bob.address, probe].map((a) => c.getTransactionCount({ address: a }))),
      code: await Promise.all([probe, token, childAddr].map((a) => c.getCode({ address: a }))),
      probeStorage: await Promise.all([mapSlot(1n), mapSlot(2n), mapSlot(3n), '0x1' as Hex].map((slot) => c.getStorageAt({ address: probe, slot }))),
      childValue: await c.getStorageAt({ address: childAddr, slot: '0x0' }),
      tokenBalances: await Promise.all([alice.address, bob.address].map((a) => c.getStorageAt({ address: token, slot: erc20BalanceSlot(a) }))),
      call: await c.call({ to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'allowance', args: [bob.address, alice.address] }) }),
    })
    const [s0, s1] = [await state(clients[0]!), await state(clients[1]!)]
    assert.deepEqual(s0, s1)

    // EIP-2935: the history contract is predeployed with the same code, and a
    // call for a recent block returns that chain's own hash of it (hashes
    // differ between the chains); future blocks and malformed input revert.
    const HISTORY = '0x0000F90827F1C53a10cb7A02335B175320002935' as Address
    const word = (n: bigint): Hex => encodeAbiParameters([{ type: 'uint256' }], [n])
    const history = async (c: PublicClient): Promise<unknown> => {
      const head = await c.getBlockNumber()
      const want = (await c.getBlock({ blockNumber: head - 1n })).hash
      const atLatest = await c.call({ to: HISTORY, data: word(head - 1n) })
      const atHead = await c.call({ to: HISTORY, data: word(head - 1n), blockNumber: head })
      const reverts = async (data: Hex): Promise<boolean> => c.call({ to: HISTORY, data }).then(() => false, () => true)
      return {
        code: await c.getCode({ address: HISTORY }),
        latestIsParentHash: atLatest.data === want,
        atHeadIsParentHash: atHead.data === want,
        futureReverts: await reverts(word(head + 100n)),
        shortInputReverts: await reverts('0x01'),
      }
    }
    const [h0, h1] = [await history(clients[0]!), await history(clients[1]!)]
    assert.deepEqual(h0, { code: (h1 as { code: Hex }).code, latestIsParentHash: true, atHeadIsParentHash: true, futureReverts: true, shortInputReverts: true })
    assert.deepEqual(h0, h1)
  } finally {
    await anvil.stop()
    await ours.dispose()
  }
})

test('evm_snapshot / evm_revert roll back block numbers, blocks, receipts and state as on anvil', async () => {
  // a long block time keeps timer blocks out of the sequence (evm_revert re-arms the timer)
  const ours = await startNode({ args: ['--block-time', '5s'] })
  const anvil = await startAnvil()
  try {
    const alice = privateKeyToAccount(DEV_KEYS[0]!)
    const to = '0x00000000000000000000000000000000000000d3' as Address
    const raw = async (nonce: number, value: bigint): Promise<Hex> => alice.signTransaction({ type: 'legacy', chainId: 31337, nonce, gasPrice: 3_000_000_000n, gas: 21_000n, to, value })
    const [a, b] = [await raw(0, 1n), await raw(1, 10n)]
    const sequence = async (url: string): Promise<unknown> => {
      const c = createPublicClient({ transport: http(url) })
      const send = async (tx: Hex): Promise<{ hash: Hex; status: string }> => {
        const hash = await c.request({ method: 'eth_sendRawTransaction', params: [tx] })
        const r = await c.waitForTransactionReceipt({ hash, pollingInterval: 20 })
        return { hash, status: r.status }
      }
      // raw requests: viem caches eth_blockNumber
      const rpc = (method: string, params: unknown[] = []): Promise<unknown> => c.request({ method, params } as never)
      const blockNumber = async (): Promise<bigint> => BigInt((await rpc('eth_blockNumber')) as Hex)
      await send(a)
      const id = (await rpc('evm_snapshot')) as Hex
      const atSnapshot = await blockNumber()
      const balance = await c.getBalance({ address: to })
      const sent = await send(b)
      await rpc('evm_mine')
      await rpc('evm_mine')
      const grew = (await blockNumber()) > atSnapshot + 1n
      const reverted = await rpc('evm_revert', [id])
      const after = {
        reverted,
        blockNumberBack: (await blockNumber()) === atSnapshot,
        nextBlockGone: (await rpc('eth_getBlockByNumber', [`0x${(atSnapshot + 1n).toString(16)}`, false])) === null,
        balance: await c.getBalance({ address: to }),
        nonce: await c.getTransactionCount({ address: alice.address }),
        receiptGone: (await rpc('eth_getTransactionReceipt', [sent.hash])) === null,
        txGone: (await rpc('eth_getTransactionByHash', [sent.hash])) === null,
        revertAgain: await rpc('evm_revert', [id]),
      }
      const resent = await send(b)
      return { grew, balanceAtSnapshot: balance, after, resent: { sameHash: resent.hash === sent.hash, status: resent.status }, balanceAfterResend: await c.getBalance({ address: to }) }
    }
    const [o, n] = [await sequence(ours.url), await sequence(anvil.url)]
    assert.deepEqual(o, { grew: true, balanceAtSnapshot: 1n, after: { reverted: true, blockNumberBack: true, nextBlockGone: true, balance: 1n, nonce: 1, receiptGone: true, txGone: true, revertAgain: false }, resent: { sameHash: true, status: 'success' }, balanceAfterResend: 11n })
    assert.deepEqual(o, n)
  } finally {
    await anvil.stop()
    await ours.dispose()
  }
})
