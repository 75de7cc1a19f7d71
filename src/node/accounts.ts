/**
 * Dev accounts: BIP-39 seed from the mnemonic, BIP-32 keys at the BIP-44
 * Ethereum path m/44'/60'/0'/0/i, exactly as anvil and Hardhat derive them,
 * so the well-known test mnemonic yields the well-known funded accounts.
 */
import { mnemonicToSeedSync, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { HDKey } from '@scure/bip32'
import { privateKeyToAddress } from '../crypto/secp256k1.js'
import { ConfigError } from './errors.js'

/** The mnemonic anvil and Hardhat use by default. */
export const DEFAULT_MNEMONIC = 'test test test test test test test test test test test junk'

/** The BIP-44 derivation path of account `index`. */
export function derivationPath(index: number): string {
  return `m/44'/60'/0'/0/${index}`
}

/** One derived account. */
export interface DevAccount {
  index: number
  address: Uint8Array
  privateKey: Uint8Array
}

/** Derive `count` accounts from `mnemonic`. Throws ConfigError for an invalid mnemonic. */
export function deriveDevAccounts(mnemonic: string, count: number): DevAccount[] {
  const normalized = mnemonic.trim().split(/\s+/).join(' ')
  if (!validateMnemonic(normalized, wordlist)) throw new ConfigError('--mnemonic', 'not a valid BIP-39 English mnemonic')
  const root = HDKey.fromMasterSeed(mnemonicToSeedSync(normalized))
  const out: DevAccount[] = []
  for (let i = 0; i < count; i++) {
    const key = root.derive(derivationPath(i)).privateKey
    if (key === null) throw new ConfigError('--mnemonic', `no private key at ${derivationPath(i)}`)
    out.push({ index: i, address: privateKeyToAddress(key), privateKey: key })
  }
  return out
}
