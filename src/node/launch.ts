/**
 * Starting a dev node from a DevConfig: derive the dev accounts, prepare the
 * data directory (`--fresh` wipes it), open (or resume) the chain in it with
 * the dev accounts funded at genesis, and start the JSON-RPC server with the
 * chain as its `backend` (src/node/backend.ts). A caller may pass its own
 * backend instead (tests of the RPC layer).
 *
 * With `--jit on` (the default) the node owns one `Jit` (adaptive tiering by
 * code hash, src/evm/jit) hung on one `CodeCache`, which the sequencer and
 * eth_call / estimateGas / createAccessList / callAfter all share: code turns
 * hot across transactions and calls alike. Its counters are logged when they
 * change (at most every JIT_LOG_INTERVAL_MS) and at shutdown.
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
import { CodeCache } from '../evm/code.js'
import { Jit, type JitOptions, type JitStats } from '../evm/jit/index.js'
import { ChainBackend } from './backend.js'

/** How often the JIT's counters are logged, when they changed. */
export const JIT_LOG_INTERVAL_MS = 30_000
/**
 * The node's JIT tuning: compile after 8 frame entries of a code (revmc's
 * threshold), from `setImmediate` so a compilation never delays the
 * transaction or call that made the code hot; the adaptive safety net
 * (on for thresholds above 1) demotes codes that run slower compiled.
 */
export const NODE_JIT_OPTIONS: Readonly<JitOptions> = { threshold: 8, async: true }

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
  /** The node's JIT (absent with `--jit off` or a caller-supplied backend). */
  readonly jit?: Jit
  close(): Promise<void>
}

/** The JIT counters worth a log line (compiled codes, compile time, failures, demotions, cache). */
export function jitSummary(jit: Jit): JitStats & { cached: number } {
  return { ...jit.stats, compileMs: Math.round(jit.stats.compileMs * 10) / 10, cached: jit.size }
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

/**
 * Start a dev node: the chain (in `config.dataDir`) behind the RPC server;
 * `chain` overrides chain options (gas limit, sealing); `jit` overrides
 * NODE_JIT_OPTIONS when the JIT is on (tests force it hot with threshold 1).
 */
export async function launchDev(config: DevConfig, opts: { logger?: RpcLogger; backend?: Backend; chain?: Partial<ChainOptions>; jit?: JitOptions } = {}): Promise<DevNode> {
  const accounts = deriveDevAccounts(config.mnemonic, config.accounts)
  prepareDataDir(config.dataDir, config.fresh)
  const keyring = new Keyring(accounts.map((a) => a.privateKey))
  const logger = opts.logger ?? SILENT_LOGGER
  const jit = config.jit && opts.backend === undefined ? new Jit(opts.jit ?? NODE_JIT_OPTIONS) : undefined
  const codeCache = new CodeCache()
  codeCache.jit = jit
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
        codeCache,
        ...(opts.chain ?? {}),
      })
  const backend = opts.backend ?? new ChainBackend(chain!)
  let server: RpcServer
  try {
    server = await startRpcServer({
      host: config.host,
      port: config.port,
      methods: buildRegistry(ALL_METHODS),
      node: { chainId: config.chainId, clientVersion: clientVersion(), keyring, gasCap: config.rpcGasCap },
      backend,
      logger,
    })
  } catch (e) {
    await chain?.close()
    throw e
  }
  let lastLogged = '0/0/0/0'
  const logJit = (final: boolean): void => {
    if (jit === undefined) return
    const s = jitSummary(jit)
    const key = `${s.compiled}/${s.failed}/${s.demoted}/${s.evictions}`
    if (key === lastLogged && !final) return
    lastLogged = key
    logger.info({ jit: s }, final ? 'jit stats at shutdown' : 'jit stats')
  }
  const jitTimer = jit !== undefined ? setInterval(() => logJit(false), JIT_LOG_INTERVAL_MS) : undefined
  jitTimer?.unref()
  const close = async (): Promise<void> => {
    if (jitTimer !== undefined) clearInterval(jitTimer)
    logJit(true)
    await server.close()
    await chain?.close()
  }
  return { config, accounts, server, ...(chain ? { chain } : {}), ...(jit ? { jit } : {}), close }
}
