// npm run bench [-- --quick] [-- --json FILE]
//
// Measures, in one process and one run (main-thread CPU time, the engines of a
// size interleaved): the lifecycle through Manager.reduce and reduceMany beside
// N running executions, hot, in the steady state and cold, beside the indexed
// lean floor, the old floor and two XState designs; statusJson, NodeLost,
// nextDeadline, the retained heap per execution, snapshots; then prints the
// tables and issue 14's ratios against their goals,
// and the events per second of K = 1, 2 and 4 shard managers (worker threads)
// replaying the demo workload (100,000 executions; 2,000 with --quick).
// Re-spawns itself with --expose-gc when the garbage collector is not exposed.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { render } from './report'
import { measureShards, recordWorkload, type ShardFigure } from './shards/measure'
import { FULL, QUICK, runBench } from './run'
import { gcExposed, sinkValue } from './timing'

interface Args {
  readonly quick: boolean
  readonly json: string | undefined
}

const USAGE = 'usage: npm run bench [-- --quick] [-- --json FILE]'

// The arguments, or a message saying what is wrong with them.
const parseArgs = (argv: readonly string[]): Args | string => {
  let quick = false
  let json: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--quick') quick = true
    else if (arg === '--json') {
      json = argv[++i]
      if (json === undefined || json.startsWith('--')) return `--json needs a file name; ${USAGE}`
    } else if (arg !== undefined && arg.startsWith('--json=')) json = arg.slice('--json='.length)
    else return `unknown argument ${arg ?? ''}; ${USAGE}`
  }
  return { quick, json }
}

const log = (message: string): void => {
  process.stderr.write(`${message}\n`)
}

const shardFigures = async (jobs: number): Promise<ShardFigure[]> => {
  const workload = recordWorkload(jobs)
  const figures: ShardFigure[] = []
  for (const k of [1, 2, 4]) figures.push(await measureShards(workload, k))
  return figures
}

const renderShards = (jobs: number, figures: readonly ShardFigure[]): string =>
  [
    `Shards: the demo workload of ${jobs.toLocaleString('en')} executions (${(figures[0]?.events ?? 0).toLocaleString('en')} events) replayed by K managers in worker threads, ${cpus().length} cores here`,
    'K  events/s  seconds',
    '-  --------  -------',
    ...figures.map(
      (f) =>
        `${f.shards}  ${Math.round(f.eventsPerSecond).toLocaleString('en').padStart(8)}  ${f.seconds.toFixed(2).padStart(7)}`,
    ),
  ].join('\n')

const main = async (): Promise<number> => {
  const args = parseArgs(process.argv.slice(2))
  if (typeof args === 'string') {
    log(args)
    return 2
  }
  if (!gcExposed() && process.env.JOB_EXECUTION_BENCH_CHILD === undefined) {
    // Re-run this very script with the garbage collector exposed (tsx's loader flags are in execArgv).
    const script = process.argv[1]
    if (script !== undefined) {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, '--expose-gc', script, ...process.argv.slice(2)],
        {
          stdio: 'inherit',
          env: { ...process.env, JOB_EXECUTION_BENCH_CHILD: '1' },
        },
      )
      return child.status ?? 1
    }
  }
  if (!gcExposed()) log('warning: the garbage collector is not exposed; heap figures are rough')
  const results = runBench(args.quick ? QUICK : FULL)
  process.stdout.write(`${render(results)}\n`)
  const jobs = args.quick ? 2_000 : 100_000
  const shards = await shardFigures(jobs)
  process.stdout.write(`\n${renderShards(jobs, shards)}\n`)
  if (args.json !== undefined) {
    writeFileSync(
      args.json,
      `${JSON.stringify({ ...results, shards: { jobs, cores: cpus().length, figures: shards } }, null, 2)}\n`,
    )
    log(`figures written to ${args.json}`)
  }
  if (sinkValue() === 0.5) log('') // keeps the sink live
  return 0
}

void main().then((code) => {
  process.exitCode = code
})
