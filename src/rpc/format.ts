/**
 * JSON shapes of the Ethereum RPC: blocks, transactions of every type,
 * receipts, logs, mini-blocks and state changes going out; block selectors
 * (tags, numbers, EIP-1898 objects), call requests, state/block overrides
 * and log filters coming in. Output matches what geth/anvil send so viem's
 * and ethers' formatters parse it unchanged (test/rpc/format.test.ts checks
 * against viem's own formatters).
 */
import { bytesToHex, toQuantity, bigIntToHex, type Hex } from '../primitives/hex.js'
import type { StateDiff } from '../state/database.js'
import type { AccessListItem, Authorization, Transaction } from '../eth/transaction/types.js'
import type {
  BlockSelector,
  BlockTag,
  ChainBlock,
  ChainMiniBlock,
  LocatedLog,
  LocatedReceipt,
  LocatedTransaction,
  CallRequest,
  StateOverrides,
  AccountOverride,
  BlockOverrides,
} from './backend.js'
import {
  address,
  arrayOf,
  bool,
  data,
  fixedBytes,
  hash32,
  optional,
  plainObject,
  quantity,
  quantityU64,
  quantityNumber,
  storageSlot,
  type Validator,
} from './params.js'
import { InvalidParamsError } from './errors.js'
import { MAX_FILTER_ADDRESSES } from './server/limits.js'

// ---------------------------------------------------------------- output

/** JSON form of an access list. */
export function formatAccessList(list: readonly AccessListItem[]): { address: Hex; storageKeys: Hex[] }[] {
  return list.map((i) => ({ address: bytesToHex(i.address), storageKeys: i.storageKeys.map(bytesToHex) }))
}

/** JSON form of an EIP-7702 authorization list. */
export function formatAuthorizationList(list: readonly Authorization[]): Record<string, Hex>[] {
  return list.map((a) => ({
    chainId: toQuantity(a.chainId),
    address: bytesToHex(a.address),
    nonce: toQuantity(a.nonce),
    yParity: toQuantity(a.yParity),
    r: toQuantity(a.r),
    s: toQuantity(a.s),
  }))
}

/** The price a 1559-style tx pays per gas given the block's base fee. */
export function effectiveGasPrice(tx: Transaction, baseFee: bigint | undefined): bigint {
  if (tx.type === 0 || tx.type === 1) return tx.gasPrice
  if (baseFee === undefined) return tx.maxFeePerGas
  const tip = tx.maxFeePerGas - baseFee < tx.maxPriorityFeePerGas ? tx.maxFeePerGas - baseFee : tx.maxPriorityFeePerGas
  return baseFee + tip
}

/** The eth_getTransactionByHash object of any transaction type. */
export function formatTransaction(t: LocatedTransaction): Record<string, unknown> {
  const tx = t.tx
  const out: Record<string, unknown> = {
    blockHash: t.blockHash === null ? null : bytesToHex(t.blockHash),
    blockNumber: t.blockNumber === null ? null : toQuantity(t.blockNumber),
    from: bytesToHex(t.from),
    gas: toQuantity(tx.gasLimit),
    hash: bytesToHex(t.hash),
    input: bytesToHex(tx.data),
    nonce: toQuantity(tx.nonce),
    to: tx.to === null ? null : bytesToHex(tx.to),
    transactionIndex: t.transactionIndex === null ? null : toQuantity(t.transactionIndex),
    value: toQuantity(tx.value),
    type: toQuantity(tx.type),
  }
  if (t.blockTimestamp !== undefined) out.blockTimestamp = toQuantity(t.blockTimestamp)
  switch (tx.type) {
    case 0:
      out.gasPrice = toQuantity(tx.gasPrice)
      if (tx.chainId !== null) out.chainId = toQuantity(tx.chainId)
      out.v = toQuantity(tx.v)
      break
    case 1:
      out.gasPrice = toQuantity(tx.gasPrice)
      out.chainId = toQuantity(tx.chainId)
      out.accessList = formatAccessList(tx.accessList)
      break
    default:
      out.gasPrice = toQuantity(t.blockNumber === null ? tx.maxFeePerGas : effectiveGasPrice(tx, t.blockBaseFee))
      out.maxFeePerGas = toQuantity(tx.maxFeePerGas)
      out.maxPriorityFeePerGas = toQuantity(tx.maxPriorityFeePerGas)
      out.chainId = toQuantity(tx.chainId)
      out.accessList = formatAccessList(tx.accessList)
      if (tx.type === 3) {
        out.maxFeePerBlobGas = toQuantity(tx.maxFeePerBlobGas)
        out.blobVersionedHashes = tx.blobVersionedHashes.map(bytesToHex)
      }
      if (tx.type === 4) out.authorizationList = formatAuthorizationList(tx.authorizationList)
  }
  if (tx.type !== 0) {
    out.yParity = toQuantity(tx.yParity)
    out.v = toQuantity(tx.yParity)
  }
  out.r = toQuantity(tx.r)
  out.s = toQuantity(tx.s)
  return out
}

