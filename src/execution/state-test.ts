/**
 * Runs Ethereum state-test vectors (GeneralStateTests / EEST `state_tests`
 * format) through `executeTransaction` and checks the post-state root (MPT)
 * and the logs hash. Used by `scripts/conformance.ts`, the npm-test slice and
 * the EVM benchmark. Vectors with `expectException` must be rejected as
 * invalid transactions and leave the state unchanged.
 *
 * BLOCKHASH in state tests follows geth's filler: keccak256 of the decimal
 * block number as text.
 */
import { keccak256 } from '../crypto/keccak.js'
import { privateKeyToAddress } from '../crypto/secp256k1.js'
import { parseFork, type Fork } from '../eth/fork.js'
import { logsHash } from '../eth/log.js'
import { stateRoot } from '../eth/state-root.js'
import type { AccessListItem, Authorization, Transaction } from '../eth/transaction/types.js'
import { CodeCache } from '../evm/code.js'
import type { BlockEnv } from '../evm/env.js'
import { bytesToHex, hexToBigInt, looseHexToBytes } from '../primitives/hex.js'
import { MemoryState } from '../state/memory.js'
import { StateOverlay } from '../state/overlay.js'
import { TxRejectedError } from './errors.js'
import { blobBaseFee, executeTransaction, type TxResult } from './transaction.js'

/** A malformed state-test file. */
export class StateTestFormatError extends Error {
  override name = 'StateTestFormatError'
}

/** Raw JSON of one state test (fields are hex strings). */
export interface StateTestJson {
  env: Record<string, string>
  pre: Record<string, { balance: string; code: string; nonce: string; storage: Record<string, string> }>
  transaction: Record<string, unknown>
  post: Record<string, { indexes: { data: number; gas: number; value: number }; hash: string; logs: string; expectException?: string }[]>
}

/** Outcome of one vector. */
export interface VectorResult {
  /** `testName[d,g,v]`. */
  name: string
  pass: boolean
  /** One-line reason when failing. */
  reason: string | undefined
  /** Gas used (valid transactions). */
  gasUsed: bigint | undefined
}

const big = (s: unknown): bigint => hexToBigInt(String(s))
const bytes = (s: unknown): Uint8Array => looseHexToBytes(String(s ?? '0x'))

/** Build the pre-state of a test. */
export function buildPreState(pre: StateTestJson['pre']): MemoryState {
  const m = new MemoryState()
  for (const [addr, a] of Object.entries(pre)) {
    const storage: [bigint, bigint][] = Object.entries(a.storage ?? {}).map(([k, v]) => [big(k), big(v)])
    m.setAccount(bytes(addr), { nonce: big(a.nonce), balance: big(a.balance), code: bytes(a.code), storage })
  }
  m.blockHashFn = (n) => keccak256(new TextEncoder().encode(n.toString()))
  return m
}

/** Block environment of a test under `fork`. */
export function buildBlockEnv(env: Record<string, string>, fork: Fork): BlockEnv {
  const excess = env.currentExcessBlobGas !== undefined ? big(env.currentExcessBlobGas) : 0n
  return {
    number: big(env.currentNumber),
    timestamp: big(env.currentTimestamp),
    coinbase: bytes(env.currentCoinbase),
    gasLimit: big(env.currentGasLimit),
    baseFee: env.currentBaseFee !== undefined ? big(env.currentBaseFee) : 0n,
    prevRandao: looseHexToBytes(env.currentRandom ?? '0x' + '00'.repeat(32), 32),
    blobBaseFee: blobBaseFee(excess, fork),
    chainId: 1n,
    fork,
    difficulty: env.currentDifficulty !== undefined ? big(env.currentDifficulty) : 0n,
  }
}

/** Build the transaction of one vector (indexes into data/gasLimit/value). */
// `any`: fixture JSON is untyped; every field goes through the checked hex parsers.
export function buildTransaction(t: Record<string, any>, idx: { data: number; gas: number; value: number }): { tx: Transaction; sender: Uint8Array } {
  const data = bytes(t.data[idx.data])
  const gasLimit = big(t.gasLimit[idx.gas])
  const value = big(t.value[idx.value])
  const nonce = big(t.nonce)
  const to = t.to === '' || t.to === undefined || t.to === null ? null : bytes(t.to)
  const sender: Uint8Array = t.sender ? bytes(t.sender) : privateKeyToAddress(bytes(t.secretKey))
  const alRaw = t.accessLists ? t.accessLists[idx.data] : undefined
  const accessList: AccessListItem[] = (alRaw ?? []).map((e: any) => ({ address: bytes(e.address), storageKeys: (e.storageKeys ?? []).map((k: string) => looseHexToBytes(k, 32)) }))
  const base = { nonce, gasLimit, to, value, data, r: 0n, s: 0n }
  let tx: Transaction
  if (t.authorizationList !== undefined) {
    const authorizationList: Authorization[] = t.authorizationList.map((a: any) => ({ chainId: big(a.chainId), address: bytes(a.address), nonce: big(a.nonce), yParity: Number(big(a.v ?? a.yParity)), r: big(a.r), s: big(a.s) }))
    tx = { ...base, type: 4, chainId: 1n, maxFeePerGas: big(t.maxFeePerGas), maxPriorityFeePerGas: big(t.maxPriorityFeePerGas), accessList, authorizationList, yParity: 0 }
  } else if (t.blobVersionedHashes !== undefined) {
    tx = { ...base, type: 3, chainId: 1n, maxFeePerGas: big(t.maxFeePerGas), maxPriorityFeePerGas: big(t.maxPriorityFeePerGas), accessList, maxFeePerBlobGas: big(t.maxFeePerBlobGas), blobVersionedHashes: t.blobVersionedHashes.map((h: string) => bytes(h)), yParity: 0 }
  } else if (t.maxFeePerGas !== undefined) {
    tx = { ...base, type: 2, chainId: 1n, maxFeePerGas: big(t.maxFeePerGas), maxPriorityFeePerGas: big(t.maxPriorityFeePerGas), accessList, yParity: 0 }
  } else if (t.accessLists !== undefined && alRaw !== undefined && alRaw !== null) {
    tx = { ...base, type: 1, chainId: 1n, gasPrice: big(t.gasPrice), accessList, yParity: 0 }
  } else {
    tx = { ...base, type: 0, gasPrice: big(t.gasPrice), v: 27n, chainId: null }
  }
  return { tx, sender }
}

