/** Pool bounds as named constants (geth-like: 16 executable + 64 queued per account, 5120+1024 total; ours are simpler single caps). */

/** Most transactions (pending + queued) one sender may have in the pool. */
export const MAX_TXS_PER_SENDER = 64
/** Most transactions in the pool overall. */
export const MAX_POOL_TXS = 10_000
/** Most nonces a queued transaction may be ahead of the account's nonce. */
export const MAX_NONCE_GAP = 64n
/** A replacement (same sender and nonce) must raise both fee cap and tip by this percentage (geth: 10). */
export const PRICE_BUMP_PERCENT = 10n
/** Largest accepted encoded transaction (geth: 128 KiB). */
export const MAX_TX_BYTES = 128 * 1024
/** Default lowest tip the pool accepts, in wei. */
export const DEFAULT_MIN_TIP = 0n