/** The log object of eth_getLogs, receipts and the `logs` subscription. */
export function formatLog(l: LocatedLog): Record<string, unknown> {
  const out: Record<string, unknown> = {
    address: bytesToHex(l.address),
    topics: l.topics.map(bytesToHex),
    data: bytesToHex(l.data),
    blockNumber: toQuantity(l.blockNumber),
    blockHash: bytesToHex(l.blockHash),
    transactionHash: bytesToHex(l.transactionHash),
    transactionIndex: toQuantity(l.transactionIndex),
    logIndex: toQuantity(l.logIndex),
    removed: l.removed,
  }
  if (l.blockTimestamp !== undefined) out.blockTimestamp = toQuantity(l.blockTimestamp)
  return out
}

/** The eth_getTransactionReceipt object. */
export function formatReceipt(r: LocatedReceipt): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: toQuantity(r.type),
    status: toQuantity(r.status),
    cumulativeGasUsed: toQuantity(r.cumulativeGasUsed),
    logs: r.logs.map(formatLog),
    logsBloom: bytesToHex(r.logsBloom),
    transactionHash: bytesToHex(r.transactionHash),
    transactionIndex: toQuantity(r.transactionIndex),
    blockHash: bytesToHex(r.blockHash),
    blockNumber: toQuantity(r.blockNumber),
    gasUsed: toQuantity(r.gasUsed),
    effectiveGasPrice: toQuantity(r.effectiveGasPrice),
    from: bytesToHex(r.from),
    to: r.to === null ? null : bytesToHex(r.to),
    contractAddress: r.contractAddress === null ? null : bytesToHex(r.contractAddress),
  }
  if (r.blobGasUsed !== undefined) out.blobGasUsed = toQuantity(r.blobGasUsed)
  if (r.blobGasPrice !== undefined) out.blobGasPrice = toQuantity(r.blobGasPrice)
  return out
}

/** The header part of a block object (what `newHeads` sends), with Tachyon's miniBlockCount/miniBlockOffset. */
export function formatHeader(b: ChainBlock): Record<string, unknown> {
  const h = b.header
  const out: Record<string, unknown> = {
    number: toQuantity(h.number),
    hash: bytesToHex(b.hash),
    parentHash: bytesToHex(h.parentHash),
    nonce: bytesToHex(h.nonce),
    sha3Uncles: bytesToHex(h.ommersHash),
    logsBloom: bytesToHex(h.logsBloom),
    transactionsRoot: bytesToHex(h.transactionsRoot),
    stateRoot: bytesToHex(h.stateRoot),
    receiptsRoot: bytesToHex(h.receiptsRoot),
    miner: bytesToHex(h.coinbase),
    difficulty: toQuantity(h.difficulty),
    totalDifficulty: toQuantity(h.difficulty),
    extraData: bytesToHex(h.extraData),
    gasLimit: toQuantity(h.gasLimit),
    gasUsed: toQuantity(h.gasUsed),
    timestamp: toQuantity(h.timestamp),
    mixHash: bytesToHex(h.mixHash),
  }
  if (h.baseFeePerGas !== undefined) out.baseFeePerGas = toQuantity(h.baseFeePerGas)
  if (h.withdrawalsRoot !== undefined) out.withdrawalsRoot = bytesToHex(h.withdrawalsRoot)
  if (h.blobGasUsed !== undefined) out.blobGasUsed = toQuantity(h.blobGasUsed)
  if (h.excessBlobGas !== undefined) out.excessBlobGas = toQuantity(h.excessBlobGas)
  if (h.parentBeaconBlockRoot !== undefined) out.parentBeaconBlockRoot = bytesToHex(h.parentBeaconBlockRoot)
  if (h.requestsHash !== undefined) out.requestsHash = bytesToHex(h.requestsHash)
  out.miniBlockCount = toQuantity(b.miniBlockCount)
  out.miniBlockOffset = toQuantity(b.miniBlockOffset)
  return out
}

