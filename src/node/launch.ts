/**
 * Starting a dev node from a DevConfig: derive the dev accounts, prepare the
 * data directory (`--fresh` wipes it), open (or resume) the chain in it with
 * the dev accounts funded at genesis, and start the JSON-RPC server with the
 * chain as its `backend` (src/node/backend.ts). A caller may pass its own
 * backend instead (tests of the RPC layer).
 */
import { mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs'
import { resolve, parse as parsePath } from 'node:path'
import { homedir } from 'node:os'
import { startRpcServer, type RpcServer } from '../rpc/server/server.js'
import { ALL_METHODS } from '../rpc/methods/index.js'
import { buildRegistry } from '../rpc/method.js'
import { Keyring } from '../rpc/keyring.js'
import { SILENT_LOGGER, type RpcLogger } from '../rpc/logger.js'
import type { Backend } from '../rpc/backend.js'
import type { DevConfig } from './config.js'
import { deriveDevAccounts, type DevAccount } from './accounts.js'
import { ConfigError } from './errors.js'
import { Chain, type ChainOptions } from '../chain/chain.js'
import { ChainBackend } from './backend.js'

/** The package version, read once from package.json. */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
})()

/** web3_clientVersion. */
export function clientVersion(): string {
  return `tachyon/v${VERSION}/${process.platform}-${process.arch}/node${process.versions.node}`
}

/** A running dev node. */
export interface DevNode {
  readonly config: DevConfig
  readonly accounts: readonly DevAccount[]
  readonly server: RpcServer
  /** The sequencer's chain (absent when the caller supplied its own backend). */
  readonly chain?: Chain
  close(): Promise<void>
}

/** Prepare the data directory; refuses to wipe `/`, the home directory or the working directory. */
export function prepareDataDir(dir: string, fresh: boolean): string {
  const abs = resolve(dir)
  if (fresh && existsSync(abs)) {
    if (abs === parsePath(abs).root || abs === homedir() || abs === process.cwd()) throw new ConfigError('--data-dir', `refusing to delete ${abs} for --fresh`)
    rmSync(abs, { recursive: true, force: true })
  }
  mkdirSync(abs, { recursive: true })
  return abs
}

/** Start a dev node: the chain (in `config.dataDir`) behind the RPC server; `chain` overrides chain options (gas limit, sealing). */
export async function launchDev(config: DevConfig, opts: { logger?: RpcLogger; backend?: Backend; chain?: Partial<ChainOptions> } = {}): Promise<DevNode> {
  const accounts = deriveDevAccounts(config.mnemonic, config.accounts)
  prepareDataDir(config.dataDir, config.fresh)
  const keyring = new Keyring(accounts.map((a) => a.privateKey))
  const chain = opts.backend
    ? undefined
    : await Chain.open({
        chainId: config.chainId,
        genesis: accounts.map((a) => ({ address: a.address, balance: config.balanceWei })),
        blockTimeMs: config.blockTimeMs,
        miniBlockTimeMs: config.miniBlockTimeMs,
        poolMaxPerSender: config.poolMaxPerSender,
        poolMaxTotal: config.poolMaxTotal,
        recoveryWorkers: config.recoveryWorkers,
        dataDir: resolve(config.dataDir),
        ...(opts.chain ?? {}),
      })
  const backend = opts.backend ?? new ChainBackend(chain!)
  let server: RpcServer
  try {
    server = await startRpcServer({
      host: config.host,
      port: config.port,
      methods: buildRegistry(ALL_METHODS),
      node: { chainId: config.chainId, clientVersion: clientVersion(), keyring },
      backend,
      logger: opts.logger ?? SILENT_LOGGER,
    })
  } catch (e) {
    await chain?.close()
    throw e
  }
  const close = async (): Promise<void> => {
    await server.close()
    await chain?.close()
  }
  return { config, accounts, server, ...(chain ? { chain } : {}), close }
}
