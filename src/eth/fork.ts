/**
 * Hard forks by name and order. Consensus rules (gas schedule, opcodes,
 * transaction types, precompiles) switch on `forkAtLeast`, so every layer
 * agrees on what "Cancun rules" means.
 */

/** Supported hard forks, oldest first. */
export const FORKS = [
  'Frontier',
  'Homestead',
  'TangerineWhistle',
  'SpuriousDragon',
  'Byzantium',
  'Constantinople',
  'Petersburg',
  'Istanbul',
  'Berlin',
  'London',
  'Paris',
  'Shanghai',
  'Cancun',
  'Prague',
] as const

/** A hard fork name. */
export type Fork = (typeof FORKS)[number]

/** Default fork for the node (DESIGN.md: Prague). */
export const DEFAULT_FORK: Fork = 'Prague'

const FORK_INDEX = new Map<string, number>(FORKS.map((f, i) => [f, i]))

/** Position of a fork in `FORKS`; throws on an unknown name. */
export function forkIndex(fork: Fork): number {
  const i = FORK_INDEX.get(fork)
  if (i === undefined) throw new Error(`unknown fork ${fork}`)
  return i
}

/** True when `fork` includes the rules introduced by `since`. */
export function forkAtLeast(fork: Fork, since: Fork): boolean {
  return forkIndex(fork) >= forkIndex(since)
}

/** Parse a fork name as written in fixtures (`Cancun`, `Merge` = Paris, `ConstantinopleFix` = Petersburg). */
export function parseFork(name: string): Fork | undefined {
  const alias: Record<string, Fork> = { Merge: 'Paris', ConstantinopleFix: 'Petersburg', EIP150: 'TangerineWhistle', EIP158: 'SpuriousDragon' }
  if (alias[name]) return alias[name]
  return FORK_INDEX.has(name) ? (name as Fork) : undefined
}
