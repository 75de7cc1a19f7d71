/**
 * `tachyon dev` configuration: flag definitions (one table drives parsing
 * and --help), defaults from DESIGN.md (127.0.0.1:8545, chain 31337, the test
 * mnemonic, 10 accounts × 10,000 ETH, 1 s blocks, 10 ms mini-blocks,
 * ./.tachyon), and strict parsing that reports every bad flag as a
 * ConfigError naming it.
 */
import { ConfigError } from './errors.js'
import { DEFAULT_MNEMONIC } from './accounts.js'
import { MAX_TXS_PER_SENDER, MAX_POOL_TXS } from '../txpool/limits.js'
import { RPC_GAS_CAP } from '../rpc/server/limits.js'

/** Parsed configuration of a dev node. */
export interface DevConfig {
  host: string
  port: number
  chainId: bigint
  mnemonic: string
  accounts: number
  /** Initial balance of each dev account, in wei. */
  balanceWei: bigint
  blockTimeMs: number
  miniBlockTimeMs: number
  dataDir: string
  fresh: boolean
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug'
  /** Pool cap per sender (src/txpool/limits.ts default 64). */
  poolMaxPerSender: number
  /** Pool cap in total (default 10,000). */
  poolMaxTotal: number
  /** Worker threads recovering senders of submitted transactions (0 = main thread). */
  recoveryWorkers: number
  /** Adaptive JIT tiering for transactions and eth_call-like execution (`--jit on|off`). */
  jit: boolean
  /** Gas cap of eth_call / eth_estimateGas / eth_createAccessList / eth_callAfter (geth's --rpc.gascap). */
  rpcGasCap: bigint
}

/** Result of parsing argv: run with a config, or print help. */
export type ParsedArgs = { kind: 'run'; config: DevConfig } | { kind: 'help' }

interface FlagSpec {
  name: string
  value?: string
  help: string
  default: string
}

/** Every flag of `tachyon dev`, in --help order. */
export const DEV_FLAGS: readonly FlagSpec[] = [
  { name: '--host', value: '<addr>', help: 'Interface the JSON-RPC server (HTTP + WebSocket) binds to', default: '127.0.0.1' },
  { name: '--port', value: '<n>', help: 'JSON-RPC port, 0 picks a free one', default: '8545' },
  { name: '--chain-id', value: '<n>', help: 'Chain id (decimal or 0x hex)', default: '31337' },
  { name: '--mnemonic', value: '<words>', help: 'BIP-39 mnemonic the dev accounts derive from (m/44\'/60\'/0\'/0/i)', default: DEFAULT_MNEMONIC },
  { name: '--accounts', value: '<n>', help: 'Number of funded dev accounts', default: '10' },
  { name: '--balance', value: '<eth>', help: 'Initial balance of each dev account in ETH', default: '10000' },
  { name: '--block-time', value: '<dur>', help: 'EVM block interval (e.g. 1s, 500ms)', default: '1s' },
  { name: '--mini-block-time', value: '<dur>', help: 'Longest a mini-block stays open (e.g. 10ms)', default: '10ms' },
  { name: '--data-dir', value: '<path>', help: 'Where chain data and state are stored', default: './.tachyon' },
  { name: '--fresh', help: 'Delete the data directory and start from genesis', default: 'off' },
  { name: '--txpool-max-per-sender', value: '<n>', help: 'Most pooled transactions per sender', default: '64' },
  { name: '--txpool-max', value: '<n>', help: 'Most pooled transactions in total', default: '10000' },
  { name: '--recovery-workers', value: '<n>', help: 'Threads recovering transaction senders in batches (0 = main thread)', default: '2' },
  { name: '--jit', value: '<on|off>', help: 'Compile hot contracts to JavaScript (adaptive tiering; results are identical either way)', default: 'on' },
  { name: '--rpc-gas-cap', value: '<n>', help: 'Gas cap of eth_call, eth_estimateGas, eth_createAccessList, eth_callAfter', default: String(RPC_GAS_CAP) },
  { name: '--log-level', value: '<level>', help: 'silent, error, warn, info or debug', default: 'info' },
  { name: '--help', help: 'Show this help', default: '' },
]

/** The --help text. */
export function helpText(): string {
  const rows = DEV_FLAGS.map((f) => {
    const left = `  ${f.name}${f.value ? ' ' + f.value : ''}`
    const def = f.default === '' ? '' : ` (default: ${f.default})`
    return `${left.padEnd(30)}${f.help}${def}`
  })
  return ['Usage: tachyon dev [options]', '', 'Starts a Tachyon dev node: a real-time EVM chain with funded accounts.', '', 'Options:', ...rows, ''].join('\n')
}

const MAX_ACCOUNTS = 1000
/** Highest --rpc-gas-cap: the EVM keeps gas in a JS number below 2^52. */
const MAX_RPC_GAS_CAP = 1n << 50n

function parseInteger(flag: string, v: string, min: bigint, max: bigint): bigint {
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) throw new ConfigError(flag, `expected an integer, got ${JSON.stringify(v)}`)
  const n = BigInt(v)
  if (n < min || n > max) throw new ConfigError(flag, `must be between ${min} and ${max}, got ${v}`)
  return n
}

