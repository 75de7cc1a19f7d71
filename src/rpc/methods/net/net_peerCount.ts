/** net_peerCount: connected peers; a dev node has none. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'

/** `0x0`. */
export const net_peerCount = defineMethod('net_peerCount', params(), () => '0x0')
