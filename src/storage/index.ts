/**
 * Public surface of the chain store (issue 5): open a `ChainStore`, write
 * blocks through a `BlockWriter`, read through a `Snapshot`. See
 * docs/storage.md for formats and guarantees.
 */
export {
  ChainStore,
  BlockWriter,
  Snapshot,
  type ChainStoreOptions,
  type BlockInput,
  type MiniBlockInput,
  type TxInput,
  type StoredBlock,
  type StoredMiniBlock,
  type StoredTransaction,
  type StoredReceipt,
  type LogMatch,
  type PruneResult,
  type ChainStoreStats,
  type CheckpointStats,
  type StreamTuning,
  rewindChainStore,
} from './store.js'
export { StateHistory, type HistoryEntry, type HistoryLookup } from './history.js'
export type { LogFilter, LogKey } from './logIndex.js'
export { StorageError, CorruptSegmentError, CorruptCommitLogError, InvalidRecordError, StoreStateError, LogQueryLimitError, StorageIOError } from './errors.js'
export { hasNativeZstd } from './codec.js'
