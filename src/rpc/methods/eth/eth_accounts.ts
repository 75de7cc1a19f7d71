/** eth_accounts: addresses of the node's local keys (the dev accounts), EIP-55 checksummed. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { toChecksumAddress } from '../../../crypto/address.js'

/** The keyring's addresses in derivation order. */
export const eth_accounts = defineMethod('eth_accounts', params(), (ctx) => ctx.node.keyring.addresses().map((a) => toChecksumAddress(a)))
