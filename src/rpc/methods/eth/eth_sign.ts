/**
 * eth_sign(address, data): EIP-191 personal-message signature with a local
 * key (geth's semantics: the data is prefixed, never signed raw).
 */
import { defineMethod } from '../../method.js'
import { params, address, data } from '../../params.js'
import { hashPersonalMessage, signDigest } from '../../signing/message.js'
import { signerKey } from '../../signing/keys.js'

/** 65-byte r ‖ s ‖ v signature. */
export const eth_sign = defineMethod('eth_sign', params(address, data), (ctx, [addr, msg]) => signDigest(hashPersonalMessage(msg), signerKey(ctx, addr)))
