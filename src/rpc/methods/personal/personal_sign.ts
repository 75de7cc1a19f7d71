/**
 * personal_sign(data, address): EIP-191 signature with a local key. The
 * message is hex bytes; a non-hex string is signed as UTF-8 (as wallets do).
 */
import { defineMethod } from '../../method.js'
import { params, address, string } from '../../params.js'
import { hashPersonalMessage, signDigest } from '../../signing/message.js'
import { signerKey } from '../../signing/keys.js'
import { hexToBytes, isHex } from '../../../primitives/hex.js'

/** 65-byte r ‖ s ‖ v signature. */
export const personal_sign = defineMethod('personal_sign', params(string(10 * 1024 * 1024), address), (ctx, [msg, addr]) => {
    const bytes = isHex(msg) && msg.length % 2 === 0 ? hexToBytes(msg) : new TextEncoder().encode(msg)
    return signDigest(hashPersonalMessage(bytes), signerKey(ctx, addr))
  })
