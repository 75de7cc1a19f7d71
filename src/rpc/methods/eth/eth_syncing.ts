/** eth_syncing: false; the sequencer is the chain's source and never syncs. Replicas report progress through the sync layer. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'

/** `false`. */
export const eth_syncing = defineMethod('eth_syncing', params(), () => false)
