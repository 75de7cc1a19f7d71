/** web3_clientVersion: the node's name/version/platform string. Needs no chain. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'

/** Returns e.g. `tachyon/v0.1.0/linux-x64/node20.20.2`. */
export const web3_clientVersion = defineMethod('web3_clientVersion', params(), (ctx) => ctx.node.clientVersion)
