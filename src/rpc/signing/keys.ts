/** Looking up the local key a signing method should use, with the right error when the node does not hold it. */
import type { RpcContext } from '../context.js'
import { InvalidInputError } from '../errors.js'
import { toChecksumAddress } from '../../crypto/address.js'

/** The private key of `address`, or -32000 "unknown account". */
export function signerKey(ctx: RpcContext, address: Uint8Array): Uint8Array {
  const key = ctx.node.keyring.privateKeyOf(address)
  if (key === undefined) throw new InvalidInputError(`unknown account ${toChecksumAddress(address)}`)
  return key
}