/** The eth_getBlockBy* object; `full` returns transaction objects instead of hashes. */
export function formatBlock(b: ChainBlock, full: boolean): Record<string, unknown> {
  const out = formatHeader(b)
  out.size = toQuantity(b.size)
  out.transactions = full ? b.transactions.map(formatTransaction) : b.transactions.map((t) => bytesToHex(t.hash))
  out.uncles = []
  if (b.header.withdrawalsRoot !== undefined) out.withdrawals = []
  return out
}

/** The `miniBlocks` subscription payload (MegaETH's snake_case shape). */
export function formatMiniBlock(m: ChainMiniBlock): Record<string, unknown> {
  return {
    block_number: toQuantity(m.blockNumber),
    block_timestamp: toQuantity(m.blockTimestamp),
    index: toQuantity(m.index),
    mini_block_number: toQuantity(m.number),
    mini_block_timestamp: toQuantity(m.timestampUs),
    gas_used: toQuantity(m.gasUsed),
    transactions: m.transactions.map(formatTransaction),
    receipts: m.receipts.map(formatReceipt),
  }
}

/**
 * The `stateChanges` payloads of one mini-block: one object per changed
 * account (deduplicated, sorted by address), limited to `addresses` when given.
 */
export function formatStateChanges(diff: StateDiff, addresses: ReadonlySet<string> | undefined): Record<string, unknown>[] {
  const keys = new Set<string>([...diff.accounts.keys(), ...diff.storage.keys()])
  const out: Record<string, unknown>[] = []
  for (const key of [...keys].sort()) {
    if (addresses !== undefined && !addresses.has(key)) continue
    const acct = diff.accounts.get(key)
    const storage: Record<string, Hex> = {}
    const slots = diff.storage.get(key)
    if (slots !== undefined) for (const [slot, value] of [...slots].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) storage[bigIntToHex(slot, 32)] = bigIntToHex(value, 32)
    const o: Record<string, unknown> = { address: key }
    if (acct === null) {
      o.nonce = '0x0'
      o.balance = '0x0'
      o.deleted = true
    } else if (acct !== undefined) {
      o.nonce = toQuantity(acct.nonce)
      o.balance = toQuantity(acct.balance)
    }
    o.storage = storage
    out.push(o)
  }
  return out
}

// ---------------------------------------------------------------- input

const TAGS: readonly BlockTag[] = ['latest', 'pending', 'safe', 'finalized', 'earliest']

/** A block tag or number (no hash): the `block` param of eth_getBlockByNumber, eth_feeHistory… */
export const blockNumberOrTag: Validator<BlockSelector> = (v, path) => {
  if (typeof v === 'string' && (TAGS as readonly string[]).includes(v)) return { kind: 'tag', tag: v as BlockTag }
  if (typeof v === 'string' && v.startsWith('0x')) return { kind: 'number', number: quantityU64(v, path) }
  throw new InvalidParamsError(`invalid ${path}: expected a block number or one of ${TAGS.join(', ')}, got ${JSON.stringify(v)?.slice(0, 60)}`)
}

