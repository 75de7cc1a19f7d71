/**
 * Reader thread of a `ReadPool` (reader.ts): waits for batches of entry reads
 * in shared memory and fills their slots. It never writes a file.
 */
import { workerData } from 'node:worker_threads'
import { readerLoop, type ReadPoolShared } from './reader.js'

readerLoop(workerData as ReadPoolShared)
