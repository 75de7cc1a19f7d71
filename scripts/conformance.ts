/**
 * Conformance runner for Ethereum state tests:
 *
 *   npm run conformance -- [files or folders…] [--fork Cancun] [--filter text] [--engine interpreter] [--workers N] [--all]
 *
 * Default input: ../shared/fixtures/ethereum-tests/GeneralStateTests. Every
 * vector's post-state root and logs hash are compared; results are printed
 * per folder with one line per failure, then `N passed, M failed`. Exits
 * non-zero on any failure. Runs files on worker threads (both cores), which
 * load this same compiled file from dist/.
 *
 * Slow vectors are skipped only through SLOW_DIRS / SLOW_NAMES below (the
 * list in shared/fixtures/README.md); `--all` runs them too.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { runStateTestFile, type StateTestJson, type VectorResult } from '../src/execution/state-test.js'
import { parseFork } from '../src/eth/fork.js'
import { CodeCache } from '../src/evm/code.js'
import { Jit } from '../src/evm/jit/index.js'

/** Folders skipped by default (too slow for CI). */
export const SLOW_DIRS = ['stTimeConsuming', 'stQuadraticComplexityTest']
/** Test names skipped by default. */
export const SLOW_NAMES = ['Call50000_sha256', 'CALLBlake2f_MaxRounds', 'Return50000', 'Return50000_2', 'static_Call50000_sha256', 'loopMul', 'loopExp']

interface FileResult {
  file: string
  results: VectorResult[]
  error?: string
}

interface Job {
  files: string[]
  fork: string
  filter: string | undefined
  all: boolean
  /** `jit`: JIT forced on from the first call (issue 6). */
  engine: string
}

function runFile(file: string, fork: string, filter: string | undefined, all: boolean, cache: CodeCache): FileResult {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, StateTestJson>
    if (!all) for (const n of Object.keys(json)) if (SLOW_NAMES.includes(n)) delete json[n]
    const opts = filter !== undefined ? { fork: fork as never, filter, codeCache: cache } : { fork: fork as never, codeCache: cache }
    return { file, results: runStateTestFile(json, opts) }
  } catch (e) {
    return { file, results: [], error: (e as Error).message }
  }
}

/** Collect the JSON files under the given paths, minus the slow list. */
export function collectFiles(paths: string[], all: boolean): string[] {
  const out: string[] = []
  const walk = (p: string): void => {
    const s = statSync(p)
    if (s.isDirectory()) {
      if (!all && SLOW_DIRS.includes(basename(p))) return
      for (const n of readdirSync(p).sort()) walk(join(p, n))
    } else if (p.endsWith('.json')) out.push(p)
  }
  for (const p of paths) walk(p)
  return out
}

if (!isMainThread) {
  const cache = new CodeCache()
  parentPort!.on('message', (job: Job | null) => {
    if (job === null) {
      process.exit(0)
    }
    if (job.engine === 'jit' && cache.jit === undefined) cache.jit = new Jit({ threshold: 0 }) // --engine jit (issue 6)
    for (const f of job.files) parentPort!.postMessage(runFile(f, job.fork, job.filter, job.all, cache))
    parentPort!.postMessage('done')
  })
} else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const paths: string[] = []
  let fork = 'Cancun'
  let filter: string | undefined
  let workers = Math.max(1, Math.min(availableParallelism(), 2))
  let all = false
  let engine = 'interpreter'
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--fork') fork = args[++i]!
    else if (a === '--filter') filter = args[++i]
    else if (a === '--engine') {
      const e = args[++i]
      if (e !== 'interpreter' && e !== 'jit') {
        console.error(`engine ${e} not available (interpreter, jit)`)
        process.exit(2)
      }
      engine = e
    } else if (a === '--workers') workers = Number(args[++i])
    else if (a === '--all') all = true
    else paths.push(a)
  }
  if (!parseFork(fork)) {
    console.error(`unknown fork ${fork}`)
    process.exit(2)
  }
  const here = dirname(fileURLToPath(import.meta.url))
  const root = resolve(here, '../..')
  const defaultDir = resolve(root, '../shared/fixtures/ethereum-tests/GeneralStateTests')
  if (paths.length === 0) paths.push(defaultDir)
  for (const p of paths) {
    if (!existsSync(p)) {
      console.error(`no such file or folder: ${p}`)
      process.exit(2)
    }
  }
  const files = collectFiles(paths, all)
  // larger files first for better balance
  files.sort((a, b) => statSync(b).size - statSync(a).size)
  const tty = process.stderr.isTTY
  const results: FileResult[] = []
  const t0 = Date.now()
  let done = 0
  await new Promise<void>((resolveAll) => {
    let next = 0
    let running = 0
    const start = (w: Worker): void => {
      if (next >= files.length) {
        w.postMessage(null)
        running--
        if (running === 0) resolveAll()
        return
      }
      const batch = files.slice(next, next + 4)
      next += batch.length
      w.postMessage({ files: batch, fork, filter, all, engine } satisfies Job)
    }
    const n = Math.min(workers, files.length)
    if (n === 0) resolveAll()
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL(import.meta.url), { resourceLimits: { stackSizeMb: 16 } })
      running++
      w.on('message', (m: FileResult | 'done') => {
        if (m === 'done') return start(w)
        results.push(m)
        done++
        if (tty) process.stderr.write(`\r${done}/${files.length} files, ${((Date.now() - t0) / 1000).toFixed(0)}s   `)
      })
      w.on('error', (e) => {
        console.error(`worker error: ${e.message}`)
        process.exitCode = 1
      })
      start(w)
    }
  })
  if (tty) process.stderr.write('\n')
  // report per folder
  const byFolder = new Map<string, { pass: number; fail: number; lines: string[] }>()
  for (const r of results) {
    const rel = relative(paths.length === 1 && statSync(paths[0]!).isDirectory() ? paths[0]! : process.cwd(), r.file)
    const folder = dirname(rel) === '.' ? basename(dirname(r.file)) : dirname(rel)
    let f = byFolder.get(folder)
    if (!f) byFolder.set(folder, (f = { pass: 0, fail: 0, lines: [] }))
    if (r.error) {
      f.fail++
      f.lines.push(`  FAIL ${basename(r.file)}: ${r.error}`)
    }
    for (const v of r.results) {
      if (v.pass) f.pass++
      else {
        f.fail++
        f.lines.push(`  FAIL ${v.name}: ${v.reason}`)
      }
    }
  }
  let pass = 0
  let fail = 0
  for (const folder of [...byFolder.keys()].sort()) {
    const f = byFolder.get(folder)!
    pass += f.pass
    fail += f.fail
    console.log(`${folder}: ${f.pass} passed, ${f.fail} failed`)
    for (const l of f.lines.slice(0, 50)) console.log(l)
    if (f.lines.length > 50) console.log(`  … ${f.lines.length - 50} more`)
  }
  console.log(`${files.length} files in ${((Date.now() - t0) / 1000).toFixed(1)}s`)
  console.log(`${pass} passed, ${fail} failed`)
  process.exit(fail > 0 ? 1 : 0)
}
