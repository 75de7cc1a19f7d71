/**
 * Header encoding checked against a real peer: anvil's genesis block (Prague
 * fields) fetched over JSON-RPC must hash to the same value with our encoder,
 * and decode(encode(h)) must round-trip.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { decodeHeader, encodeHeader, headerHash, type BlockHeader } from '../../src/chain/header.js'
import { bytesToHex, hexToBigInt, hexToBytes } from '../../src/primitives/hex.js'

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = (await res.json()) as { result?: unknown; error?: unknown }
  if (body.error) throw new Error(JSON.stringify(body.error))
  return body.result
}

test('header hash matches anvil genesis (Prague)', async (t) => {
  const bin = process.cwd() + '/node_modules/.bin/anvil'
  const port = 20000 + Math.floor(Math.random() * 20000)
  const child = spawn(bin, ['--port', String(port), '--silent'], { stdio: 'ignore' })
  // SIGTERM: the npm launcher forwards it to the anvil binary (SIGKILL would orphan the binary)
  t.after(() => child.kill('SIGTERM'))
  const url = `http://127.0.0.1:${port}`
  let block: Record<string, string> | undefined
  for (let i = 0; i < 100 && !block; i++) {
    try {
      block = (await rpc(url, 'eth_getBlockByNumber', ['latest', false])) as Record<string, string>
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  assert.ok(block, 'anvil did not start')
  const h: BlockHeader = {
    parentHash: hexToBytes(block.parentHash!), ommersHash: hexToBytes(block.sha3Uncles!), coinbase: hexToBytes(block.miner!),
    stateRoot: hexToBytes(block.stateRoot!), transactionsRoot: hexToBytes(block.transactionsRoot!), receiptsRoot: hexToBytes(block.receiptsRoot!),
    logsBloom: hexToBytes(block.logsBloom!), difficulty: hexToBigInt(block.difficulty!), number: hexToBigInt(block.number!),
    gasLimit: hexToBigInt(block.gasLimit!), gasUsed: hexToBigInt(block.gasUsed!), timestamp: hexToBigInt(block.timestamp!),
    extraData: hexToBytes(block.extraData!), mixHash: hexToBytes(block.mixHash!), nonce: hexToBytes(block.nonce!),
    baseFeePerGas: hexToBigInt(block.baseFeePerGas!), withdrawalsRoot: hexToBytes(block.withdrawalsRoot!),
    blobGasUsed: hexToBigInt(block.blobGasUsed!), excessBlobGas: hexToBigInt(block.excessBlobGas!),
    parentBeaconBlockRoot: hexToBytes(block.parentBeaconBlockRoot!), requestsHash: hexToBytes(block.requestsHash!),
  }
  assert.equal(bytesToHex(headerHash(h)), block.hash)
  assert.deepEqual(decodeHeader(encodeHeader(h)), h)
})
