/** tachyon_getProof(address, slots, block?): QMDB membership / non-membership proofs of an account and storage slots (see docs/ for the verifier). */
import { defineMethod } from '../../method.js'
import { params, address, arrayOf, storageSlot, optional } from '../../params.js'
import { blockSelector, LATEST } from '../../format.js'
import { requireBackend } from '../../context.js'
import { MAX_PROOF_SLOTS } from '../../server/limits.js'

/** The proof object as the state layer defines it. */
export const tachyon_getProof = defineMethod('tachyon_getProof', params(address, arrayOf(storageSlot, MAX_PROOF_SLOTS), optional(blockSelector)), (ctx, [addr, slots, sel]) =>
  requireBackend(ctx).getProof(addr, slots, sel ?? LATEST),
)
