/**
 * Uniswap V2 end to end with viem on the real node: WETH9, UniswapV2Factory
 * and UniswapV2Router02 deployed from the published build artifacts of
 * @uniswap/v2-core and @uniswap/v2-periphery, two solc-compiled ERC20s, a
 * pair created by addLiquidity (the router's CREATE2 address derivation must
 * match the factory's), an ETH pair via addLiquidityETH, and swaps both ways
 * checked against the constant-product formula.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { createPublicClient, createWalletClient, http, parseEther, type Abi, type Hex, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { compileContracts } from '../contracts/compile.js'
import { startNode, DEV_KEYS } from './helpers.js'

const require = createRequire(import.meta.url)
interface UniArtifact { abi: Abi; bytecode: string }
const load = (p: string): { abi: Abi; bytecode: Hex } => {
  const a = require(p) as UniArtifact
  return { abi: a.abi, bytecode: (a.bytecode.startsWith('0x') ? a.bytecode : `0x${a.bytecode}`) as Hex }
}
const Factory = load('@uniswap/v2-core/build/UniswapV2Factory.json')
const Pair = load('@uniswap/v2-core/build/UniswapV2Pair.json')
const Router = load('@uniswap/v2-periphery/build/UniswapV2Router02.json')
const WETH = load('@uniswap/v2-periphery/build/WETH9.json')

function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const withFee = amountIn * 997n
  return (withFee * reserveOut) / (reserveIn * 1000n + withFee)
}

test('Uniswap V2: factory, router, pair creation, liquidity and swaps', async () => {
  const n = await startNode({ args: ['--block-time', '300ms'] })
  try {
    const token = compileContracts().Token!
    const account = privateKeyToAccount(DEV_KEYS[0]!)
    const pub = createPublicClient({ chain: foundry, transport: http(n.url) })
    const wallet = createWalletClient({ account, chain: foundry, transport: http(n.url) })
    const deploy = async (a: { abi: unknown[] | Abi; bytecode: Hex }, args: unknown[]): Promise<Address> => {
      const hash = await wallet.deployContract({ abi: a.abi as Abi, bytecode: a.bytecode, args, gas: 8_000_000n })
      const r = await pub.waitForTransactionReceipt({ hash })
      assert.equal(r.status, 'success')
      return r.contractAddress!
    }
    const send = async (address: Address, abi: Abi, functionName: string, args: unknown[], value?: bigint): Promise<void> => {
      const hash = await wallet.writeContract({ address, abi, functionName, args, ...(value !== undefined ? { value } : {}), gas: 5_000_000n })
      const r = await pub.waitForTransactionReceipt({ hash })
      assert.equal(r.status, 'success', `${functionName} failed`)
    }
    const weth = await deploy(WETH, [])
    const factory = await deploy(Factory, [account.address])
    const router = await deploy(Router, [factory, weth])
    const tokA = await deploy(token, ['Token A', 'TKA', parseEther('1000000')])
    const tokB = await deploy(token, ['Token B', 'TKB', parseEther('1000000')])
    assert.equal(((await pub.readContract({ address: router, abi: Router.abi, functionName: 'factory' })) as string).toLowerCase(), factory.toLowerCase())
    for (const t of [tokA, tokB]) await send(t, token.abi as Abi, 'approve', [router, 2n ** 256n - 1n])
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600 * 24 * 365)
    await send(router, Router.abi, 'addLiquidity', [tokA, tokB, parseEther('1000'), parseEther('4000'), 0n, 0n, account.address, deadline])
    const pair = (await pub.readContract({ address: factory, abi: Factory.abi, functionName: 'getPair', args: [tokA, tokB] })) as Address
    assert.notEqual(pair, '0x0000000000000000000000000000000000000000')
    assert.equal(await pub.readContract({ address: factory, abi: Factory.abi, functionName: 'allPairsLength' }), 1n)
    const lp = (await pub.readContract({ address: pair, abi: Pair.abi, functionName: 'balanceOf', args: [account.address] })) as bigint
    assert.equal(lp, 2000n * 10n ** 18n - 1000n, 'sqrt(1000e18 * 4000e18) - MINIMUM_LIQUIDITY')
    const token0 = ((await pub.readContract({ address: pair, abi: Pair.abi, functionName: 'token0' })) as string).toLowerCase()
    const reserves = async (): Promise<{ a: bigint; b: bigint }> => {
      const [r0, r1] = (await pub.readContract({ address: pair, abi: Pair.abi, functionName: 'getReserves' })) as [bigint, bigint, number]
      return token0 === tokA.toLowerCase() ? { a: r0, b: r1 } : { a: r1, b: r0 }
    }
    assert.deepEqual(await reserves(), { a: parseEther('1000'), b: parseEther('4000') })
    const bob = privateKeyToAccount(DEV_KEYS[1]!).address
    const bal = (t: Address, who: Address): Promise<bigint> => pub.readContract({ address: t, abi: token.abi as Abi, functionName: 'balanceOf', args: [who] }) as Promise<bigint>
    // swap A -> B
    const inA = parseEther('10')
    const expectB = amountOut(inA, parseEther('1000'), parseEther('4000'))
    const quoted = (await pub.readContract({ address: router, abi: Router.abi, functionName: 'getAmountsOut', args: [inA, [tokA, tokB]] })) as bigint[]
    assert.equal(quoted[1], expectB)
    await send(router, Router.abi, 'swapExactTokensForTokens', [inA, expectB, [tokA, tokB], bob, deadline])
    assert.equal(await bal(tokB, bob), expectB)
    assert.deepEqual(await reserves(), { a: parseEther('1010'), b: parseEther('4000') - expectB })
    // swap B -> A (exact output)
    const outA = parseEther('1')
    const r = await reserves()
    const needB = (r.b * outA * 1000n) / ((r.a - outA) * 997n) + 1n
    await send(router, Router.abi, 'swapTokensForExactTokens', [outA, needB, [tokB, tokA], bob, deadline])
    assert.equal(await bal(tokA, bob), outA)
    // ETH pair
    await send(router, Router.abi, 'addLiquidityETH', [tokA, parseEther('500'), 0n, 0n, account.address, deadline], parseEther('50'))
    const ethPair = (await pub.readContract({ address: factory, abi: Factory.abi, functionName: 'getPair', args: [tokA, weth] })) as Address
    assert.equal(await pub.readContract({ address: weth, abi: WETH.abi, functionName: 'balanceOf', args: [ethPair] }), parseEther('50'))
    const before = await bal(tokA, bob)
    await send(router, Router.abi, 'swapExactETHForTokens', [0n, [weth, tokA], bob, deadline], parseEther('1'))
    assert.equal((await bal(tokA, bob)) - before, amountOut(parseEther('1'), parseEther('50'), parseEther('500')))
    // a swap below the minimum output reverts with the router's message
    await assert.rejects(
      pub.simulateContract({ account, address: router, abi: Router.abi, functionName: 'swapExactTokensForTokens', args: [inA, parseEther('1000'), [tokA, tokB], bob, deadline] }),
      /INSUFFICIENT_OUTPUT_AMOUNT/,
    )
  } finally {
    await n.dispose()
  }
})
