/**
 * SIGKILL crash rounds of the sequencer while blocks are sealed in slices
 * (QMDB apply, then chain-store records appended before the state root is
 * durable, then the chain-store commit): after every kill the chain reopens
 * (its head's stateRoot equals QMDB's root, or the documented empty block
 * bridges a crash between the two commits), no block reported durable is
 * lost, the state is the sum of the included transfers, and the mini-block
 * chain continues from the head's extraData.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Chain } from '../../src/chain/chain.js'
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js'
import { hexToBytes } from '../../src/primitives/hex.js'
import { equalBytes } from '../../src/primitives/bytes.js'
import { CRASH_KEYS, crashChainOptions } from './crashChild.js'

/** Kills per run of the fast suite. */
const KILLS = 4
/** Durable blocks a child reports before it may be killed (so each round seals under load). */
const MIN_BLOCKS_PER_ROUND = 3
/** Longest a round may take on a loaded CI box. */
const ROUND_DEADLINE_MS = 60_000
const RECIPIENT = hexToBytes('0x00000000000000000000000000000000000000cc')

/** Run the child until it reported `minBlocks` durable blocks, then SIGKILL it after a random short delay; returns the highest durable head it reported. */
function round(dir: string, minBlocks: number, seed: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./crashChild.js', import.meta.url)), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    let head = -1
    let seen = 0
    let killing = false
    const deadline = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`child reported ${seen} blocks before the deadline`))
    }, ROUND_DEADLINE_MS)
    let buf = ''
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        const m = /^head (\d+)$/.exec(line)
        if (m === null) continue
        head = Math.max(head, Number(m[1]))
        if (++seen >= minBlocks && !killing) {
          killing = true
          // somewhere inside the next seal (50 ms blocks)
          setTimeout(() => child.kill('SIGKILL'), (seed * 37) % 60)
        }
      }
    })
    child.on('exit', () => {
      clearTimeout(deadline)
      resolve(head)
    })
  })
}

test(`sequencer SIGKILL crash rounds (${KILLS}) while sealing in slices: reopen, no durable block lost, state agrees`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-chain-crash-'))
  try {
    let durable = -1
    for (let k = 0; k < KILLS; k++) {
      const reported = await round(dir, MIN_BLOCKS_PER_ROUND, k + 1)
      durable = Math.max(durable, reported)
      const chain = await Chain.open({ ...crashChainOptions(dir), autoSeal: false })
      try {
        const head = chain.headNumber
        assert.ok(head >= BigInt(durable), `round ${k}: head ${head} lost durable block ${durable}`)
        // every included transfer is in the state, and no other change: RECIPIENT's balance counts the transfers
        let included = 0n
        for (let n = 1n; n <= head; n++) included += BigInt(chain.getBlock(n)!.txs.length)
        const got = chain.latestState().account(RECIPIENT)?.balance ?? 0n
        // a crash between the QMDB and chain-store commits keeps the state of a block whose transactions are lost
        assert.ok(got >= included, `round ${k}: recipient balance ${got} < ${included} included transfers`)
        const nonces = CRASH_KEYS.reduce((s, key) => s + (chain.latestState().account(privateKeyToAddress(key))?.nonce ?? 0n), 0n)
        assert.equal(nonces, got, `round ${k}: sender nonces and recipient balance agree`)
        // the mini-block chain continues from the head's extraData
        let parent: Uint8Array | undefined
        chain.on('miniBlock', (m) => (parent ??= m.header.parentHash))
        const nonce = chain.latestState().account(privateKeyToAddress(CRASH_KEYS[0]!))?.nonce ?? 0n
        const { encodeTransaction, signTransaction } = await import('../../src/eth/transaction/index.js')
        const raw = encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce, gasLimit: 21000n, to: RECIPIENT, value: 1n, data: new Uint8Array(0), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, CRASH_KEYS[0]!))
        assert.equal((await chain.waitForReceipt(chain.submitRaw(raw).hash, 5000, new AbortController().signal))?.status, 1)
        assert.ok(parent !== undefined && equalBytes(parent, chain.getBlock(head)!.header.extraData), `round ${k}: mini-block chain continues`)
        await chain.mine(1n)
        durable = Math.max(durable, Number(chain.headNumber))
      } finally {
        await chain.close()
      }
    }
    assert.ok(durable >= KILLS * MIN_BLOCKS_PER_ROUND, `children sealed blocks (durable head ${durable})`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
