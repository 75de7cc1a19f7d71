/**
 * Starting a dev node from a DevConfig: derive the dev accounts, prepare the
 * data directory (`--fresh` wipes it), and start the JSON-RPC server. Until
 * the chain lands this is config-only mode: the server answers the methods
 * that need no chain and -32004 for the rest. The chain will be passed as
 * the server's `backend`.
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

/** Start a dev node. `backend` is the chain once it exists. */
export async function launchDev(config: DevConfig, opts: { logger?: RpcLogger; backend?: Backend } = {}): Promise<DevNode> {
  const accounts = deriveDevAccounts(config.mnemonic, config.accounts)
  prepareDataDir(config.dataDir, config.fresh)
  const keyring = new Keyring(accounts.map((a) => a.privateKey))
  const server = await startRpcServer({
    host: config.host,
    port: config.port,
    methods: buildRegistry(ALL_METHODS),
    node: { chainId: config.chainId, clientVersion: clientVersion(), keyring },
    ...(opts.backend ? { backend: opts.backend } : {}),
    logger: opts.logger ?? SILENT_LOGGER,
  })
  return { config, accounts, server, close: () => server.close() }
}
