/**
 * Typed errors of the chain store. Corruption always names the file and the
 * byte offset so an operator can find the damage; bad input from the caller is
 * an `InvalidRecordError`; misuse of the API (closed store, two open block
 * writers, out-of-order blocks) is a `StoreStateError`.
 */

/** Base class of every error the storage layer throws. */
export class StorageError extends Error {
  override name = 'StorageError'
}

/** A checksum, magic number or length in a segment file does not hold: the bytes on disk are damaged. */
export class CorruptSegmentError extends StorageError {
  override name = 'CorruptSegmentError'
  /** Path of the damaged file. */
  readonly file: string
  /** Byte offset (in that file) of the damaged batch or header. */
  readonly offset: number
  constructor(file: string, offset: number, reason: string) {
    super(`corrupt segment ${file} at offset ${offset}: ${reason}`)
    this.file = file
    this.offset = offset
  }
}

/** The commit log is damaged somewhere other than its tail (a torn tail is repaired, not reported). */
export class CorruptCommitLogError extends CorruptSegmentError {
  override name = 'CorruptCommitLogError'
}

/** The caller handed the store a record it cannot accept (wrong hash size, too many topics, bad numbering). */
export class InvalidRecordError extends StorageError {
  override name = 'InvalidRecordError'
}

/** The store is used in a way its state does not allow (closed, failed after an I/O error, writer already open). */
export class StoreStateError extends StorageError {
  override name = 'StoreStateError'
}

/** A `getLogs` query matched more logs than its `limit`. */
export class LogQueryLimitError extends StorageError {
  override name = 'LogQueryLimitError'
}

/** The writer failed to write or sync (disk full, I/O error, writer thread gone); the store must be reopened. */
export class StorageIOError extends StorageError {
  override name = 'StorageIOError'
}
