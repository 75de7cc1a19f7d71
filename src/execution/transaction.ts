/**
 * Transaction processing on top of the EVM: validity checks (nonce, fees,
 * balance, intrinsic gas, EIP-7623 floor, blobs, EIP-7702), gas purchase,
 * access-list warming, EIP-7702 authorizations, execution, refunds (EIP-3529
 * cap), coinbase payment and the receipt. Also `callMessage` for
 * `eth_call`-style execution on the same machinery (no signature, no nonce
 * bump, no fee).
 *
 * Invalid transactions throw `TxRejectedError` (or the codec's
 * `InvalidTransactionError`) before any state is changed.
 */
import { keccak256 } from '../crypto/keccak.js'
import { createAddress } from '../crypto/address.js'
import { forkAtLeast, type Fork } from '../eth/fork.js'
import type { Log } from '../eth/log.js'
import { makeReceipt, type Receipt, type ReceiptType } from '../eth/receipt.js'
import { floorDataGas, intrinsicGas } from '../eth/transaction/gas.js'
import { recoverAuthority } from '../eth/transaction/sign.js'
import type { Transaction } from '../eth/transaction/types.js'
import { CodeCache } from '../evm/code.js'
import { CallKind, type BlockEnv, type Message, type TxEnv } from '../evm/env.js'
import { delegationTarget, DELEGATION_PREFIX, Evm, splitGas } from '../evm/interpreter.js'
import { MAX_INITCODE_SIZE } from '../evm/opcodes.js'
import { addressToBigInt, bigIntToAddress, type StateOverlay } from '../state/overlay.js'
import { TxRejectedError } from './errors.js'

export type { BlockEnv } from '../evm/env.js'

const MAX_U64 = (1n << 64n) - 1n
const MAX_U256 = (1n << 256n) - 1n
/** Gas per blob (EIP-4844). */
export const GAS_PER_BLOB = 131072n
/** EIP-7702 refund when the authority already exists (PER_EMPTY_ACCOUNT_COST - PER_AUTH_BASE_COST). */
const AUTH_EXISTING_REFUND = 25000 - 12500

/** Blob schedule of a fork (EIP-4844, EIP-7691). */
export interface BlobSchedule {
  target: number
  max: number
  updateFraction: bigint
}

/** Blob target/max/update fraction per fork: Cancun 3/6/3338477, Prague 6/9/5007716 (EIP-7691). */
export function blobSchedule(fork: Fork): BlobSchedule {
  return forkAtLeast(fork, 'Prague') ? { target: 6, max: 9, updateFraction: 5007716n } : { target: 3, max: 6, updateFraction: 3338477n }
}

/** EIP-4844 `fake_exponential(factor, numerator, denominator)`. */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n
  let output = 0n
  let acc = factor * denominator
  while (acc > 0n) {
    output += acc
    acc = (acc * numerator) / (denominator * i)
    i++
  }
  return output / denominator
}

/** Blob base fee for an excess blob gas under `fork`. */
export function blobBaseFee(excessBlobGas: bigint, fork: Fork): bigint {
  return fakeExponential(1n, excessBlobGas, blobSchedule(fork).updateFraction)
}

/** Next block's excess blob gas from the parent's excess and used blob gas. */
export function nextExcessBlobGas(parentExcess: bigint, parentBlobGasUsed: bigint, fork: Fork): bigint {
  const target = BigInt(blobSchedule(fork).target) * GAS_PER_BLOB
  const sum = parentExcess + parentBlobGasUsed
  return sum < target ? 0n : sum - target
}

/** Build a block environment with defaults for the optional parts. */
export function makeBlockEnv(p: Partial<BlockEnv> & { fork: Fork }): BlockEnv {
  return {
    number: p.number ?? 0n,
    timestamp: p.timestamp ?? 0n,
    coinbase: p.coinbase ?? new Uint8Array(20),
    gasLimit: p.gasLimit ?? 30_000_000n,
    baseFee: p.baseFee ?? 0n,
    prevRandao: p.prevRandao ?? new Uint8Array(32),
    blobBaseFee: p.blobBaseFee ?? 1n,
    chainId: p.chainId ?? 1n,
    fork: p.fork,
    ...(p.difficulty !== undefined ? { difficulty: p.difficulty } : {}),
  }
}

