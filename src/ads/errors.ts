/**
 * Typed errors of the QMDB store, so callers can tell bad input (their bug)
 * from on-disk corruption (the store cannot be trusted) from misuse of the
 * pipeline (a proof asked for while a commit is in flight).
 */

/** Base class of every error the store throws. */
export class QmdbError extends Error {
  override name = 'QmdbError'
}

/** The caller passed something invalid: empty value, oversized key, duplicate key in a block, wrong height. */
export class QmdbInputError extends QmdbError {
  override name = 'QmdbInputError'
}

/** The files on disk do not match what was committed: bad meta checksum, bad entry, root mismatch after recovery. */
export class QmdbCorruptionError extends QmdbError {
  override name = 'QmdbCorruptionError'
}

/** The operation needs a quiescent store (no commit in flight), or the store was closed. */
export class QmdbStateError extends QmdbError {
  override name = 'QmdbStateError'
}

/** A proof that is malformed (wrong length, bad field), as opposed to one that merely fails to verify. */
export class QmdbProofFormatError extends QmdbError {
  override name = 'QmdbProofFormatError'
}
