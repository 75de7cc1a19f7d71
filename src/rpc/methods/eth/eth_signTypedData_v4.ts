/** eth_signTypedData_v4(address, typedData): EIP-712 signature with a local key; typedData may be an object or a JSON string. */
import { defineMethod } from '../../method.js'
import { params, address, json } from '../../params.js'
import { signDigest } from '../../signing/message.js'
import { signerKey } from '../../signing/keys.js'
import { hashTypedData, parseTypedData } from '../../signing/typedData.js'

/** 65-byte r ‖ s ‖ v signature over the EIP-712 digest. */
export const eth_signTypedData_v4 = defineMethod('eth_signTypedData_v4', params(address, json), (ctx, [addr, td]) => {
    const key = signerKey(ctx, addr)
    return signDigest(hashTypedData(parseTypedData(td)), key)
  })
