/** net_listening: true while the server accepts connections. */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'

/** Always true (a stopped server cannot answer). */
export const net_listening = defineMethod('net_listening', params(), () => true)
