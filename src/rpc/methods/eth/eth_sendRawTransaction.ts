/**
 * eth_sendRawTransaction(raw): decode, validate and pool a signed
 * transaction; returns its hash at once. The sends of one JSON-RPC batch are
 * admitted together (`invokeMany`: one ordered admission, same answers).
 */
import { defineMethod } from '../../method.js'
import { params, data } from '../../params.js'
import { requireBackend } from '../../context.js'
import { bytesToHex } from '../../../primitives/hex.js'
import { submitRaw, submitRawMany } from '../common.js'

/** The transaction hash. */
export const eth_sendRawTransaction = defineMethod(
  'eth_sendRawTransaction',
  params(data),
  async (ctx, [raw]) => bytesToHex((await submitRaw(requireBackend(ctx), raw)).hash),
  async (ctx, calls) => (await submitRawMany(requireBackend(ctx), calls.map(([raw]) => raw))).map((r) => (r.ok ? { ok: true, value: bytesToHex(r.value.hash) } : r)),
)
