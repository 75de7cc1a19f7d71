/**
 * eth_sendTransaction(request): fill in nonce (pending state), gas
 * (eth_estimateGas), fees (suggested) and chain id, then sign with the
 * sender's local dev key and submit, or hand an unsigned transaction to the
 * chain for an impersonated sender (anvil_impersonateAccount). Unknown senders
 * get -32003.
 */
import { defineMethod } from '../../method.js'
import { params } from '../../params.js'
import { callRequest, LATEST } from '../../format.js'
import { requireBackend, type RpcContext } from '../../context.js'
import { executionOptions, stateAt } from '../common.js'
import { InvalidParamsError, TransactionRejectedError } from '../../errors.js'
import type { CallRequest } from '../../backend.js'
import { encodeTransaction, signTransaction, type Transaction, type UnsignedTransaction } from '../../../eth/transaction/index.js'
import { bytesToHex } from '../../../primitives/hex.js'
import { toChecksumAddress } from '../../../crypto/address.js'
import { submitRaw } from '../common.js'

/** Build the unsigned transaction eth_sendTransaction will sign (exported for tests of the defaults). */
export async function fillTransaction(ctx: RpcContext, req: CallRequest, from: Uint8Array): Promise<UnsignedTransaction> {
  const backend = requireBackend(ctx)
  const chainId = req.chainId ?? ctx.node.chainId
  if (chainId !== ctx.node.chainId) throw new InvalidParamsError(`chainId ${chainId} does not match the node's ${ctx.node.chainId}`)
  const nonce = req.nonce ?? stateAt(backend, { kind: 'tag', tag: 'pending' }).account(from)?.nonce ?? 0n
  const gasLimit = req.gas ?? (await backend.estimateGas({ ...req, from }, LATEST, executionOptions(ctx)))
  const base = { chainId, nonce, gasLimit, to: req.to ?? null, value: req.value ?? 0n, data: req.data ?? new Uint8Array(0) }
  const accessList = req.accessList ?? []
  const type = req.type ?? (req.authorizationList ? 4 : req.blobVersionedHashes ? 3 : req.gasPrice !== undefined ? (req.accessList ? 1 : 0) : 2)
  if (type === 0 || type === 1) {
    const gasPrice = req.gasPrice ?? backend.gasPrice()
    return type === 0 ? { type: 0, ...base, gasPrice } : { type: 1, ...base, gasPrice, accessList }
  }
  const maxPriorityFeePerGas = req.maxPriorityFeePerGas ?? backend.maxPriorityFeePerGas()
  let maxFeePerGas = req.maxFeePerGas ?? backend.gasPrice() * 2n
  if (req.maxFeePerGas === undefined && maxFeePerGas < maxPriorityFeePerGas) maxFeePerGas = maxPriorityFeePerGas
  const fees = { maxPriorityFeePerGas, maxFeePerGas, accessList }
  if (type === 2) return { type: 2, ...base, ...fees }
  if (base.to === null) throw new InvalidParamsError(`type ${type} transactions need a "to" address`)
  if (type === 3) {
    return { type: 3, ...base, to: base.to, ...fees, maxFeePerBlobGas: req.maxFeePerBlobGas ?? backend.blobBaseFee() * 2n, blobVersionedHashes: req.blobVersionedHashes ?? [] }
  }
  return { type: 4, ...base, to: base.to, ...fees, authorizationList: req.authorizationList ?? [] }
}

/** The transaction hash. */
export const eth_sendTransaction = defineMethod('eth_sendTransaction', params(callRequest), async (ctx, [req]) => {
  const backend = requireBackend(ctx)
  if (req.from === undefined) throw new InvalidParamsError('invalid params[0].from: the sender is required')
  const from = req.from
  const key = ctx.node.keyring.privateKeyOf(from)
  const impersonated = backend.dev?.isImpersonated(from) ?? false
  if (key === undefined && !impersonated) throw new TransactionRejectedError(`unknown account ${toChecksumAddress(from)}: not a dev account and not impersonated`)
  const unsigned = await fillTransaction(ctx, req, from)
  if (key !== undefined) return bytesToHex((await submitRaw(backend, encodeTransaction(signTransaction(unsigned, key)))).hash)
  const fake = (unsigned.type === 0 ? { ...unsigned, v: 0n, r: 0n, s: 0n } : { ...unsigned, yParity: 0, r: 0n, s: 0n }) as Transaction
  return bytesToHex((await backend.dev!.sendUnsigned(fake, from)).hash)
})
