/**
 * eth_getProof: Merkle-Patricia proofs cannot exist over QMDB state
 * (DESIGN.md § State commitment), so this answers -32004 naming the
 * replacement, tachyon_getProof. Params are still validated so a malformed
 * call gets -32602 first.
 */
import { defineMethod } from '../../method.js'
import { params, address, arrayOf, storageSlot, optional } from '../../params.js'
import { blockSelector } from '../../format.js'
import { MethodNotSupportedError } from '../../errors.js'
import { MAX_PROOF_SLOTS } from '../../server/limits.js'

/** Always throws. */
export const eth_getProof = defineMethod('eth_getProof', params(address, arrayOf(storageSlot, MAX_PROOF_SLOTS), optional(blockSelector)), () => {
  throw new MethodNotSupportedError(
    'eth_getProof is not supported: Tachyon commits state with QMDB, not a Merkle-Patricia trie; use tachyon_getProof(address, slots, block) for QMDB proofs',
  )
})
