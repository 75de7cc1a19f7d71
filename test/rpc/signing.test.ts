/**
 * Signing methods against viem: eth_sign / personal_sign recover with viem's
 * verifyMessage, and our EIP-712 digest equals viem's hashTypedData on nested
 * structs, arrays, every atomic type and a domain without EIP712Domain in
 * `types`; eth_signTypedData_v4 signatures verify with verifyTypedData.
 */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { hashTypedData as viemHash, verifyMessage, verifyTypedData, type TypedDataDefinition } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { RpcServer } from '../../src/rpc/server/server.js'
import { hashTypedData, parseTypedData } from '../../src/rpc/signing/typedData.js'
import { bytesToHex } from '../../src/primitives/hex.js'
import { startTestServer, rpc, DEV_KEYS } from './helpers.js'

const ALICE = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
let server: RpcServer
before(async () => {
  server = await startTestServer()
})
after(async () => {
  await server.close()
})

const mail = {
  domain: { name: 'Ether Mail', version: '1', chainId: 31337, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' },
  types: {
    Person: [
      { name: 'name', type: 'string' },
      { name: 'wallets', type: 'address[]' },
    ],
    Mail: [
      { name: 'from', type: 'Person' },
      { name: 'to', type: 'Person[]' },
      { name: 'contents', type: 'string' },
      { name: 'attachment', type: 'bytes' },
      { name: 'tags', type: 'bytes32[2]' },
      { name: 'amount', type: 'uint256' },
      { name: 'delta', type: 'int64' },
      { name: 'urgent', type: 'bool' },
      { name: 'grid', type: 'uint8[][]' },
    ],
  },
  primaryType: 'Mail',
  message: {
    from: { name: 'Cow', wallets: ['0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826', '0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF'] },
    to: [{ name: 'Bob', wallets: ['0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB'] }],
    contents: 'Hello, Bob! ✉',
    attachment: '0x0102ff',
    tags: ['0x' + '11'.repeat(32), '0x' + '22'.repeat(32)],
    amount: 10n ** 30n,
    delta: -42n,
    urgent: true,
    grid: [[1, 2], [], [255]],
  },
} as const

/** JSON-safe copy (bigints as decimal strings), as a wallet would send. */
function toJson(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)))
}

test('EIP-712 digest equals viem hashTypedData', () => {
  assert.equal(bytesToHex(hashTypedData(parseTypedData(toJson(mail)))), viemHash(mail as unknown as TypedDataDefinition))
  const permit = {
    domain: { name: 'USD Coin', version: '2', chainId: 1n, verifyingContract: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' as const, salt: ('0x' + 'ab'.repeat(32)) as `0x${string}` },
    types: { Permit: [{ name: 'owner', type: 'address' }, { name: 'value', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] },
    primaryType: 'Permit' as const,
    message: { owner: ALICE as `0x${string}`, value: 5n, deadline: 2n ** 255n },
  }
  assert.equal(bytesToHex(hashTypedData(parseTypedData(toJson(permit)))), viemHash(permit))
  // Domain-only signature (primaryType EIP712Domain).
  const domainOnly = { domain: { name: 'X' }, types: { EIP712Domain: [{ name: 'name', type: 'string' }] }, primaryType: 'EIP712Domain' as const, message: {} }
  assert.equal(bytesToHex(hashTypedData(parseTypedData(domainOnly))), viemHash(domainOnly as unknown as TypedDataDefinition))
})

test('EIP-712 rejects bad values', () => {
  const bad = (message: Record<string, unknown>) => () =>
    hashTypedData(parseTypedData({ domain: {}, types: { T: [{ name: 'x', type: 'uint8' }] }, primaryType: 'T', message }))
  assert.throws(bad({ x: 256 }), /out of range/)
  assert.throws(bad({ x: -1 }), /out of range/)
  assert.throws(bad({ x: 'abc' }), /integer/)
  assert.throws(() => hashTypedData(parseTypedData({ domain: {}, types: { T: [{ name: 'x', type: 'Nope' }] }, primaryType: 'T', message: { x: 1 } })), /unknown type/)
})

test('eth_signTypedData_v4 signs with the dev key; viem verifies it', async () => {
  const r = await rpc(server.url, 'eth_signTypedData_v4', [ALICE, toJson(mail)])
  const sig = r.result as `0x${string}`
  assert.equal(sig.length, 132)
  assert.ok(await verifyTypedData({ ...(mail as unknown as TypedDataDefinition), address: ALICE, signature: sig }))
  const viaString = await rpc(server.url, 'eth_signTypedData_v4', [ALICE, JSON.stringify(toJson(mail))])
  assert.equal(viaString.result, sig)
  const local = await privateKeyToAccount(DEV_KEYS[0]).signTypedData(mail as unknown as TypedDataDefinition)
  assert.equal(sig, local)
  const bad = await rpc(server.url, 'eth_signTypedData_v4', [ALICE, { types: {}, primaryType: 'Nope', domain: {}, message: {} }])
  assert.equal((bad.error as { code: number }).code, -32602)
})

test('personal_sign and eth_sign produce EIP-191 signatures viem verifies', async () => {
  const account = privateKeyToAccount(DEV_KEYS[0])
  const p = (await rpc(server.url, 'personal_sign', ['0x68656c6c6f', ALICE])).result as `0x${string}`
  assert.equal(p, await account.signMessage({ message: 'hello' }))
  assert.ok(await verifyMessage({ address: ALICE, message: 'hello', signature: p }))
  const e = (await rpc(server.url, 'eth_sign', [ALICE, '0x68656c6c6f'])).result
  assert.equal(e, p)
  const text = (await rpc(server.url, 'personal_sign', ['hello', ALICE])).result
  assert.equal(text, p)
})

test('signing with an unknown account is -32000', async () => {
  const r = await rpc(server.url, 'personal_sign', ['0x00', '0x0000000000000000000000000000000000000001'])
  assert.equal((r.error as { code: number }).code, -32000)
  assert.match((r.error as { message: string }).message, /unknown account/)
})
