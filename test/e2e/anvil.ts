/**
 * Spawning the real anvil binary (node_modules/.bin/anvil, from
 * @foundry-rs/anvil) on a free loopback port, for the differential test and
 * the node benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
/** Path of the anvil launcher. */
export const ANVIL_BIN = resolve(here, '../../../node_modules/.bin/anvil')

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = typeof a === 'object' && a !== null ? a.port : 0
      s.close(() => res(port))
    })
  })
}

/** A running anvil. */
export interface Anvil {
  url: string
  wsUrl: string
  proc: ChildProcess
  stop(): Promise<void>
}

/** Start anvil with extra flags; resolves once it listens. */
export async function startAnvil(args: string[] = []): Promise<Anvil> {
  const port = await freePort()
  const proc = spawn(ANVIL_BIN, ['--host', '127.0.0.1', '--port', String(port), '--hardfork', 'prague', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((res, rej) => {
    let out = ''
    const timer = setTimeout(() => rej(new Error(`anvil did not start: ${out}`)), 20_000)
    const onData = (d: Buffer): void => {
      out += d.toString()
      if (out.includes('Listening on')) {
        proc.stdout!.off('data', onData)
        clearTimeout(timer)
        res()
      }
    }
    proc.stdout!.on('data', onData)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      rej(new Error(`anvil exited with ${code}: ${out}`))
    })
  })
  proc.stdout!.resume()
  proc.stderr!.resume()
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    proc,
    stop: () =>
      new Promise((res) => {
        if (proc.exitCode !== null) return res()
        proc.once('exit', () => res())
        proc.kill('SIGTERM')
      }),
  }
}