/** MPT state root of a `MemoryState`. */
export function memoryStateRoot(m: MemoryState): Uint8Array {
  return stateRoot(m.allAccounts())
}

/** Options for `runStateTest`. */
export interface RunOptions {
  fork?: Fork
  /** Keep only vectors whose name contains this text. */
  filter?: string
  codeCache?: CodeCache
  /** Skip post checks (benchmarks): just execute. */
  executeOnly?: boolean
}

/** Run every vector of one test for `fork` (default Cancun). */
export function runStateTest(name: string, test: StateTestJson, opts: RunOptions = {}): VectorResult[] {
  const forkName = opts.fork ?? 'Cancun'
  const posts = test.post?.[forkName] ?? findFork(test.post, forkName)
  if (!posts) return []
  const fork = parseFork(forkName)
  if (!fork) throw new StateTestFormatError(`unknown fork ${forkName}`)
  const out: VectorResult[] = []
  const codeCache = opts.codeCache ?? new CodeCache()
  let preRoot: string | undefined
  for (const p of posts) {
    const vname = `${name}[d${p.indexes.data},g${p.indexes.gas},v${p.indexes.value}]`
    if (opts.filter && !vname.includes(opts.filter)) continue
    const pre = buildPreState(test.pre)
    const block = buildBlockEnv(test.env, fork)
    let tx: Transaction
    let sender: Uint8Array
    try {
      ;({ tx, sender } = buildTransaction(test.transaction, p.indexes))
    } catch (e) {
      if (p.expectException) {
        out.push({ name: vname, pass: true, reason: undefined, gasUsed: undefined })
        continue
      }
      out.push({ name: vname, pass: false, reason: `tx build: ${(e as Error).message}`, gasUsed: undefined })
      continue
    }
    const overlay = new StateOverlay(pre)
    let res: TxResult | undefined
    let rejected: Error | undefined
    try {
      res = executeTransaction(overlay, tx, sender, block, { codeCache })
    } catch (e) {
      if (!(e instanceof TxRejectedError)) {
        out.push({ name: vname, pass: false, reason: `crash: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`, gasUsed: undefined })
        continue
      }
      rejected = e
    }
    if (opts.executeOnly) {
      out.push({ name: vname, pass: true, reason: undefined, gasUsed: res?.gasUsed })
      continue
    }
    if (p.expectException) {
      if (!rejected) {
        out.push({ name: vname, pass: false, reason: `expected exception ${p.expectException}, tx accepted (status ${res!.status})`, gasUsed: res!.gasUsed })
        continue
      }
      preRoot ??= bytesToHex(memoryStateRoot(pre))
      const ok = preRoot === p.hash.toLowerCase()
      out.push({ name: vname, pass: ok, reason: ok ? undefined : `rejected (${rejected.message}) but pre root ${preRoot} != ${p.hash}`, gasUsed: undefined })
      continue
    }
    if (rejected) {
      out.push({ name: vname, pass: false, reason: `rejected: ${rejected.message}`, gasUsed: undefined })
      continue
    }
    pre.apply(overlay.diff())
    const root = bytesToHex(memoryStateRoot(pre))
    const lh = bytesToHex(logsHash(res!.logs))
    if (root !== p.hash.toLowerCase()) {
      out.push({ name: vname, pass: false, reason: `state root ${root} != ${p.hash} (status ${res!.status}, gas ${res!.gasUsed}${res!.error ? ', ' + res!.error : ''})`, gasUsed: res!.gasUsed })
    } else if (lh !== p.logs.toLowerCase()) {
      out.push({ name: vname, pass: false, reason: `logs hash ${lh} != ${p.logs}`, gasUsed: res!.gasUsed })
    } else out.push({ name: vname, pass: true, reason: undefined, gasUsed: res!.gasUsed })
  }
  return out
}

function findFork(post: StateTestJson['post'] | undefined, fork: string): StateTestJson['post'][string] | undefined {
  if (!post) return undefined
  for (const k of Object.keys(post)) if (parseFork(k) === parseFork(fork)) return post[k]
  return undefined
}

/** Run every test in a parsed state-test file. */
export function runStateTestFile(json: Record<string, StateTestJson>, opts: RunOptions = {}): VectorResult[] {
  const out: VectorResult[] = []
  for (const [name, t] of Object.entries(json)) out.push(...runStateTest(name, t, opts))
  return out
}
