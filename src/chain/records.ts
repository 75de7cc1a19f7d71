/**
 * The chain's records: an executed transaction with its receipt data and
 * place in the chain (`TxRecord`), how transactions and receipts are encoded
 * in the chain store (tx record = sender ‖ raw transaction; receipt record =
 * rlp([type, status, cumulativeGasUsed, gasUsed, effectiveGasPrice,
 * contractAddress, blobGasUsed, logs])), EIP-1559 base-fee progression and
 * the RLP size of a block.
 */
import { decodeTransaction, type Transaction } from '../eth/transaction/index.js'
import { encodeRlp, decodeRlp, rlpBytes, rlpList, rlpBigInt, rlpNumber } from '../primitives/rlp.js'
import { logFromRlp, logToRlp, logsBloom, type Log } from '../eth/log.js'
import { encodeReceipt, makeReceipt, type ReceiptType } from '../eth/receipt.js'
import { ChainCorruptionError } from './errors.js'

/** An executed transaction and everything its receipt needs. */
export interface TxRecord {
  hash: Uint8Array
  tx: Transaction
  /** Encoded transaction. */
  raw: Uint8Array
  from: Uint8Array
  blockNumber: bigint
  /** Set when the block is sealed; undefined before. */
  blockHash: Uint8Array | undefined
  blockTimestamp: bigint
  baseFee: bigint
  /** Index within the EVM block. */
  txIndex: number
  miniBlockNumber: bigint
  status: 0 | 1
  gasUsed: bigint
  /** Block-relative cumulative gas. */
  cumulativeGasUsed: bigint
  effectiveGasPrice: bigint
  contractAddress: Uint8Array | null
  logs: Log[]
  /** Block-wide index of the first log. */
  firstLogIndex: number
  blobGasUsed: bigint
  /** When the sequencer received the transaction (µs since the epoch; in memory only, absent after a restart). */
  receivedUs?: number
  /** Cached consensus receipt encoding (the mini-block's receiptsHash and the block's receiptsRoot both need it). */
  consensus?: Uint8Array
  /** Cached bloom of `logs` (receipt encoding, block bloom, RPC receipts). */
  bloom?: Uint8Array
}

/** Consensus encoding of a record's receipt (the receiptsRoot leaf). */
export function consensusReceipt(r: TxRecord): Uint8Array {
  if (r.consensus === undefined) {
    const receipt = makeReceipt(r.tx.type as ReceiptType, r.status, r.cumulativeGasUsed, [])
    receipt.logs = r.logs
    receipt.logsBloom = recordBloom(r)
    r.consensus = encodeReceipt(receipt)
  }
  return r.consensus
}

/** Bloom of a record's logs. */
export function recordBloom(r: TxRecord): Uint8Array {
  return (r.bloom ??= logsBloom(r.logs))
}

/** Chain-store encoding of a transaction: sender (20 bytes) ‖ encoded transaction. */
export function encodeTxRecord(r: TxRecord): Uint8Array {
  const out = new Uint8Array(20 + r.raw.length)
  out.set(r.from, 0)
  out.set(r.raw, 20)
  return out
}

/** Chain-store encoding of a receipt. */
export function encodeReceiptRecord(r: TxRecord): Uint8Array {
  return encodeRlp([r.tx.type, r.status, r.cumulativeGasUsed, r.gasUsed, r.effectiveGasPrice, r.contractAddress ?? new Uint8Array(0), r.blobGasUsed, r.logs.map(logToRlp)])
}

/** Rebuild a record from the store's tx and receipt bytes plus its location. */
export function decodeStoredRecord(
  txBytes: Uint8Array,
  receiptBytes: Uint8Array,
  loc: { hash: Uint8Array; blockNumber: bigint; blockHash: Uint8Array; blockTimestamp: bigint; baseFee: bigint; txIndex: number; miniBlockNumber: bigint; firstLogIndex: number },
): TxRecord {
  if (txBytes.length < 21) throw new ChainCorruptionError('transaction record too short')
  const from = txBytes.slice(0, 20)
  const raw = txBytes.slice(20)
  const tx = decodeTransaction(raw)
  const l = rlpList(decodeRlp(receiptBytes), 'receipt record')
  if (l.length !== 8) throw new ChainCorruptionError(`receipt record has ${l.length} fields`)
  const ca = rlpBytes(l[5])
  return {
    ...loc,
    tx,
    raw,
    from,
    status: rlpNumber(l[1]) === 1 ? 1 : 0,
    cumulativeGasUsed: rlpBigInt(l[2]),
    gasUsed: rlpBigInt(l[3]),
    effectiveGasPrice: rlpBigInt(l[4]),
    contractAddress: ca.length === 0 ? null : ca,
    blobGasUsed: rlpBigInt(l[6]),
    logs: rlpList(l[7]).map(logFromRlp),
  }
}

/** The logs of a chain-store receipt record. */
export function receiptRecordLogs(receiptBytes: Uint8Array): Log[] {
  const l = rlpList(decodeRlp(receiptBytes), 'receipt record')
  if (l.length !== 8) throw new ChainCorruptionError(`receipt record has ${l.length} fields`)
  return rlpList(l[7]).map(logFromRlp)
}

/** EIP-1559 base fee of the block after one with these values (elasticity 2, denominator 8). */
export function nextBaseFee(parentBaseFee: bigint, parentGasUsed: bigint, parentGasLimit: bigint): bigint {
  const target = parentGasLimit / 2n
  if (target === 0n || parentGasUsed === target) return parentBaseFee
  if (parentGasUsed > target) {
    const delta = (parentBaseFee * (parentGasUsed - target)) / target / 8n
    return parentBaseFee + (delta > 1n ? delta : 1n)
  }
  const delta = (parentBaseFee * (target - parentGasUsed)) / target / 8n
  return parentBaseFee - delta
}

function rlpLenHeader(len: number): number {
  if (len < 56) return 1
  let n = 1
  while (len >= 256 ** n) n++
  return 1 + n
}

/** RLP size of a block `[header, transactions, ommers=[], withdrawals=[]]`. */
export function blockSize(encodedHeader: Uint8Array, rawTxs: readonly Uint8Array[]): bigint {
  let txs = 0
  for (const raw of rawTxs) {
    // legacy transactions are RLP lists as is; typed ones are byte strings
    txs += raw[0]! >= 0xc0 ? raw.length : raw.length + rlpLenHeader(raw.length) - (raw.length === 1 && raw[0]! < 0x80 ? 1 : 0)
  }
  const payload = encodedHeader.length + txs + rlpLenHeader(txs) + 1 + 1
  return BigInt(payload + rlpLenHeader(payload))
}