/** Parse a duration: `1s`, `250ms`, `1.5s`, or a bare number of seconds. */
export function parseDuration(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v)
  if (m === null) throw new ConfigError(flag, `expected a duration like 1s or 10ms, got ${JSON.stringify(v)}`)
  const ms = m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000
  if (!Number.isFinite(ms) || ms < 1 || ms > 3_600_000) throw new ConfigError(flag, `must be between 1ms and 1h, got ${v}`)
  return ms
}

/** Parse an ETH amount with up to 18 decimals into wei. */
export function parseEther(flag: string, v: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,18}))?$/.exec(v)
  if (m === null) throw new ConfigError(flag, `expected an amount of ETH like 10000 or 0.5, got ${JSON.stringify(v)}`)
  const wei = BigInt(m[1]!) * 10n ** 18n + BigInt((m[2] ?? '').padEnd(18, '0'))
  if (wei >= 1n << 256n) throw new ConfigError(flag, 'amount does not fit in 256 bits')
  return wei
}

/** The defaults, as `tachyon dev` with no flags. */
export function defaultDevConfig(): DevConfig {
  return {
    host: '127.0.0.1',
    port: 8545,
    chainId: 31337n,
    mnemonic: DEFAULT_MNEMONIC,
    accounts: 10,
    balanceWei: 10_000n * 10n ** 18n,
    blockTimeMs: 1000,
    miniBlockTimeMs: 10,
    dataDir: './.tachyon',
    fresh: false,
    logLevel: 'info',
    poolMaxPerSender: MAX_TXS_PER_SENDER,
    poolMaxTotal: MAX_POOL_TXS,
    recoveryWorkers: 2,
    jit: true,
    rpcGasCap: RPC_GAS_CAP,
  }
}

/** Parse the arguments after `dev`. Accepts `--flag value` and `--flag=value`. */
export function parseDevArgs(argv: readonly string[]): ParsedArgs {
  const c = defaultDevConfig()
  const known = new Set(DEV_FLAGS.map((f) => f.name))
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '-h' || arg === '--help') return { kind: 'help' }
    if (!arg.startsWith('--')) throw new ConfigError(arg, 'unexpected argument (flags start with --)')
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg : arg.slice(0, eq)
    if (!known.has(name)) throw new ConfigError(name, 'unknown flag (see --help)')
    const spec = DEV_FLAGS.find((f) => f.name === name)!
    let value: string | undefined
    if (spec.value !== undefined) {
      if (eq >= 0) value = arg.slice(eq + 1)
      else {
        value = argv[++i]
        if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new ConfigError(name, `expects a value ${spec.value}`)
      }
    } else if (eq >= 0) throw new ConfigError(name, 'takes no value')
    const v = value ?? ''
    switch (name) {
      case '--host':
        if (v.length === 0) throw new ConfigError(name, 'must not be empty')
        c.host = v
        break
      case '--port':
        c.port = Number(parseInteger(name, v, 0n, 65535n))
        break
      case '--chain-id':
        c.chainId = parseInteger(name, v, 1n, (1n << 64n) - 1n)
        break
      case '--mnemonic':
        c.mnemonic = v
        break
      case '--accounts':
        c.accounts = Number(parseInteger(name, v, 0n, BigInt(MAX_ACCOUNTS)))
        break
      case '--balance':
        c.balanceWei = parseEther(name, v)
        break
      case '--block-time':
        c.blockTimeMs = parseDuration(name, v)
        break
      case '--mini-block-time':
        c.miniBlockTimeMs = parseDuration(name, v)
        break
      case '--data-dir':
        if (v.length === 0) throw new ConfigError(name, 'must not be empty')
        c.dataDir = v
        break
      case '--fresh':
        c.fresh = true
        break
      case '--txpool-max-per-sender':
        c.poolMaxPerSender = Number(parseInteger(name, v, 1n, 1_000_000n))
        break
      case '--txpool-max':
        c.poolMaxTotal = Number(parseInteger(name, v, 1n, 10_000_000n))
        break
      case '--recovery-workers':
        c.recoveryWorkers = Number(parseInteger(name, v, 0n, 16n))
        break
      case '--jit':
        if (v !== 'on' && v !== 'off') throw new ConfigError(name, `expected on or off, got ${JSON.stringify(v)}`)
        c.jit = v === 'on'
        break
      case '--rpc-gas-cap':
        c.rpcGasCap = parseInteger(name, v, 21_000n, MAX_RPC_GAS_CAP)
        break
      case '--log-level':
        if (!['silent', 'error', 'warn', 'info', 'debug'].includes(v)) throw new ConfigError(name, `expected silent, error, warn, info or debug, got ${JSON.stringify(v)}`)
        c.logLevel = v as DevConfig['logLevel']
        break
    }
  }
  if (c.miniBlockTimeMs > c.blockTimeMs) throw new ConfigError('--mini-block-time', `must not exceed --block-time (${c.blockTimeMs}ms)`)
  return { kind: 'run', config: c }
}