/** The result of a transaction. */
export interface TxResult {
  /** 1 success, 0 failure (revert or exceptional halt). */
  status: 0 | 1
  /** Gas charged to the sender (after refunds and the EIP-7623 floor). */
  gasUsed: bigint
  /** Gas used before refunds. */
  gasUsedBeforeRefund: bigint
  /** Refund applied. */
  gasRefund: bigint
  /** Logs emitted (empty on failure). */
  logs: Log[]
  /** RETURN or REVERT data of the top-level call. */
  returnData: Uint8Array
  /** Address of the created contract (creation transactions that succeeded). */
  createdAddress: Uint8Array | undefined
  /** Why execution failed (revert or halt reason). */
  error: string | undefined
  /** Effective gas price paid per gas. */
  effectiveGasPrice: bigint
  /** Blob gas used (type 3). */
  blobGasUsed: bigint
  /** The consensus receipt (cumulative gas = `cumulativeGasUsed` option + gasUsed). */
  receipt: Receipt
}

/** Options for `executeTransaction`. */
export interface ExecuteOptions {
  /** Gas used by earlier transactions of the block (for the receipt and the block gas limit check). */
  cumulativeGasUsed?: bigint
  /** Analysed-code cache to reuse across transactions. */
  codeCache?: CodeCache
  /** Reuse an existing EVM for the same block and state (faster). */
  evm?: Evm
}

function feeCap(tx: Transaction): bigint {
  return tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxFeePerGas
}

/** Effective gas price of `tx` at `baseFee`. */
export function effectiveGasPrice(tx: Transaction, baseFee: bigint): bigint {
  if (tx.type === 0 || tx.type === 1) return tx.gasPrice
  const p = baseFee + tx.maxPriorityFeePerGas
  return p < tx.maxFeePerGas ? p : tx.maxFeePerGas
}

/** Warm the EIP-2929 set every transaction starts with. */
function warmPrecompilesEtc(evm: Evm, sender: bigint, to: bigint | undefined, tx: Transaction): void {
  const state = evm.state
  state.warmAccount(state.account(sender))
  if (to !== undefined) state.warmAccount(state.account(to))
  const maxPre = forkAtLeast(evm.fork, 'Prague') ? 0x11 : forkAtLeast(evm.fork, 'Cancun') ? 0x0a : 0x09
  for (let i = 1; i <= maxPre; i++) state.warmAccount(state.account(BigInt(i)))
  if (forkAtLeast(evm.fork, 'Shanghai')) state.warmAccount(state.account(evm.coinbase))
  if (tx.type !== 0) {
    for (const item of tx.accessList) {
      const a = state.account(addressToBigInt(item.address))
      state.warmAccount(a)
      for (const k of item.storageKeys) state.warmSlot(a, bytesToWord(k))
    }
  }
}

function bytesToWord(b: Uint8Array): bigint {
  let v = 0n
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!)
  return v
}

/**
 * Check a transaction against the block and state without changing state.
 * Returns the intrinsic gas, floor and the up-front cost; throws `TxRejectedError`.
 */