/**
 * A block tag, number, 32-byte hash, or EIP-1898 object `{blockNumber}` /
 * `{blockHash, requireCanonical?}`: the `block` param of state queries.
 */
export const blockSelector: Validator<BlockSelector> = (v, path) => {
  if (typeof v === 'string' && v.length === 66) return { kind: 'hash', hash: hash32(v, path), requireCanonical: false }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    const keys = Object.keys(o)
    if ('blockHash' in o) {
      if ('blockNumber' in o) throw new InvalidParamsError(`invalid ${path}: blockHash and blockNumber are mutually exclusive`)
      if (keys.some((k) => k !== 'blockHash' && k !== 'requireCanonical')) throw new InvalidParamsError(`invalid ${path}: unknown field in EIP-1898 block selector`)
      return { kind: 'hash', hash: hash32(o.blockHash, `${path}.blockHash`), requireCanonical: optional(bool)(o.requireCanonical, `${path}.requireCanonical`) ?? false }
    }
    if ('blockNumber' in o) {
      if (keys.length !== 1) throw new InvalidParamsError(`invalid ${path}: unknown field in EIP-1898 block selector`)
      return blockNumberOrTag(o.blockNumber, `${path}.blockNumber`)
    }
    throw new InvalidParamsError(`invalid ${path}: expected {blockHash} or {blockNumber}`)
  }
  return blockNumberOrTag(v, path)
}

/** `latest` when a block param is omitted. */
export const LATEST: BlockSelector = { kind: 'tag', tag: 'latest' }

const accessListValidator: Validator<AccessListItem[]> = arrayOf((v, path) => {
  const o = plainObject(v, path)
  return { address: address(o.address, `${path}.address`), storageKeys: arrayOf(hash32, 100_000)(o.storageKeys ?? [], `${path}.storageKeys`) }
}, 100_000)

/** An EIP-2930 access list. */
export const accessList: Validator<AccessListItem[]> = accessListValidator

/** An EIP-7702 authorization list (signed tuples). */
export const authorizationList: Validator<Authorization[]> = arrayOf((v, path) => {
  const o = plainObject(v, path)
  const yParity = o.yParity ?? o.v
  return {
    chainId: quantity(o.chainId, `${path}.chainId`),
    address: address(o.address ?? o.contractAddress, `${path}.address`),
    nonce: quantityU64(o.nonce, `${path}.nonce`),
    yParity: Number(quantity(yParity, `${path}.yParity`) & 1n),
    r: quantity(o.r, `${path}.r`),
    s: quantity(o.s, `${path}.s`),
  }
}, 10_000)

/**
 * A transaction-call object (eth_call, eth_estimateGas, eth_sendTransaction).
 * `input` and `data` are synonyms; both present and different is an error.
 * Unknown fields are ignored (clients send `blobs`, `sidecars`…).
 */
