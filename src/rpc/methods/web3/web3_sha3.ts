/** web3_sha3: keccak256 of the given bytes. Needs no chain. */
import { defineMethod } from '../../method.js'
import { params, data } from '../../params.js'
import { keccak256Hex } from '../../../crypto/keccak.js'

/** keccak256(data) as 32-byte hex. */
export const web3_sha3 = defineMethod('web3_sha3', params(data), (_ctx, [d]) => keccak256Hex(d))