export function checkTransaction(state: StateOverlay, tx: Transaction, sender: Uint8Array, block: BlockEnv, cumulativeGasUsed = 0n): { intrinsic: bigint; floor: bigint; gasPrice: bigint; blobGas: bigint } {
  const fork = block.fork
  const typeFork: Fork[] = ['Frontier', 'Berlin', 'London', 'Cancun', 'Prague']
  if (!forkAtLeast(fork, typeFork[tx.type]!)) throw new TxRejectedError('type-not-supported', `transaction type ${tx.type} not supported in ${fork}`)
  if (tx.type !== 0 && tx.chainId !== block.chainId) throw new TxRejectedError('wrong-chain-id', `chain id ${tx.chainId}, expected ${block.chainId}`)
  if (tx.type === 0 && tx.chainId !== null && tx.chainId !== block.chainId) throw new TxRejectedError('wrong-chain-id', `chain id ${tx.chainId}, expected ${block.chainId}`)
  if (tx.nonce >= MAX_U64) throw new TxRejectedError('nonce-overflow', 'nonce must be below 2^64-1')
  if (tx.gasLimit > MAX_U64) throw new TxRejectedError('gas-limit-overflow', 'gas limit exceeds 2^64-1')
  const cap = feeCap(tx)
  if (cap > MAX_U256) throw new TxRejectedError('fee-overflow', 'fee cap exceeds 2^256-1')
  if (tx.type >= 2) {
    const t = tx as Extract<Transaction, { maxPriorityFeePerGas: bigint }>
    if (t.maxPriorityFeePerGas > MAX_U256) throw new TxRejectedError('fee-overflow', 'priority fee exceeds 2^256-1')
    if (t.maxPriorityFeePerGas > t.maxFeePerGas) throw new TxRejectedError('tip-above-fee-cap', 'maxPriorityFeePerGas above maxFeePerGas')
  }
  if (tx.gasLimit * cap > MAX_U256) throw new TxRejectedError('fee-overflow', 'gas limit × fee cap exceeds 2^256-1')
  if (tx.gasLimit + cumulativeGasUsed > block.gasLimit) throw new TxRejectedError('block-gas-limit', `gas limit ${tx.gasLimit} above block gas available ${block.gasLimit - cumulativeGasUsed}`)
  if (cap < block.baseFee) throw new TxRejectedError('fee-cap-below-base-fee', `fee cap ${cap} below base fee ${block.baseFee}`)
  let blobGas = 0n
  if (tx.type === 3) {
    if (tx.to === null) throw new TxRejectedError('blob-create', 'blob transactions cannot create contracts')
    if (tx.blobVersionedHashes.length === 0) throw new TxRejectedError('no-blobs', 'blob transaction without blobs')
    const max = blobSchedule(fork).max
    if (tx.blobVersionedHashes.length > max) throw new TxRejectedError('too-many-blobs', `${tx.blobVersionedHashes.length} blobs, at most ${max}`)
    for (const h of tx.blobVersionedHashes) if (h.length !== 32 || h[0] !== 1) throw new TxRejectedError('bad-blob-version', 'blob versioned hash must start with 0x01')
    if (tx.maxFeePerBlobGas < block.blobBaseFee) throw new TxRejectedError('blob-fee-too-low', `max fee per blob gas ${tx.maxFeePerBlobGas} below ${block.blobBaseFee}`)
    blobGas = GAS_PER_BLOB * BigInt(tx.blobVersionedHashes.length)
  }
  if (tx.type === 4) {
    if (tx.to === null) throw new TxRejectedError('setcode-create', 'set-code transactions cannot create contracts')
    if (tx.authorizationList.length === 0) throw new TxRejectedError('empty-authorization-list', 'empty authorization list')
  }
  if (tx.to === null && forkAtLeast(fork, 'Shanghai') && tx.data.length > MAX_INITCODE_SIZE) throw new TxRejectedError('initcode-too-large', `init code ${tx.data.length} bytes`)
  const intrinsic = intrinsicGas(tx, fork)
  if (tx.gasLimit < intrinsic) throw new TxRejectedError('intrinsic-gas-too-low', `intrinsic gas too low: have ${tx.gasLimit}, want ${intrinsic}`)
  const floor = forkAtLeast(fork, 'Prague') ? floorDataGas(tx.data) : 0n
  if (tx.gasLimit < floor) throw new TxRejectedError('intrinsic-gas-too-low', `gas limit ${tx.gasLimit} below calldata floor ${floor}`)
  // stateful
  const acc = state.account(addressToBigInt(sender))
  if (acc.nonce !== tx.nonce) throw new TxRejectedError(tx.nonce < acc.nonce ? 'nonce-too-low' : 'nonce-too-high', `nonce ${tx.nonce}, account nonce ${acc.nonce}`)
  const code = state.code(acc)
  if (code.length > 0 && !(forkAtLeast(fork, 'Prague') && delegationTarget(code) !== undefined)) throw new TxRejectedError('sender-not-eoa', 'sender has code (EIP-3607)')
  let maxCost = tx.gasLimit * cap + tx.value
  if (tx.type === 3) maxCost += blobGas * tx.maxFeePerBlobGas
  if (acc.balance < maxCost) throw new TxRejectedError('insufficient-funds', `balance ${acc.balance} below ${maxCost}`)
  return { intrinsic, floor, gasPrice: effectiveGasPrice(tx, block.baseFee), blobGas }
}

/**
 * Execute a signed transaction whose sender is already recovered, on `state`
 * (a block's overlay), and finalize it (EIP-158 cleanup). Throws
 * `TxRejectedError` with state unchanged when the transaction is invalid.
 */
