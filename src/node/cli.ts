#!/usr/bin/env node
/**
 * The `tachyon` command. `tachyon dev [flags]` starts a dev node and prints
 * an anvil-style banner on stdout (logs go to stderr as pino JSON). Bad
 * flags print the error and exit with code 2; SIGINT/SIGTERM close the
 * server cleanly.
 */
import { parseDevArgs, helpText } from './config.js'
import { ConfigError } from './errors.js'
import { launchDev, VERSION } from './launch.js'
import { formatBanner } from './banner.js'
import { createLogger, toRpcLogger } from './logger.js'

const USAGE = `Usage: tachyon <command> [options]\n\nCommands:\n  dev     Start a dev node (tachyon dev --help)\n`

/** Run the CLI with `argv` (without node and script); resolves with the exit code, or never for a running node. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE)
    return command === undefined ? 2 : 0
  }
  if (command === '--version') {
    process.stdout.write(`tachyon ${VERSION}\n`)
    return 0
  }
  if (command !== 'dev') {
    process.stderr.write(`tachyon: unknown command ${JSON.stringify(command)}\n${USAGE}`)
    return 2
  }
  let parsed
  try {
    parsed = parseDevArgs(rest)
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`tachyon dev: ${e.message}\n`)
      return 2
    }
    throw e
  }
  if (parsed.kind === 'help') {
    process.stdout.write(helpText())
    return 0
  }
  const config = parsed.config
  const logger = createLogger(config.logLevel)
  let node
  try {
    node = await launchDev(config, { logger: toRpcLogger(logger) })
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`tachyon dev: ${e.message}\n`)
      return 2
    }
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`tachyon dev: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}\n`)
      return 1
    }
    throw e
  }
  process.stdout.write(formatBanner(config, node.accounts, node.server.url, node.server.wsUrl, VERSION))
  const stop = (signal: string): void => {
    logger.info({ signal }, 'shutting down')
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
  return new Promise<number>(() => {})
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`tachyon: ${(err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  },
)