export const callRequest: Validator<CallRequest> = (v, path) => {
  const o = plainObject(v, path)
  const out: CallRequest = {}
  const f = <T>(key: string, val: Validator<T>): T | undefined => optional(val)(o[key], `${path}.${key}`)
  const from = f('from', address)
  if (from !== undefined) out.from = from
  if (o.to === null) out.to = null
  else {
    const to = f('to', address)
    if (to !== undefined) out.to = to
  }
  const setQ = (key: 'gas' | 'gasPrice' | 'maxFeePerGas' | 'maxPriorityFeePerGas' | 'maxFeePerBlobGas' | 'value' | 'nonce' | 'chainId', val: Validator<bigint>): void => {
    const x = f(key, val)
    if (x !== undefined) out[key] = x
  }
  setQ('gas', quantityU64)
  setQ('gasPrice', quantity)
  setQ('maxFeePerGas', quantity)
  setQ('maxPriorityFeePerGas', quantity)
  setQ('maxFeePerBlobGas', quantity)
  setQ('value', quantity)
  setQ('nonce', quantityU64)
  setQ('chainId', quantity)
  const input = f('input', data)
  const d = f('data', data)
  if (input !== undefined && d !== undefined && bytesToHex(input) !== bytesToHex(d)) {
    throw new InvalidParamsError(`invalid ${path}: both "data" and "input" are set and not equal. Please use "input" to pass transaction call data`)
  }
  const payload = input ?? d
  if (payload !== undefined) out.data = payload
  const type = f('type', quantityNumber)
  if (type !== undefined) {
    if (type > 4) throw new InvalidParamsError(`invalid ${path}.type: unsupported transaction type ${type}`)
    out.type = type
  }
  const al = f('accessList', accessListValidator)
  if (al !== undefined) out.accessList = al
  const auth = f('authorizationList', authorizationList)
  if (auth !== undefined) out.authorizationList = auth
  const blobs = f('blobVersionedHashes', arrayOf(hash32, 4096))
  if (blobs !== undefined) out.blobVersionedHashes = blobs
  if (out.gasPrice !== undefined && (out.maxFeePerGas !== undefined || out.maxPriorityFeePerGas !== undefined)) {
    throw new InvalidParamsError(`invalid ${path}: both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified`)
  }
  if (out.maxFeePerGas !== undefined && out.maxPriorityFeePerGas !== undefined && out.maxPriorityFeePerGas > out.maxFeePerGas) {
    throw new InvalidParamsError(`invalid ${path}: maxPriorityFeePerGas (${out.maxPriorityFeePerGas}) > maxFeePerGas (${out.maxFeePerGas})`)
  }
  return out
}

const slotMap = (v: unknown, path: string): Map<bigint, bigint> => {
  const o = plainObject(v, path)
  const m = new Map<bigint, bigint>()
  for (const [k, val] of Object.entries(o)) m.set(storageSlot(k, `${path} key`), storageSlot(val, `${path}[${k.slice(0, 66)}]`))
  return m
}

/** A geth-style state override set: `{ [address]: {balance?, nonce?, code?, state? | stateDiff?} }`. */
export const stateOverrides: Validator<StateOverrides> = (v, path) => {
  const o = plainObject(v, path)
  const out: StateOverrides = new Map()
  for (const [addr, ov] of Object.entries(o)) {
    const p = `${path}[${addr.slice(0, 42)}]`
    const key = bytesToHex(address(addr, p))
    const a = plainObject(ov, p)
    for (const k of Object.keys(a)) {
      if (!['balance', 'nonce', 'code', 'state', 'stateDiff', 'movePrecompileToAddress'].includes(k)) throw new InvalidParamsError(`invalid ${p}: unknown override field ${JSON.stringify(k.slice(0, 40))}`)
    }
    if (a.state !== undefined && a.stateDiff !== undefined) throw new InvalidParamsError(`invalid ${p}: has both 'state' and 'stateDiff'`)
    const r: AccountOverride = {}
    const bal = optional(quantity)(a.balance, `${p}.balance`)
    if (bal !== undefined) r.balance = bal
    const nonce = optional(quantityU64)(a.nonce, `${p}.nonce`)
    if (nonce !== undefined) r.nonce = nonce
    const code = optional(data)(a.code, `${p}.code`)
    if (code !== undefined) r.code = code
    if (a.state !== undefined && a.state !== null) r.state = slotMap(a.state, `${p}.state`)
    if (a.stateDiff !== undefined && a.stateDiff !== null) r.stateDiff = slotMap(a.stateDiff, `${p}.stateDiff`)
    const mv = optional(address)(a.movePrecompileToAddress, `${p}.movePrecompileToAddress`)
    if (mv !== undefined) r.movePrecompileToAddress = mv
    out.set(key, r)
  }
  return out
}

