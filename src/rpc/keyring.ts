/**
 * The node's local signing keys (dev accounts derived from the mnemonic, or
 * keys added later). RPC methods that sign for a client — eth_accounts,
 * eth_sign, personal_sign, eth_signTypedData_v4, eth_sendTransaction — look
 * keys up here by address. Keys never leave this object except through
 * `privateKeyOf` for the signing code.
 */
import { privateKeyToAddress } from '../crypto/secp256k1.js'
import { bytesToHex } from '../primitives/hex.js'

/** An in-memory set of secp256k1 keys indexed by address. */
export class Keyring {
  private readonly byAddress = new Map<string, Uint8Array>()
  private readonly order: Uint8Array[] = []

  /** Build from 32-byte private keys; the order is kept for eth_accounts. */
  constructor(privateKeys: readonly Uint8Array[] = []) {
    for (const k of privateKeys) this.add(k)
  }

  /** Add a private key; returns its address. */
  add(privateKey: Uint8Array): Uint8Array {
    const address = privateKeyToAddress(privateKey)
    const key = bytesToHex(address)
    if (!this.byAddress.has(key)) {
      this.byAddress.set(key, privateKey.slice())
      this.order.push(address)
    }
    return address
  }

  /** Addresses in insertion order. */
  addresses(): Uint8Array[] {
    return this.order.map((a) => a.slice())
  }

  /** True when the keyring holds the key of `address`. */
  has(address: Uint8Array): boolean {
    return this.byAddress.has(bytesToHex(address))
  }

  /** The private key of `address`, or undefined. */
  privateKeyOf(address: Uint8Array): Uint8Array | undefined {
    return this.byAddress.get(bytesToHex(address))
  }
}