export function executeTransaction(state: StateOverlay, tx: Transaction, sender: Uint8Array, block: BlockEnv, opts: ExecuteOptions = {}): TxResult {
  const cumulative = opts.cumulativeGasUsed ?? 0n
  const { intrinsic, floor, gasPrice, blobGas } = checkTransaction(state, tx, sender, block, cumulative)
  const evm = opts.evm ?? new Evm(state, block, opts.codeCache ? { codeCache: opts.codeCache } : {})
  const from = addressToBigInt(sender)
  state.beginTransaction()
  const senderAcc = state.account(from)
  // buy gas
  state.setBalance(senderAcc, senderAcc.balance - tx.gasLimit * gasPrice - blobGas * block.blobBaseFee)
  evm.tx = { origin: from, gasPrice, blobHashes: tx.type === 3 ? tx.blobVersionedHashes : [] } satisfies TxEnv
  const to = tx.to === null ? undefined : addressToBigInt(tx.to)
  let createdAt: bigint | undefined
  if (to === undefined) createdAt = addressToBigInt(createAddress(sender, tx.nonce))
  state.setNonce(senderAcc, senderAcc.nonce + 1n)
  warmPrecompilesEtc(evm, from, to ?? createdAt, tx)
  if (tx.type === 4) applyAuthorizations(evm, tx.authorizationList, block)
  // gas above 2^52 travels exactly in `gasBank` (tests use 2^63 limits)
  const [gas, gasBank] = splitGas(tx.gasLimit - intrinsic)
  let msg: Message
  if (to === undefined) {
    msg = { kind: CallKind.Create, caller: from, address: createdAt!, codeAddress: createdAt!, value: tx.value, input: tx.data, gas, gasBank, isStatic: false, depth: 0, transfersValue: true, isTopLevel: true }
  } else {
    msg = { kind: CallKind.Call, caller: from, address: to, codeAddress: to, value: tx.value, input: tx.data, gas, gasBank, isStatic: false, depth: 0, transfersValue: true, isTopLevel: true }
    if (forkAtLeast(block.fork, 'Prague')) {
      const target = state.account(to)
      const dt = delegationTarget(state.code(target))
      if (dt !== undefined) {
        const d = state.account(dt)
        state.warmAccount(d)
        msg.codeAddress = dt
        msg.code = state.code(d)
        msg.codeHash = d.codeHash
      }
    }
  }
  const res = evm.execute(msg)
  const gasLeft = BigInt(res.gasLeft) + (res.gasBank ?? 0n)
  let gasUsed = tx.gasLimit - gasLeft
  const refundCap = gasUsed / 5n
  const counter = BigInt(Math.max(0, state.refund))
  const refund = counter < refundCap ? counter : refundCap
  const before = gasUsed
  gasUsed -= refund
  if (gasUsed < floor) gasUsed = floor
  // return unused gas, pay the coinbase
  state.addBalance(state.account(from), (tx.gasLimit - gasUsed) * gasPrice)
  const coinbase = state.account(evm.coinbase)
  const tip = gasPrice - block.baseFee
  state.createAccount(coinbase)
  state.addBalance(coinbase, gasUsed * tip)
  state.touch(coinbase)
  const logs: Log[] = res.success ? state.logs.slice() : []
  state.finalizeTransaction()
  const status: 0 | 1 = res.success ? 1 : 0
  return {
    status,
    gasUsed,
    gasUsedBeforeRefund: before,
    gasRefund: refund,
    logs,
    returnData: res.output,
    createdAddress: res.success && res.createdAddress !== undefined ? bigIntToAddress(res.createdAddress) : undefined,
    error: res.error,
    effectiveGasPrice: gasPrice,
    blobGasUsed: blobGas,
    receipt: makeReceipt(tx.type as ReceiptType, status, cumulative + gasUsed, logs),
  }
}

/** Apply EIP-7702 authorizations (invalid tuples are skipped). */
function applyAuthorizations(evm: Evm, list: Transaction extends infer T ? (T extends { authorizationList: infer L } ? L : never) : never, block: BlockEnv): void {
  const state = evm.state
  for (const auth of list) {
    if (auth.chainId !== 0n && auth.chainId !== block.chainId) continue
    if (auth.nonce >= MAX_U64) continue
    let authority: Uint8Array | null
    try {
      authority = recoverAuthority(auth)
    } catch {
      authority = null
    }
    if (authority === null) continue
    const a = state.account(addressToBigInt(authority))
    state.warmAccount(a)
    const code = state.code(a)
    if (code.length > 0 && delegationTarget(code) === undefined) continue
    if (a.nonce !== auth.nonce) continue
    if (a.exists) state.addRefund(AUTH_EXISTING_REFUND)
    state.createAccount(a)
    const target = addressToBigInt(auth.address)
    if (target === 0n) state.setCode(a, new Uint8Array(0))
    else {
      const d = new Uint8Array(23)
      d.set(DELEGATION_PREFIX)
      d.set(auth.address, 3)
      state.setCode(a, d, keccak256(d))
    }
    state.setNonce(a, a.nonce + 1n)
    state.touch(a)
  }
}

