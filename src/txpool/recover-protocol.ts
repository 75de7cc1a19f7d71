/**
 * Messages between `SenderRecovery` (`recover.ts`, main thread) and its
 * workers (`recover-worker.ts`): a batch of raw transactions in one buffer,
 * answered by one buffer of fixed-size results.
 */

/** A batch sent to a worker: raws concatenated in `data`, transaction i = data[offsets[i], offsets[i+1]). */
export interface RecoveryRequest {
  id: number
  data: Uint8Array
  offsets: Uint32Array
}

/** A worker's answer: RECOVERY_RESULT_BYTES per transaction (sender ‖ hash ‖ status). */
export interface RecoveryResponse {
  id: number
  results: Uint8Array
}

/** Bytes per transaction in `RecoveryResponse.results`: 20 sender, 32 hash, 1 status. */
export const RECOVERY_RESULT_BYTES = 53
/** Status: the sender was recovered. */
export const RECOVERED = 1
/** Status: no key recovers from the signature (the main thread's checks say why). */
export const NO_KEY = 0
/** Status: the worker failed on this transaction; the main thread admits it itself. */
export const WORKER_FAILED = 2
