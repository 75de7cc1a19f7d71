/**
 * Typed errors of the chain (sequencer) layer. The RPC adapter in
 * `src/node/backend.ts` maps them to JSON-RPC codes; pool rejections use the
 * txpool's own `TxPoolError`.
 */

/** The chain was closed (or failed) and accepts no more work. */
export class ChainClosedError extends Error {
  override name = 'ChainClosedError'
  constructor(message = 'chain is closed') {
    super(message)
  }
}

/** Data on disk does not fit together (store head vs state height, bad record). */
export class ChainCorruptionError extends Error {
  override name = 'ChainCorruptionError'
}

/** A historical state that is no longer kept in memory (older than the undo window). */
export class StateUnavailableError extends Error {
  override name = 'StateUnavailableError'
  constructor(readonly blockNumber: bigint, readonly oldest: bigint) {
    super(`state of block ${blockNumber} is not available (oldest kept: ${oldest})`)
  }
}

/** A malformed mini-block record or signature. */
export class MiniBlockDecodeError extends Error {
  override name = 'MiniBlockDecodeError'
}

/** A state proof that cannot be produced (in-memory state, or a block whose state QMDB no longer holds). */
export class ProofUnavailableError extends Error {
  override name = 'ProofUnavailableError'
}