/** An `eth_call`-style message. */
export interface CallRequest {
  from?: Uint8Array
  /** Target; undefined or null deploys `data` as init code. */
  to?: Uint8Array | null
  data?: Uint8Array
  value?: bigint
  /** Gas limit (capped by `gasCap`). */
  gas?: bigint
  /** Gas price seen by GASPRICE (default 0). */
  gasPrice?: bigint
  blobVersionedHashes?: Uint8Array[]
}

/** Result of `callMessage`. */
export interface CallResult {
  success: boolean
  reverted: boolean
  returnData: Uint8Array
  gasUsed: bigint
  logs: Log[]
  createdAddress: Uint8Array | undefined
  error: string | undefined
}

/** Default gas cap for `callMessage` (DESIGN.md: 50M like geth's RPC cap). */
export const CALL_GAS_CAP = 50_000_000n

/**
 * Run a message without a signature, nonce bump or fee (eth_call /
 * eth_estimateGas). State changes are reverted unless `commit` is true.
 * Value transfers need the balance; intrinsic gas is charged.
 */
export function callMessage(state: StateOverlay, req: CallRequest, block: BlockEnv, opts: { gasCap?: bigint; commit?: boolean; codeCache?: CodeCache } = {}): CallResult {
  const cap = opts.gasCap ?? CALL_GAS_CAP
  let gasLimit = req.gas ?? cap
  if (gasLimit > cap) gasLimit = cap
  const from = req.from ? addressToBigInt(req.from) : 0n
  const data = req.data ?? new Uint8Array(0)
  const value = req.value ?? 0n
  const create = req.to === undefined || req.to === null
  const pseudo: Transaction = { type: 2, chainId: block.chainId, nonce: 0n, gasLimit, to: create ? null : req.to!, value, data, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, accessList: [], r: 0n, s: 0n, yParity: 0 }
  const intrinsic = intrinsicGas(pseudo, block.fork)
  if (gasLimit < intrinsic) throw new TxRejectedError('intrinsic-gas-too-low', `gas ${gasLimit} below intrinsic ${intrinsic}`)
  const evm = new Evm(state, block, opts.codeCache ? { codeCache: opts.codeCache } : {})
  state.beginTransaction()
  const cp = state.checkpoint()
  const sender = state.account(from)
  if (sender.balance < value) throw new TxRejectedError('insufficient-funds', `balance ${sender.balance} below value ${value}`)
  evm.tx = { origin: from, gasPrice: req.gasPrice ?? 0n, blobHashes: req.blobVersionedHashes ?? [] }
  let to: bigint
  if (create) {
    to = addressToBigInt(createAddress(bigIntToAddress(from), sender.nonce))
    state.setNonce(sender, sender.nonce + 1n)
  } else to = addressToBigInt(req.to!)
  warmPrecompilesEtc(evm, from, to, pseudo)
  const msg: Message = { kind: create ? CallKind.Create : CallKind.Call, caller: from, address: to, codeAddress: to, value, input: data, gas: Number(gasLimit - intrinsic), isStatic: false, depth: 0, transfersValue: true, isTopLevel: true }
  if (!create && forkAtLeast(block.fork, 'Prague')) {
    const dt = delegationTarget(state.code(state.account(to)))
    if (dt !== undefined) {
      const d = state.account(dt)
      state.warmAccount(d)
      msg.codeAddress = dt
      msg.code = state.code(d)
      msg.codeHash = d.codeHash
    }
  }
  const res = evm.execute(msg)
  const logs = res.success ? state.logs.slice() : []
  if (!opts.commit) state.revert(cp)
  state.finalizeTransaction()
  return {
    success: res.success,
    reverted: res.reverted,
    returnData: res.output,
    gasUsed: gasLimit - BigInt(res.gasLeft),
    logs,
    createdAddress: res.success && res.createdAddress !== undefined ? bigIntToAddress(res.createdAddress) : undefined,
    error: res.error,
  }
}
