/**
 * The `tachyon dev` entry: flag parsing and typed errors, BIP-44 dev
 * accounts (anvil's well-known addresses), and the real CLI process started
 * on port 0, read with viem and stopped with SIGTERM.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPublicClient, http } from 'viem'
import { parseDevArgs, helpText, DEV_FLAGS } from '../../src/node/config.js'
import { ConfigError } from '../../src/node/errors.js'
import { deriveDevAccounts, DEFAULT_MNEMONIC } from '../../src/node/accounts.js'
import { launchDev } from '../../src/node/launch.js'
import { toChecksumAddress } from '../../src/crypto/address.js'
import { bytesToHex } from '../../src/primitives/hex.js'

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/node/cli.js')

test('dev accounts match anvil/Hardhat for the test mnemonic', () => {
  const a = deriveDevAccounts(DEFAULT_MNEMONIC, 3)
  assert.equal(toChecksumAddress(a[0]!.address), '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
  assert.equal(bytesToHex(a[0]!.privateKey), '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
  assert.equal(toChecksumAddress(a[1]!.address), '0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
  assert.equal(toChecksumAddress(a[2]!.address), '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC')
  assert.throws(() => deriveDevAccounts('not a mnemonic at all', 1), ConfigError)
})

test('flag parsing: defaults, every flag, typed errors', () => {
  const d = parseDevArgs([])
  assert.equal(d.kind, 'run')
  if (d.kind !== 'run') return
  assert.equal(d.config.port, 8545)
  assert.equal(d.config.chainId, 31337n)
  assert.equal(d.config.accounts, 10)
  assert.equal(d.config.balanceWei, 10_000n * 10n ** 18n)
  assert.equal(d.config.blockTimeMs, 1000)
  assert.equal(d.config.miniBlockTimeMs, 10)
  assert.equal(d.config.dataDir, './.tachyon')
  const c = parseDevArgs(['--host', '0.0.0.0', '--port=9000', '--chain-id', '0x1', '--accounts', '3', '--balance', '1.5', '--block-time', '500ms', '--mini-block-time', '5ms', '--data-dir', '/tmp/x', '--fresh', '--log-level', 'silent'])
  assert.ok(c.kind === 'run')
  if (c.kind !== 'run') return
  assert.deepEqual([c.config.host, c.config.port, c.config.chainId, c.config.accounts, c.config.balanceWei, c.config.blockTimeMs, c.config.miniBlockTimeMs, c.config.fresh], ['0.0.0.0', 9000, 1n, 3, 15n * 10n ** 17n, 500, 5, true])
  assert.equal(parseDevArgs(['--help']).kind, 'help')
  for (const bad of [['--port', 'x'], ['--port', '70000'], ['--chain-id', '0'], ['--nope'], ['--accounts'], ['--balance', '-1'], ['--block-time', '1h'], ['--mini-block-time', '2s'], ['--fresh=yes'], ['--log-level', 'loud'], ['positional']]) {
    assert.throws(() => parseDevArgs(bad), ConfigError, bad.join(' '))
  }
  for (const f of DEV_FLAGS) assert.ok(helpText().includes(f.name), f.name)
})

test('launchDev serves the no-chain methods; --fresh wipes the data dir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-node-'))
  writeFileSync(join(dir, 'old'), 'x')
  const parsed = parseDevArgs(['--port', '0', '--accounts', '2', '--data-dir', dir, '--fresh', '--chain-id', '777'])
  assert.ok(parsed.kind === 'run')
  if (parsed.kind !== 'run') return
  const node = await launchDev(parsed.config)
  try {
    assert.equal(existsSync(join(dir, 'old')), false)
    const client = createPublicClient({ transport: http(node.server.url) })
    assert.equal(await client.getChainId(), 777)
    assert.deepEqual(await client.request({ method: 'eth_accounts' } as never), ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'])
  } finally {
    await node.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the CLI: --help, bad flags exit 2, a real node starts, prints the banner and stops on SIGTERM', async () => {
  const help = spawnSync(process.execPath, [CLI, 'dev', '--help'], { encoding: 'utf8' })
  assert.equal(help.status, 0)
  assert.match(help.stdout, /--mini-block-time/)
  const bad = spawnSync(process.execPath, [CLI, 'dev', '--port', 'nope'], { encoding: 'utf8' })
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /--port/)
  const dir = mkdtempSync(join(tmpdir(), 'tachyon-cli-'))
  const child = spawn(process.execPath, [CLI, 'dev', '--port', '0', '--data-dir', dir, '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    let out = ''
    const url = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /Listening on (http:\/\/\S+)/.exec(out)
        if (m) res(m[1]!)
      })
      child.once('exit', (code) => rej(new Error(`exited ${code}`)))
    })
    assert.match(out, /\(0\) 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 \(10000 ETH\)/)
    assert.match(out, /\(9\) 0x/)
    assert.match(out, /0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80/)
    const client = createPublicClient({ transport: http(url) })
    assert.equal(await client.getChainId(), 31337)
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)))
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
})