/** Block-environment overrides for eth_call. */
export const blockOverrides: Validator<BlockOverrides> = (v, path) => {
  const o = plainObject(v, path)
  const out: BlockOverrides = {}
  for (const k of Object.keys(o)) {
    if (!['number', 'time', 'gasLimit', 'coinbase', 'feeRecipient', 'random', 'prevRandao', 'baseFee', 'baseFeePerGas', 'blobBaseFee'].includes(k)) {
      throw new InvalidParamsError(`invalid ${path}: unknown block override ${JSON.stringify(k.slice(0, 40))}`)
    }
  }
  const q = (k: string): bigint | undefined => optional(quantityU64)(o[k], `${path}.${k}`)
  const number = q('number')
  if (number !== undefined) out.number = number
  const time = q('time')
  if (time !== undefined) out.time = time
  const gasLimit = q('gasLimit')
  if (gasLimit !== undefined) out.gasLimit = gasLimit
  const coinbase = optional(address)(o.coinbase ?? o.feeRecipient, `${path}.coinbase`)
  if (coinbase !== undefined) out.coinbase = coinbase
  const random = optional(fixedBytes(32))(o.random ?? o.prevRandao, `${path}.random`)
  if (random !== undefined) out.random = random
  const baseFee = optional(quantity)(o.baseFee ?? o.baseFeePerGas, `${path}.baseFee`)
  if (baseFee !== undefined) out.baseFee = baseFee
  const blobBaseFee = optional(quantity)(o.blobBaseFee, `${path}.blobBaseFee`)
  if (blobBaseFee !== undefined) out.blobBaseFee = blobBaseFee
  return out
}

/** A parsed eth_getLogs / eth_newFilter criteria object (block range still as selectors). */
export interface LogFilterParams {
  fromBlock?: BlockSelector
  toBlock?: BlockSelector
  blockHash?: Uint8Array
  addresses: Uint8Array[]
  topics: (Uint8Array[] | null)[]
}

/** The filter object of eth_getLogs / eth_newFilter / the `logs` subscription. */
export const logFilter: Validator<LogFilterParams> = (v, path) => {
  const o = plainObject(v ?? {}, path)
  const out: LogFilterParams = { addresses: [], topics: [] }
  const blockHash = optional(hash32)(o.blockHash, `${path}.blockHash`)
  if (blockHash !== undefined) {
    if (o.fromBlock != null || o.toBlock != null) throw new InvalidParamsError(`invalid ${path}: cannot specify both blockHash and fromBlock/toBlock, choose one or the other`)
    out.blockHash = blockHash
  }
  const from = optional(blockNumberOrTag)(o.fromBlock, `${path}.fromBlock`)
  if (from !== undefined) out.fromBlock = from
  const to = optional(blockNumberOrTag)(o.toBlock, `${path}.toBlock`)
  if (to !== undefined) out.toBlock = to
  if (o.address != null) out.addresses = Array.isArray(o.address) ? arrayOf(address, MAX_FILTER_ADDRESSES)(o.address, `${path}.address`) : [address(o.address, `${path}.address`)]
  if (o.topics != null) {
    if (!Array.isArray(o.topics)) throw new InvalidParamsError(`invalid ${path}.topics: expected an array`)
    if (o.topics.length > 4) throw new InvalidParamsError(`invalid ${path}.topics: more than 4 topic positions`)
    out.topics = o.topics.map((t: unknown, i: number) => {
      const p = `${path}.topics[${i}]`
      if (t === null) return null
      if (Array.isArray(t)) return t.length === 0 ? null : arrayOf(hash32, MAX_FILTER_ADDRESSES)(t, p)
      return [hash32(t, p)]
    })
  }
  return out
}

/** True when a log matches address and topic criteria. */
export function logMatches(l: { address: Uint8Array; topics: Uint8Array[] }, addresses: readonly Uint8Array[], topics: readonly (Uint8Array[] | null)[]): boolean {
  if (addresses.length > 0 && !addresses.some((a) => equal(a, l.address))) return false
  for (let i = 0; i < topics.length; i++) {
    const want = topics[i]
    if (want === null || want === undefined) continue
    const got = l.topics[i]
    if (got === undefined || !want.some((t) => equal(t, got))) return false
  }
  return true
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
