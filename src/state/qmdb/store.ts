/**
 * Ethereum state over QMDB (DESIGN.md "State commitment"): accounts, storage
 * slots and code as QMDB keys, committed one `StateDiff` per block, read
 * through the EVM's synchronous `StateReader`.
 *
 * Keys and values:
 * - account `0x00 ‖ address` → nonce (u64 BE, 8 B) ‖ balance (u256 BE, 32 B) ‖ codeHash (32 B);
 *   a null account in the diff deletes the key;
 * - storage `0x01 ‖ address ‖ slot (32 B BE)` → the 32-byte word; writing 0 deletes;
 * - code `0x02 ‖ codeHash` → bytecode (empty code is never stored: KECCAK_EMPTY reads as empty).
 * Deleting an account does not sweep its storage: the diff must list cleared slots
 * (the overlay lists the ones it knows; the sequencer adds every slot its state
 * history recorded for the account).
 * No-op writes (the current value, deleting an absent key) are dropped at commit.
 */
import { Qmdb, type Change, type QmdbOptions } from '../../ads/db.js'
import type { QmdbProof } from '../../ads/proof.js'
import { QmdbInputError } from '../../ads/errors.js'
import { bigIntToBytes, bytesToBigInt, equalBytes } from '../../primitives/bytes.js'
import { hexToBytes } from '../../primitives/hex.js'
import { KECCAK_EMPTY } from '../../crypto/keccak.js'
import type { AccountInfo, StateDiff, StateReader } from '../database.js'

/** Key prefixes of the three kinds of state. */
export const ACCOUNT_PREFIX = 0x00
/** See ACCOUNT_PREFIX. */
export const STORAGE_PREFIX = 0x01
/** See ACCOUNT_PREFIX. */
export const CODE_PREFIX = 0x02

/** QMDB key of an account. */
export function accountKey(address: Uint8Array): Uint8Array {
  const k = new Uint8Array(21)
  k[0] = ACCOUNT_PREFIX
  k.set(address, 1)
  return k
}

/** QMDB key of a storage slot. */
export function storageKey(address: Uint8Array, slot: bigint): Uint8Array {
  const k = new Uint8Array(53)
  k[0] = STORAGE_PREFIX
  k.set(address, 1)
  k.set(bigIntToBytes(slot, 32), 21)
  return k
}

/** QMDB key of a code blob. */
export function codeKey(codeHash: Uint8Array): Uint8Array {
  const k = new Uint8Array(33)
  k[0] = CODE_PREFIX
  k.set(codeHash, 1)
  return k
}

/** Encodes an account value (72 bytes). */
export function encodeAccount(a: AccountInfo): Uint8Array {
  if (a.nonce < 0n || a.nonce >= 1n << 64n) throw new QmdbInputError(`nonce out of range: ${a.nonce}`)
  const v = new Uint8Array(72)
  v.set(bigIntToBytes(a.nonce, 8), 0)
  v.set(bigIntToBytes(a.balance, 32), 8)
  v.set(a.codeHash, 40)
  return v
}

/** Decodes an account value. */
export function decodeAccount(v: Uint8Array): AccountInfo {
  if (v.length !== 72) throw new QmdbInputError(`account value must be 72 bytes, got ${v.length}`)
  return { nonce: bytesToBigInt(v.subarray(0, 8)), balance: bytesToBigInt(v.subarray(8, 40)), codeHash: v.slice(40, 72) }
}

/** Options of `QmdbState.open`. */
export interface QmdbStateOptions extends QmdbOptions {
  /** Source of BLOCKHASH values (zero hash when absent). */
  blockHash?: (n: bigint) => Uint8Array | undefined
}

/** Ethereum state on a QMDB store: `StateReader` plus per-block commits and proofs. */
export class QmdbState implements StateReader {
  private constructor(readonly db: Qmdb, private readonly blockHashFn?: (n: bigint) => Uint8Array | undefined) {}

  /** Opens (or creates) the state store in `dir`. */
  static async open(dir: string, opts: QmdbStateOptions = {}): Promise<QmdbState> {
    return new QmdbState(await Qmdb.open(dir, opts), opts.blockHash)
  }

  /** @inheritdoc */
  account(address: Uint8Array): AccountInfo | undefined {
    const v = this.db.get(accountKey(address))
    return v ? decodeAccount(v) : undefined
  }

  /** @inheritdoc */
  code(codeHash: Uint8Array): Uint8Array {
    if (equalBytes(codeHash, KECCAK_EMPTY)) return new Uint8Array(0)
    return this.db.get(codeKey(codeHash)) ?? new Uint8Array(0)
  }

  /** @inheritdoc */
  storage(address: Uint8Array, slot: bigint): bigint {
    const v = this.db.get(storageKey(address, slot))
    return v ? bytesToBigInt(v) : 0n
  }

  /** @inheritdoc */
  blockHash(number: bigint): Uint8Array {
    return this.blockHashFn?.(number) ?? new Uint8Array(32)
  }

  /** QMDB changes for a diff (deterministic regardless of Map order: the store sorts by key hash). */
  static changesOf(diff: StateDiff): Change[] {
    const out: Change[] = []
    for (const [addr, acct] of diff.accounts) {
      out.push({ key: accountKey(hexToBytes(addr, 20)), value: acct ? encodeAccount(acct) : null })
    }
    for (const [addr, slots] of diff.storage) {
      const a = hexToBytes(addr, 20)
      for (const [slot, val] of slots) out.push({ key: storageKey(a, slot), value: val === 0n ? null : bigIntToBytes(val, 32) })
    }
    for (const [hash, code] of diff.codes) {
      const h = hexToBytes(hash, 32)
      if (code.length === 0 || equalBytes(h, KECCAK_EMPTY)) continue
      out.push({ key: codeKey(h), value: code })
    }
    return out
  }

  /**
   * The changes of a diff that change something: a write of the current
   * value, or a delete of an absent key, is dropped. QMDB appends an entry
   * for every change it is given (a new version of the key), so a no-op
   * write would otherwise change the root; without them the root depends
   * only on the net change set.
   */
  netChanges(diff: StateDiff): Change[] {
    return QmdbState.changesOf(diff).filter((c) => {
      const cur = this.db.get(c.key)
      return c.value === null ? cur !== undefined : cur === undefined || !equalBytes(cur, c.value)
    })
  }

  /** Commits a block's diff without its no-op writes (`netChanges`); resolves with the state root once durable. */
  commit(diff: StateDiff, height?: number): Promise<Uint8Array> {
    return this.db.commit(this.netChanges(diff), height)
  }

  /** State root of the last durable block. */
  get root(): Uint8Array {
    return this.db.root
  }

  /** Height of the last durable block. */
  get height(): number {
    return this.db.height
  }

  /** Proofs for an account and some of its slots (for `tachyon_getProof`). Await `flush()` first if commits are in flight. */
  prove(address: Uint8Array, slots: readonly bigint[] = []): { account: QmdbProof; storage: QmdbProof[] } {
    return { account: this.db.prove(accountKey(address)), storage: slots.map((s) => this.db.prove(storageKey(address, s))) }
  }

  /** Waits until every commit issued is durable. */
  flush(): Promise<void> {
    return this.db.flush()
  }

  /** Closes the store. */
  close(): Promise<void> {
    return this.db.close()
  }
}
