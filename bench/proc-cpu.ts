/**
 * CPU accounting of a peer process tree from Linux /proc, shared by the
 * benchmarks that compare a node's CPU per operation with anvil's (anvil runs
 * behind a launcher process, so its whole tree is counted).
 */
import { readFileSync, readdirSync } from 'node:fs'

/** Clock ticks per second of /proc's utime/stime fields (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** utime + stime, in ticks, of one /proc stat line. */
function ticks(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(f[11]) + Number(f[12])
}

/**
 * CPU seconds so far of process `pid`: its main thread, and all threads of it
 * and its descendants. Zeros when /proc is missing (not Linux) or the process is gone.
 */
export function processTreeCpu(pid: number | undefined): { main: number; all: number } {
  if (pid === undefined) return { main: 0, all: 0 }
  const mainStat = read(`/proc/${pid}/task/${pid}/stat`)
  if (mainStat === undefined) return { main: 0, all: 0 }
  let all = 0
  const visit = (p: number): void => {
    let tids: string[] = []
    try {
      tids = readdirSync(`/proc/${p}/task`)
    } catch {
      return
    }
    for (const tid of tids) {
      const st = read(`/proc/${p}/task/${tid}/stat`)
      if (st !== undefined) all += ticks(st)
      for (const c of (read(`/proc/${p}/task/${tid}/children`) ?? '').split(' ')) if (c.trim() !== '') visit(Number(c))
    }
  }
  visit(pid)
  return { main: ticks(mainStat) / TICKS_PER_SECOND, all: all / TICKS_PER_SECOND }
}

/**
 * CPU seconds so far of each thread (`main`, else `name/tid` with the
 * name of `/proc/<pid>/task/<tid>/comm`) of
 * process `pid` alone: where a node's CPU goes, for `BENCH_THREADS=1`.
 */
export function threadCpuByName(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>()
  if (pid === undefined) return out
  let tids: string[] = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    const st = read(`/proc/${pid}/task/${tid}/stat`)
    if (st === undefined) continue
    const name = tid === String(pid) ? 'main' : `${st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'))}/${tid}`
    out.set(name, (out.get(name) ?? 0) + ticks(st) / TICKS_PER_SECOND)
  }
  return out
}
