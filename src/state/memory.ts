/**
 * A plain in-memory `StateReader` (for tests, the conformance runner and dev
 * mode): accounts, storage and code in Maps (accounts by a compact 10-char
 * key of the address bytes, code by lower-case hex of its hash), with
 * setters and a way to apply a `StateDiff` and list every account (to compute
 * an MPT state root).
 */
import { KECCAK_EMPTY, keccak256 } from '../crypto/keccak.js'
import { bytesToHex, bytesToHexRaw } from '../primitives/hex.js'
import { equalBytes } from '../primitives/bytes.js'
import type { AccountInfo, StateDiff, StateReader } from './database.js'

/** One account as stored by `MemoryState`. */
export interface MemoryAccount {
  address: Uint8Array
  nonce: bigint
  balance: bigint
  codeHash: Uint8Array
  storage: Map<bigint, bigint>
}

/** Map key of a 20-byte address: ten UTF-16 code units (one flat string, cheap to build and hash). */
function addrKey(a: Uint8Array): string {
  return String.fromCharCode(
    (a[0]! << 8) | a[1]!,
    (a[2]! << 8) | a[3]!,
    (a[4]! << 8) | a[5]!,
    (a[6]! << 8) | a[7]!,
    (a[8]! << 8) | a[9]!,
    (a[10]! << 8) | a[11]!,
    (a[12]! << 8) | a[13]!,
    (a[14]! << 8) | a[15]!,
    (a[16]! << 8) | a[17]!,
    (a[18]! << 8) | a[19]!,
  )
}

/** Map key of a `0x` (or bare) hex address as used in `StateDiff`. */
function hexAddrKey(h: string): string {
  return addrKey(Uint8Array.from(Buffer.from(strip(h), 'hex')))
}

/** A mutable in-memory state implementing `StateReader`. */
export class MemoryState implements StateReader {
  // keyed by addrKey(address)
  private readonly accounts = new Map<string, MemoryAccount>()
  private readonly codes = new Map<string, Uint8Array>()
  /** Code by the identity of the codeHash arrays stored in (and handed out by) this state's accounts: skips hex encoding. */
  private readonly codeByHashRef = new WeakMap<Uint8Array, Uint8Array>()
  /** Block hashes by number (falls back to `blockHashFn`, then zero). */
  readonly blockHashes = new Map<bigint, Uint8Array>()
  /** Optional block hash source used when `blockHashes` has no entry. */
  blockHashFn: ((n: bigint) => Uint8Array) | undefined

  /** Create or overwrite an account; code, when given, is stored and hashed. */
  setAccount(address: Uint8Array, fields: { nonce?: bigint; balance?: bigint; code?: Uint8Array; storage?: Iterable<[bigint, bigint]> }): void {
    const key = addrKey(address)
    let codeHash = KECCAK_EMPTY
    if (fields.code && fields.code.length > 0) {
      codeHash = keccak256(fields.code)
      this.codes.set(bytesToHexRaw(codeHash), fields.code)
      this.codeByHashRef.set(codeHash, fields.code)
    }
    const storage = new Map<bigint, bigint>()
    for (const [k, v] of fields.storage ?? []) if (v !== 0n) storage.set(k, v)
    this.accounts.set(key, { address: address.slice(), nonce: fields.nonce ?? 0n, balance: fields.balance ?? 0n, codeHash, storage })
  }

  /** Set one storage slot of an existing account (0n deletes). */
  setStorage(address: Uint8Array, slot: bigint, value: bigint): void {
    const a = this.accounts.get(addrKey(address))
    if (!a) throw new RangeError(`no account ${bytesToHex(address)}`)
    if (value === 0n) a.storage.delete(slot)
    else a.storage.set(slot, value)
  }

  account(address: Uint8Array): AccountInfo | undefined {
    const a = this.accounts.get(addrKey(address))
    return a ? { nonce: a.nonce, balance: a.balance, codeHash: a.codeHash } : undefined
  }

  code(codeHash: Uint8Array): Uint8Array {
    const known = this.codeByHashRef.get(codeHash)
    if (known !== undefined) return known
    if (equalBytes(codeHash, KECCAK_EMPTY)) return new Uint8Array(0)
    return this.codes.get(bytesToHexRaw(codeHash)) ?? new Uint8Array(0)
  }

  storage(address: Uint8Array, slot: bigint): bigint {
    return this.accounts.get(addrKey(address))?.storage.get(slot) ?? 0n
  }

  /** True when the account has at least one non-zero storage slot (EIP-7610 collision check). */
  hasStorage(address: Uint8Array): boolean {
    const a = this.accounts.get(addrKey(address))
    return a !== undefined && a.storage.size > 0
  }

  blockHash(number: bigint): Uint8Array {
    return this.blockHashes.get(number) ?? this.blockHashFn?.(number) ?? new Uint8Array(32)
  }

  /** Apply a block's diff (as produced by `StateOverlay.diff()`). */
  apply(diff: StateDiff): void {
    for (const [h, code] of diff.codes) this.codes.set(h.startsWith('0x') ? h.slice(2) : h, code)
    for (const addr of diff.clearedStorage ?? []) {
      const a = this.accounts.get(hexAddrKey(addr))
      if (a) a.storage.clear()
    }
    for (const [addr, info] of diff.accounts) {
      const key = hexAddrKey(addr)
      if (info === null) {
        this.accounts.delete(key)
        continue
      }
      if (!this.codeByHashRef.has(info.codeHash) && !equalBytes(info.codeHash, KECCAK_EMPTY)) {
        const code = this.codes.get(bytesToHexRaw(info.codeHash))
        if (code !== undefined) this.codeByHashRef.set(info.codeHash, code)
      }
      const a = this.accounts.get(key)
      if (a) {
        a.nonce = info.nonce
        a.balance = info.balance
        a.codeHash = info.codeHash
      } else {
        const address = Uint8Array.from(Buffer.from(strip(addr), 'hex'))
        this.accounts.set(key, { address, nonce: info.nonce, balance: info.balance, codeHash: info.codeHash, storage: new Map() })
      }
    }
    for (const [addr, slots] of diff.storage) {
      const a = this.accounts.get(hexAddrKey(addr))
      if (!a) continue
      for (const [slot, v] of slots) {
        if (v === 0n) a.storage.delete(slot)
        else a.storage.set(slot, v)
      }
    }
  }

  /** Every account (for state-root computation and dumps). */
  allAccounts(): IterableIterator<MemoryAccount> {
    return this.accounts.values()
  }

  /** A deep copy (accounts and storage; code shared, it is immutable). */
  clone(): MemoryState {
    const c = new MemoryState()
    for (const [k, a] of this.accounts) c.accounts.set(k, { ...a, storage: new Map(a.storage) })
    for (const [k, v] of this.codes) c.codes.set(k, v)
    for (const [k, v] of this.blockHashes) c.blockHashes.set(k, v)
    c.blockHashFn = this.blockHashFn
    return c
  }
}

function strip(h: string): string {
  return (h.startsWith('0x') ? h.slice(2) : h).toLowerCase()
}
