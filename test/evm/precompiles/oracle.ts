/**
 * Test helper: runs @ethereumjs/evm's precompile implementations as an
 * oracle for differential tests (dev dependency only, never used at runtime).
 * Normalises its ExecResult to our PrecompileResult shape.
 */
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { createEVM, getActivePrecompiles, type EVM } from '@ethereumjs/evm'
import type { PrecompileResult } from '../../../src/evm/precompiles/types.js'

/** Forks the oracle is instantiated for. */
export type OracleFork = 'Frontier' | 'Byzantium' | 'Istanbul' | 'Berlin' | 'Cancun' | 'Prague'

const HF: Record<OracleFork, string> = {
  Frontier: Hardfork.Chainstart,
  Byzantium: Hardfork.Byzantium,
  Istanbul: Hardfork.Istanbul,
  Berlin: Hardfork.Berlin,
  Cancun: Hardfork.Cancun,
  Prague: Hardfork.Prague,
}

/** An oracle bound to one fork. */
export interface Oracle {
  run(addressByte: number, input: Uint8Array, gasLimit: bigint): Promise<PrecompileResult>
}

const cache = new Map<string, Promise<Oracle>>()

/** The oracle for a fork (created once per process). `kzg` is passed to Common's customCrypto when given. */
export function oracle(fork: OracleFork, kzg?: unknown): Promise<Oracle> {
  const key = fork + (kzg ? '+kzg' : '')
  let o = cache.get(key)
  if (!o) {
    o = make(fork, kzg)
    cache.set(key, o)
  }
  return o
}

async function make(fork: OracleFork, kzg?: unknown): Promise<Oracle> {
  // customCrypto.kzg has ethereumjs' own KZG interface type; the test passes a compatible object.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const customCrypto = kzg ? { kzg: kzg as any } : {}
  const common = new Common({ chain: Mainnet, hardfork: HF[fork], customCrypto })
  const evm: EVM = await createEVM({ common })
  const active = getActivePrecompiles(common)
  return {
    async run(addressByte, input, gasLimit) {
      const addr = addressByte.toString(16).padStart(40, '0')
      const fn = active.get(addr)
      if (!fn) throw new Error(`oracle has no precompile ${addr} at ${fork}`)
      const r = await fn({ data: input, gasLimit, common, _EVM: evm })
      if (r.exceptionError) return { ok: false, reason: String(r.exceptionError.error) }
      return { ok: true, gasUsed: r.executionGasUsed, output: r.returnValue }
    },
  }
}

/** Deterministic PRNG (xorshift32) so failures reproduce. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x
  }
}

/** `n` pseudo-random bytes. */
export function randomBytes(next: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = next() & 0xff
  return out
}

/** Hex without prefix, for assertion messages. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}
