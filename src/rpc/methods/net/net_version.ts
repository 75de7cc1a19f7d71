/** net_version: the network id, which on Tachyon equals the chain id (decimal string). */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'

/** The chain id as a decimal string. */
export const net_version = defineMethod('net_version', params(), (ctx) => ctx.node.chainId.toString(10))
