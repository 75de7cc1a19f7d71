/**
 * Child process of the sequencer crash test (crash.test.ts): opens (or
 * resumes) a chain in the data directory given as argv[2] with 50 ms blocks,
 * keeps one sender's transfers flowing (nonce from the latest state) so
 * every block is sealed in slices while mini-blocks run, and prints
 * `head <n>` after each block is durable, until the parent kills it.
 */
import { Chain } from '../../src/chain/chain.js'
import { encodeTransaction, signTransaction } from '../../src/eth/transaction/index.js'
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import { hexToBytes } from '../../src/primitives/hex.js'

/** Funded senders of the crash chain (the parent derives the same ones). */
export const CRASH_KEYS = Array.from({ length: 4 }, (_, i) => keccak256(Uint8Array.of(9, i)))
/** Block interval of the crash chain: many seals per second of the child's life. */
export const CRASH_BLOCK_MS = 50
const RECIPIENT = hexToBytes('0x00000000000000000000000000000000000000cc')

/** Options of the crash chain (shared with the parent's reopen). */
export function crashChainOptions(dataDir: string): Parameters<typeof Chain.open>[0] {
  return { chainId: 31337n, genesis: CRASH_KEYS.map((k) => ({ address: privateKeyToAddress(k), balance: 10n ** 24n })), dataDir, blockTimeMs: CRASH_BLOCK_MS, sealSliceMs: 0, genesisTimestamp: 1_700_000_000n }
}

async function main(): Promise<void> {
  const chain = await Chain.open(crashChainOptions(process.argv[2]!))
  chain.on('newHead', (b) => {
    // the header is published before its chain-store commit: report it once durable
    void chain.flush().then(() => process.stdout.write(`head ${b.number}\n`))
  })
  let k = 0
  for (;;) {
    const key = CRASH_KEYS[k++ % CRASH_KEYS.length]!
    const nonce = chain.latestState().account(privateKeyToAddress(key))?.nonce ?? 0n
    const raw = encodeTransaction(signTransaction({ type: 2, chainId: 31337n, nonce, gasLimit: 21000n, to: RECIPIENT, value: 1n, data: new Uint8Array(0), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, accessList: [] }, key))
    await chain.waitForReceipt(chain.submitRaw(raw).hash, 1000, new AbortController().signal)
    await new Promise((r) => setTimeout(r, 1))
  }
}

if (process.argv[2] !== undefined && process.argv[1]?.endsWith('crashChild.js')) void main()
