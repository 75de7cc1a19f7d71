/**
 * Compiles the Solidity sources of `test/contracts/` with the `solc` npm
 * package (soljson 0.8.x), resolving `@openzeppelin/...` imports from
 * node_modules. Results are cached per process and on disk (keyed by the
 * sources' hash) so several test files share one compilation.
 */
import { createRequire } from 'node:module'
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'

/** One compiled contract. */
export interface Artifact {
  abi: unknown[]
  /** 0x-prefixed creation bytecode. */
  bytecode: `0x${string}`
}

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
/** test/contracts in the source tree (this file runs from dist/test/contracts). */
const SRC_DIR = resolve(here, '../../../test/contracts')
const NODE_MODULES = resolve(here, '../../../node_modules')

let cache: Record<string, Artifact> | undefined

/** Compile every `.sol` file of test/contracts; contracts by name. */
export function compileContracts(files: string[] = ['Token.sol', 'Probe.sol']): Record<string, Artifact> {
  if (cache !== undefined) return cache
  const sources: Record<string, { content: string }> = {}
  for (const f of files) sources[f] = { content: readFileSync(join(SRC_DIR, f), 'utf8') }
  const key = createHash('sha256').update(JSON.stringify(sources)).digest('hex').slice(0, 16)
  const cacheDir = join(tmpdir(), 'tachyon-solc-cache')
  const cacheFile = join(cacheDir, `${key}.json`)
  if (existsSync(cacheFile)) {
    cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, Artifact>
    return cache
  }
  // solc is CommonJS without types.
  const solc = require('solc') as { compile(input: string, opts: { import(path: string): { contents: string } | { error: string } }): string }
  const input = {
    language: 'Solidity',
    sources,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'prague', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  }
  const out = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import(path: string) {
        const p = join(NODE_MODULES, path)
        return existsSync(p) ? { contents: readFileSync(p, 'utf8') } : { error: `not found: ${path}` }
      },
    }),
  ) as { errors?: { severity: string; formattedMessage: string }[]; contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>> }
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join('\n')}`)
  const result: Record<string, Artifact> = {}
  for (const file of Object.values(out.contracts)) for (const [name, c] of Object.entries(file)) result[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
  mkdirSync(cacheDir, { recursive: true })
  writeFileSync(cacheFile, JSON.stringify(result))
  cache = result
  return result
}
