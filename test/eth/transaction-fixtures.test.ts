/**
 * ethereum/tests TransactionTests conformance. Every vector has `txbytes`
 * and a result per fork: either `hash`, `sender` and `intrinsicGas`, or an
 * `exception`. Valid vectors must decode, validate under that fork with
 * chain id 1, re-encode byte-exactly and give the expected hash, sender and
 * intrinsic gas; exception vectors must be rejected by the decoder or the
 * validator with a typed error. The fixtures have no Prague column: the
 * newest column (Cancun, else Shanghai, else London) is one test, and every
 * fork column present is another.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { decodeTransaction, encodeTransaction, InvalidTransactionError, transactionHash, validateTransaction } from '../../src/eth/transaction/index.js'
import { parseFork, type Fork } from '../../src/eth/fork.js'
import { bytesToHex, hexToBigInt, hexToBytes } from '../../src/primitives/hex.js'
import { DecodeError } from '../../src/primitives/errors.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import { fixturePath, jsonFiles } from './helpers.js'

interface ForkResult {
  hash?: string
  sender?: string
  intrinsicGas?: string
  exception?: string
}
interface Vector {
  txbytes: string
  result: Record<string, ForkResult>
}

/** Run one vector under one fork column; returns a failure message or null. */
function check(name: string, v: Vector, column: string): string | null {
  const fork = parseFork(column) as Fork
  const r = v.result[column]!
  let bytes: Uint8Array
  try {
    bytes = hexToBytes(v.txbytes)
  } catch {
    return r.exception ? null : `${name} [${column}]: txbytes is not hex`
  }
  try {
    const tx = decodeTransaction(bytes)
    const ok = validateTransaction(tx, { fork, chainId: 1n, encoded: bytes })
    if (r.exception) return `${name} [${column}]: accepted, expected ${r.exception}`
    if (bytesToHex(keccak256(bytes)) !== r.hash) return `${name} [${column}]: hash ${bytesToHex(keccak256(bytes))} != ${r.hash}`
    if (bytesToHex(encodeTransaction(tx)) !== v.txbytes.toLowerCase()) return `${name} [${column}]: re-encoding differs`
    if (bytesToHex(transactionHash(tx)) !== r.hash) return `${name} [${column}]: transactionHash differs`
    if (bytesToHex(ok.sender) !== r.sender) return `${name} [${column}]: sender ${bytesToHex(ok.sender)} != ${r.sender}`
    if (r.intrinsicGas !== undefined && ok.intrinsicGas !== hexToBigInt(r.intrinsicGas)) return `${name} [${column}]: intrinsic gas ${ok.intrinsicGas} != ${hexToBigInt(r.intrinsicGas)}`
    return null
  } catch (e) {
    if (!(e instanceof DecodeError || e instanceof InvalidTransactionError)) return `${name} [${column}]: untyped error ${String(e)}`
    return r.exception ? null : `${name} [${column}]: rejected (${(e as Error).message}), expected valid`
  }
}

function loadVectors(): { name: string; v: Vector }[] | undefined {
  const dir = fixturePath('ethereum-tests/TransactionTests')
  if (!dir) return undefined
  const out: { name: string; v: Vector }[] = []
  for (const file of jsonFiles(dir)) {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Vector>
    for (const [key, v] of Object.entries(data)) out.push({ name: `${relative(dir, file)}:${key}`, v })
  }
  return out
}

const vectors = loadVectors()

test('TransactionTests: newest fork column (Cancun; else Shanghai; else London)', (t) => {
  if (!vectors) return t.skip('fixtures absent')
  const failures: string[] = []
  const used: Record<string, number> = {}
  let valid = 0
  for (const { name, v } of vectors) {
    const column = ['Prague', 'Cancun', 'Shanghai', 'London'].find((c) => v.result[c])!
    used[column] = (used[column] ?? 0) + 1
    if (!v.result[column]!.exception) valid++
    const f = check(name, v, column)
    if (f) failures.push(f)
  }
  t.diagnostic(`${vectors.length - failures.length}/${vectors.length} vectors pass (${valid} valid, ${vectors.length - valid} rejected); columns used: ${JSON.stringify(used)}`)
  assert.deepEqual(failures, [])
  assert.ok(vectors.length >= 200)
})

test('TransactionTests: every fork column', (t) => {
  if (!vectors) return t.skip('fixtures absent')
  const failures: string[] = []
  let runs = 0
  for (const { name, v } of vectors) {
    for (const column of Object.keys(v.result)) {
      if (!parseFork(column)) continue
      runs++
      const f = check(name, v, column)
      if (f) failures.push(f)
    }
  }
  t.diagnostic(`${runs - failures.length}/${runs} (vector, fork) pairs pass`)
  assert.deepEqual(failures.slice(0, 30), [])
})
