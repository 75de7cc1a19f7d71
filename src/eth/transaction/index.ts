/**
 * Transactions: shapes, codec, hashing, signing, sender recovery, intrinsic
 * gas and stateless validation. Import from here rather than the files.
 */
export * from './types.js'
export * from './errors.js'
export * from './codec.js'
export * from './sign.js'
export * from './gas.js'
export * from './validate.js'
export * from './network.js'
