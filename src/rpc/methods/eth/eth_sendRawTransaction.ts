/** eth_sendRawTransaction(raw): decode, validate and pool a signed transaction; returns its hash at once. */
import { defineMethod } from '../../method.js'
import { params, data } from '../../params.js'
import { requireBackend } from '../../context.js'
import { bytesToHex } from '../../../primitives/hex.js'
import { submitRaw } from '../common.js'

/** The transaction hash. */
export const eth_sendRawTransaction = defineMethod('eth_sendRawTransaction', params(data), async (ctx, [raw]) =>
  bytesToHex((await submitRaw(requireBackend(ctx), raw)).hash),
)
