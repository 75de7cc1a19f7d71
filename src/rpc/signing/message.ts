/**
 * EIP-191 personal messages and 65-byte signature encoding for the signing
 * methods (eth_sign, personal_sign, eth_signTypedData_v4): the
 * "\x19Ethereum Signed Message:\n<len>" prefix hash, and r ‖ s ‖ v with
 * v = 27 + yParity as wallets return it.
 */
import { keccak256 } from '../../crypto/keccak.js'
import { signHash } from '../../crypto/secp256k1.js'
import { concatBytes, bigIntToBytes } from '../../primitives/bytes.js'
import { bytesToHex, type Hex } from '../../primitives/hex.js'

/** keccak256("\x19Ethereum Signed Message:\n" ‖ len(message) ‖ message). */
export function hashPersonalMessage(message: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`)
  return keccak256(concatBytes(prefix, message))
}

/** Sign a 32-byte digest and return the 65-byte `r ‖ s ‖ v` (v = 27/28) hex signature. */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Hex {
  const sig = signHash(digest, privateKey)
  return bytesToHex(concatBytes(bigIntToBytes(sig.r, 32), bigIntToBytes(sig.s, 32), Uint8Array.of(27 + sig.yParity)))
}
