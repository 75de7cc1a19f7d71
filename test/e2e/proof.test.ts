/**
 * End-to-end `tachyon_getProof`: a real node on a loopback port, an ERC20
 * deployed and used with viem, then QMDB proofs fetched over JSON-RPC and
 * checked with `verifyProof` against the `stateRoot` of the block header the
 * answer names: membership for the token account and a holder's balance
 * slot, non-membership for an unused slot and an unknown account; tampered
 * proofs (entry, twig path, active-bits page, wrong root) fail; old blocks
 * answer a clear error; `eth_getProof` keeps pointing at `tachyon_getProof`.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicClient, createWalletClient, http, keccak256, encodeAbiParameters, type Abi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { compileContracts } from '../contracts/compile.js'
import { startNode, DEV_KEYS } from './helpers.js'
import { verifyProof, type QmdbProof } from '../../src/ads/proof.js'
import { decodeAccount } from '../../src/state/qmdb/store.js'
import { proofFromJson, type StateProofJson } from '../../src/node/proof-json.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import { bytesToBigInt } from '../../src/primitives/bytes.js'

const token = compileContracts().Token!

function flipped(p: QmdbProof, field: 'entry' | 'leftPath' | 'page' | 'upperPath' | 'rightPath', at: number): QmdbProof {
  const b = p[field].slice()
  b[at % b.length]! ^= 0x01
  return { ...p, [field]: b }
}

async function rpcError(url: string, method: string, params: unknown[]): Promise<{ code: number; message: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const j = (await res.json()) as { error?: { code: number; message: string } }
  assert.ok(j.error, `${method} should fail`)
  return j.error
}

test('tachyon_getProof: QMDB proofs over RPC verify against the sealed header stateRoot; tampering fails', async () => {
  const n = await startNode({ args: ['--block-time', '200ms'] })
  try {
    const account = privateKeyToAccount(DEV_KEYS[0]!)
    const bob = privateKeyToAccount(DEV_KEYS[1]!)
    const pub = createPublicClient({ chain: foundry, transport: http(n.url) })
    const wallet = createWalletClient({ account, chain: foundry, transport: http(n.url) })
    const deployHash = await wallet.deployContract({ abi: token.abi as Abi, bytecode: token.bytecode, args: ['Proof Token', 'PRF', 10n ** 24n] })
    const tokenAddr = (await pub.waitForTransactionReceipt({ hash: deployHash })).contractAddress!
    const h = await wallet.writeContract({ address: tokenAddr, abi: token.abi as Abi, functionName: 'transfer', args: [bob.address, 1234n] })
    const rcpt = await pub.waitForTransactionReceipt({ hash: h })
    // wait (generously) until the block holding the transfer is sealed
    for (let i = 0; i < 200 && (await pub.getBlockNumber()) < rcpt.blockNumber; i++) await new Promise((r) => setTimeout(r, 25))
    assert.ok((await pub.getBlockNumber()) >= rcpt.blockNumber)

    // OpenZeppelin ERC20: _balances is the mapping at slot 0
    const bobSlot = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [bob.address, 0n]))
    const unusedSlot = ('0x' + '77'.repeat(32)) as Hex
    const res = (await pub.request({ method: 'tachyon_getProof' as never, params: [tokenAddr, [bobSlot, unusedSlot], 'latest'] as never })) as StateProofJson
    const block = await pub.getBlock({ blockNumber: BigInt(res.blockNumber) })
    assert.equal(res.blockHash, block.hash)
    assert.equal(res.stateRoot, block.stateRoot)
    assert.ok(BigInt(res.blockNumber) >= rcpt.blockNumber)
    const root = hexToBytes(block.stateRoot)

    // the token account: membership, value = nonce ‖ balance ‖ codeHash
    const acct = proofFromJson(res.account.proof)
    const va = verifyProof(acct, root)
    assert.ok(va.ok && va.exists, `account proof: ${JSON.stringify(va)}`)
    const info = decodeAccount(va.value)
    assert.equal(info.nonce, 1n)
    assert.equal(bytesToHex(info.codeHash), keccak256((await pub.getCode({ address: tokenAddr }))!))
    assert.equal(res.account.exists, true)
    assert.equal(res.account.codeHash, bytesToHex(info.codeHash))

    // bob's balance slot: membership with the 32-byte word 1234
    const slotProof = proofFromJson(res.storageProof[0]!.proof)
    const vs = verifyProof(slotProof, root)
    assert.ok(vs.ok && vs.exists)
    assert.equal(bytesToBigInt(vs.value), 1234n)
    assert.equal(BigInt(res.storageProof[0]!.value), 1234n)

    // an unused slot: non-membership
    const vu = verifyProof(proofFromJson(res.storageProof[1]!.proof), root)
    assert.deepEqual(vu, { ok: true, exists: false })
    assert.equal(res.storageProof[1]!.exists, false)
    assert.equal(res.storageProof[1]!.value, '0x0')

    // an account that never existed: non-membership
    const ghost = (await pub.request({ method: 'tachyon_getProof' as never, params: ['0x00000000000000000000000000000000deadbeef', [], 'latest'] as never })) as StateProofJson
    const ghostBlock = await pub.getBlock({ blockNumber: BigInt(ghost.blockNumber) })
    assert.equal(ghost.account.exists, false)
    assert.deepEqual(verifyProof(proofFromJson(ghost.account.proof), hexToBytes(ghostBlock.stateRoot)), { ok: true, exists: false })

    // tampering fails
    for (const [field, at] of [['entry', 40], ['leftPath', 5], ['upperPath', 0], ['rightPath', 70]] as const) {
      if (acct[field].length === 0) continue
      const r = verifyProof(flipped(acct, field, at), root)
      assert.equal(r.ok, false, `flipped ${field} must not verify`)
    }
    // the entry's own bit in its ActiveBits page cleared
    const pageTampered = verifyProof({ ...slotProof, page: new Uint8Array(32) }, root)
    assert.equal(pageTampered.ok, false)
    // a claimed different value (balance 1235) fails
    const forged = slotProof.entry.slice()
    const valueAt = indexOf(forged, vs.value)
    assert.ok(valueAt > 0)
    forged[valueAt + 31] = forged[valueAt + 31]! ^ 0x07
    assert.equal(verifyProof({ ...slotProof, entry: forged }, root).ok, false)
    // the right proof against another block's root fails
    const parent = await pub.getBlock({ blockNumber: rcpt.blockNumber - 1n })
    assert.equal(verifyProof(acct, hexToBytes(parent.stateRoot)).ok, false)

    // the head block by number works; an old block gives a clear error
    const byNumber = (await pub.request({ method: 'tachyon_getProof' as never, params: [tokenAddr, [], res.blockNumber] as never }).catch((e: Error) => e)) as StateProofJson | Error
    if (!(byNumber instanceof Error)) assert.equal(byNumber.blockNumber, res.blockNumber)
    else assert.match(byNumber.message, /not retained/) // the head moved on meanwhile
    const old = await rpcError(n.url, 'tachyon_getProof', [tokenAddr, [], '0x1'])
    assert.equal(old.code, -32000)
    assert.match(old.message, /latest sealed block only .*not retained/)
    const pending = await rpcError(n.url, 'tachyon_getProof', [tokenAddr, [], 'pending'])
    assert.equal(pending.code, -32000)
    // eth_getProof keeps naming tachyon_getProof
    const eth = await rpcError(n.url, 'eth_getProof', [tokenAddr, [], 'latest'])
    assert.equal(eth.code, -32004)
    assert.match(eth.message, /tachyon_getProof/)
  } finally {
    await n.dispose()
  }
})

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}
