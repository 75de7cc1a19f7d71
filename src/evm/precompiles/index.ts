/**
 * Precompile registry: maps an address and fork to the precompiled contract
 * active there. Addresses 0x01..0x11 are laid out so that activation is
 * monotonic in the address (1-4 Frontier, 5-8 Byzantium, 9 Istanbul,
 * 0x0a Cancun, 0x0b-0x11 Prague), so each fork is just "the highest active
 * address". Lookup checks 19 leading zero bytes then indexes by the last byte.
 */
import { FORKS, forkIndex, type Fork } from '../../eth/fork.js'
import type { Precompile } from './types.js'
import { ecrecover } from './01-ecrecover.js'
import { sha256 } from './02-sha256.js'
import { ripemd160 } from './03-ripemd160.js'
import { identity } from './04-identity.js'
import { modexp } from './05-modexp.js'
import { bn254Add } from './06-bn254-add.js'
import { bn254Mul } from './07-bn254-mul.js'
import { bn254Pairing } from './08-bn254-pairing.js'
import { blake2f } from './09-blake2f.js'
import { pointEvaluation } from './0a-point-evaluation.js'
import { blsG1Add } from './0b-bls12-g1add.js'
import { blsG1Msm } from './0c-bls12-g1msm.js'
import { blsG2Add } from './0d-bls12-g2add.js'
import { blsG2Msm } from './0e-bls12-g2msm.js'
import { blsPairing } from './0f-bls12-pairing.js'
import { blsMapFpToG1 } from './10-bls12-map-fp-to-g1.js'
import { blsMapFp2ToG2 } from './11-bls12-map-fp2-to-g2.js'

export type { Precompile, PrecompileResult } from './types.js'

/** Precompile per last address byte; index 0 unused. */
const TABLE: (Precompile | undefined)[] = [
  undefined, ecrecover, sha256, ripemd160, identity, modexp, bn254Add, bn254Mul, bn254Pairing, blake2f,
  pointEvaluation, blsG1Add, blsG1Msm, blsG2Add, blsG2Msm, blsPairing, blsMapFpToG1, blsMapFp2ToG2,
]

/** Fork that activates each address byte (index 0 unused). */
const SINCE: readonly Fork[] = [
  'Frontier', 'Frontier', 'Frontier', 'Frontier', 'Frontier',
  'Byzantium', 'Byzantium', 'Byzantium', 'Byzantium',
  'Istanbul',
  'Cancun',
  'Prague', 'Prague', 'Prague', 'Prague', 'Prague', 'Prague', 'Prague',
]

/** Highest active (and implemented) address byte per fork index. */
const MAX_ADDR: number[] = FORKS.map((f) => {
  const fi = forkIndex(f)
  let max = 0
  for (let a = 1; a < SINCE.length; a++) if (TABLE[a] && forkIndex(SINCE[a]!) <= fi) max = a
  return max
})

function lastByteIfLow(address: Uint8Array): number {
  if (address.length !== 20) return 0
  for (let i = 0; i < 19; i++) if (address[i] !== 0) return 0
  return address[19]!
}

/** The precompile at `address` under `fork`, or undefined when none is active there. */
export function getPrecompile(address: Uint8Array, fork: Fork): Precompile | undefined {
  const b = lastByteIfLow(address)
  if (b === 0 || b > MAX_ADDR[forkIndex(fork)]!) return undefined
  return TABLE[b]
}

/** True when a precompile is active at `address` under `fork`. */
export function isPrecompile(address: Uint8Array, fork: Fork): boolean {
  return getPrecompile(address, fork) !== undefined
}

/** Addresses of every precompile active under `fork`, in ascending order (fresh arrays; for the EIP-2929 warm set). */
export function precompileAddresses(fork: Fork): Uint8Array[] {
  const max = MAX_ADDR[forkIndex(fork)]!
  const out: Uint8Array[] = []
  for (let a = 1; a <= max; a++) {
    const addr = new Uint8Array(20)
    addr[19] = a
    out.push(addr)
  }
  return out
}
