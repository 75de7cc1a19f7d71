/**
 * Helpers shared by method files: resolving state at a selector (with the
 * right error when the block is unknown), dev-control access, execution
 * options (gas cap + timeout tied to the client's connection), mapping a call
 * result to a value or error 3, and waiting on the chain with an abort signal.
 */
import type { Backend, BlockSelector, CallResult, DevControls, ExecutionOptions, TxSubmitResult } from '../backend.js'
import { TxPoolError } from '../../txpool/errors.js'
import type { RpcContext } from '../context.js'
import type { StateReader } from '../../state/database.js'
import { requireBackend } from '../context.js'
import { ExecutionRevertedError, InvalidInputError, MethodNotSupportedError, ResourceNotFoundError, RpcError } from '../errors.js'
import { RPC_EVM_TIMEOUT_MS, RPC_GAS_CAP } from '../server/limits.js'
import { bytesToHex, type Hex } from '../../primitives/hex.js'

/** State at `sel`, or -32001 "header not found". */
export function stateAt(backend: Backend, sel: BlockSelector): StateReader {
  const s = backend.stateAt(sel)
  if (s === undefined) throw new ResourceNotFoundError(sel.kind === 'hash' ? `header for hash ${bytesToHex(sel.hash)} not found` : 'header not found')
  return s
}

/** The dev controls, or -32004 when the chain runs without them. */
export function requireDev(ctx: RpcContext): DevControls {
  const dev = requireBackend(ctx).dev
  if (dev === undefined) throw new MethodNotSupportedError('dev methods are disabled on this node')
  return dev
}

/** Gas cap (the node's, else RPC_GAS_CAP) plus a signal that fires on RPC_EVM_TIMEOUT_MS or when the client disconnects. */
export function executionOptions(ctx: RpcContext): ExecutionOptions {
  return { gasCap: ctx.node.gasCap ?? RPC_GAS_CAP, signal: AbortSignal.any([ctx.session.signal, AbortSignal.timeout(RPC_EVM_TIMEOUT_MS)]) }
}

/** Decode a Solidity `Error(string)` revert reason, when the data is one. */
export function revertReason(data: Uint8Array): string | undefined {
  if (data.length < 68 || data[0] !== 0x08 || data[1] !== 0xc3 || data[2] !== 0x79 || data[3] !== 0xa0) return undefined
  const len = Number(BigInt(bytesToHex(data.subarray(36, 68))))
  if (len > data.length - 68) return undefined
  return new TextDecoder().decode(data.subarray(68, 68 + len))
}

/** Return data of a successful call; error 3 (with data) on revert; -32000 on a halt. */
export function callOutput(r: CallResult): Hex {
  if (r.status === 'success') return bytesToHex(r.returnData)
  if (r.status === 'revert') throw new ExecutionRevertedError(bytesToHex(r.returnData), revertReason(r.returnData))
  throw new InvalidInputError(r.error ?? 'execution halted')
}

/**
 * Submit through the backend, mapping the pool's typed rejections
 * (`TxPoolError`, which sits below `rpc` and carries its JSON-RPC code) to
 * RpcErrors, so the chain can let pool errors propagate unchanged.
 */
export async function submitRaw(backend: Backend, raw: Uint8Array): Promise<TxSubmitResult> {
  try {
    return await backend.submitRawTransaction(raw)
  } catch (e) {
    throw poolErrorToRpc(e)
  }
}

/** A pool rejection (`TxPoolError`) as the RpcError it answers with; anything else unchanged. */
export function poolErrorToRpc(e: unknown): unknown {
  return e instanceof TxPoolError ? new RpcError(e.rpcCode, e.message) : e
}

/**
 * `submitRaw` for the raw transactions of one batch: one admission when the
 * backend offers `submitRawTransactions`, else one `submitRaw` each; each
 * outcome is the submit result or the (mapped) error, in order.
 */
export async function submitRawMany(backend: Backend, raws: readonly Uint8Array[]): Promise<({ ok: true; value: TxSubmitResult } | { ok: false; error: unknown })[]> {
  if (backend.submitRawTransactions === undefined) {
    return Promise.all(raws.map((raw) => submitRaw(backend, raw).then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }))))
  }
  const rs = await backend.submitRawTransactions(raws)
  return rs.map((r) => (r instanceof Error ? { ok: false as const, error: poolErrorToRpc(r) } : { ok: true as const, value: r }))
}
