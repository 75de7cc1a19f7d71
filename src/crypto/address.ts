/**
 * Ethereum addresses: EIP-55 mixed-case checksum encoding, checked parsing,
 * and the two contract-address derivations (CREATE and CREATE2, EIP-1014).
 * Lives in `crypto/` because every one of these needs keccak256.
 */
import { HexError } from '../primitives/errors.js'
import { bytesToHexRaw, hexToBytes, type Hex } from '../primitives/hex.js'
import { encodeRlp } from '../primitives/rlp.js'
import { keccak256, keccak256Parts } from './keccak.js'

/** Length of an address in bytes. */
export const ADDRESS_LENGTH = 20

const TEXT = new TextEncoder()
const CREATE2_PREFIX = Uint8Array.of(0xff)

function addressBytes(address: Uint8Array | string): Uint8Array {
  if (typeof address === 'string') return parseAddress(address)
  if (!(address instanceof Uint8Array) || address.length !== ADDRESS_LENGTH) {
    throw new HexError(`an address is ${ADDRESS_LENGTH} bytes, got ${address instanceof Uint8Array ? address.length : typeof address}`)
  }
  return address
}

/** Apply EIP-55 to 40 lower-case hex digits (no prefix). */
function checksumDigits(lower: string): string {
  const hash = keccak256(TEXT.encode(lower))
  let out = ''
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!
    // Nibble i of the hash: high nibble for even i, low nibble for odd i.
    const h = i & 1 ? hash[i >> 1]! & 0x0f : hash[i >> 1]! >> 4
    out += h >= 8 && c >= 'a' ? c.toUpperCase() : c
  }
  return out
}

/**
 * EIP-55 checksummed form of an address given as 20 bytes or as hex
 * (any case; the input's own checksum is not checked here, use `parseAddress` for that).
 */
export function toChecksumAddress(address: Uint8Array | string): Hex {
  const bytes = typeof address === 'string' ? parseAddressUnchecked(address) : addressBytes(address)
  return `0x${checksumDigits(bytesToHexRaw(bytes))}`
}

function parseAddressUnchecked(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new HexError(`expected an address string, got ${typeof hex}`)
  if (hex.length !== 42) throw new HexError(`an address is 0x followed by 40 hex digits, got ${hex.length} characters`)
  return hexToBytes(hex, ADDRESS_LENGTH)
}

/**
 * Parse a `0x` address into 20 bytes. All-lower-case and all-upper-case digits
 * are accepted as is; a mixed-case string must carry a correct EIP-55 checksum
 * (a typo guard), otherwise `HexError`. Also `HexError` on bad length or characters.
 */
export function parseAddress(hex: string): Uint8Array {
  const bytes = parseAddressUnchecked(hex)
  const body = hex.slice(2)
  const lower = body.toLowerCase()
  if (body !== lower && body !== body.toUpperCase()) {
    if (checksumDigits(lower) !== body) throw new HexError(`address has an invalid EIP-55 checksum: ${hex}`)
  }
  return bytes
}

/** True when `hex` is a valid address string (`parseAddress` would accept it). */
export function isAddress(hex: unknown): hex is Hex {
  if (typeof hex !== 'string') return false
  try {
    parseAddress(hex)
    return true
  } catch {
    return false
  }
}

/**
 * Address of a contract created by CREATE: keccak256(rlp([sender, nonce]))[12:].
 * `nonce` is the sender's nonce before the creating transaction or message.
 */
export function createAddress(sender: Uint8Array | string, nonce: bigint | number): Uint8Array {
  return keccak256(encodeRlp([addressBytes(sender), nonce])).subarray(12)
}

/**
 * Address of a contract created by CREATE2 (EIP-1014):
 * keccak256(0xff ‖ sender ‖ salt ‖ keccak256(initCode))[12:].
 * `salt` and `initCodeHash` are 32 bytes each.
 */
export function create2Address(sender: Uint8Array | string, salt: Uint8Array, initCodeHash: Uint8Array): Uint8Array {
  if (!(salt instanceof Uint8Array) || salt.length !== 32) throw new HexError('CREATE2 salt must be 32 bytes')
  if (!(initCodeHash instanceof Uint8Array) || initCodeHash.length !== 32) throw new HexError('CREATE2 init code hash must be 32 bytes')
  return keccak256Parts(CREATE2_PREFIX, addressBytes(sender), salt, initCodeHash).subarray(12)
}
