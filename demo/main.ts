/**
 * The demo's command line: `npm start -- [--nodes N] [--jobs N] [--seed N] [--cluster mesos|kubernetes] [--json] [--record FILE]
 * [--shards K] [--engine memory|postgres] [--kill-shard I]`.
 * Its options are one table, `OPTIONS`, read by the parser of `src/internal/args.ts`.
 *
 * Runs the simulated cluster of `simulation.ts` and prints its summary
 * (`summary.ts`: a per-node table, or, with `--json`, the final status JSON and
 * the drained message counts).
 * The same seed gives the same output, apart from the timing figures.
 */
import * as E from 'fp-ts/Either'
import { closeSync, openSync, realpathSync, writeSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { cpus } from 'node:os'
import * as Args from '../src/internal/args'
import { formatCount, plural } from '../src/internal/args'
import { CLUSTERS } from './kubernetes'
import { simulateSharded } from './shards'
import { simulatePostgres } from './postgres'
import { DEFAULT_OPTIONS, simulate, type SimulationOptions, type SimulationResult, type Sink } from './simulation'
import { jsonOutput, progressReporter, summary, type Io } from './summary'

export { jobsAndExecutions, jsonOutput, summary, type Io } from './summary'

/**
 * The options of a run: the simulation's, `json`, and every other option of
 * `OPTIONS` as given, so that an option added to the table is here too
 * (`record`: write the event log, JSON lines of spec section 12, to this file;
 * `shards`: run this many shard managers in worker threads, absent: one manager,
 * in this thread).
 */
export interface RunOptions
  extends SimulationOptions, Omit<Args.Values<typeof OPTIONS>, 'help' | 'json' | keyof SimulationOptions> {
  readonly json: boolean
}

/** What the command line asks for. */
export type Command = { readonly kind: 'help' } | { readonly kind: 'run'; readonly options: RunOptions }

export const MAX_NODES = 10_000
export const MAX_SHARDS = 64
export const MAX_JOBS = 1_000_000
const MAX_SEED = 0xffffffff

/**
 * The demo's options: one line each (the flag is the key in kebab case).
 * Parsed by `src/internal/args.ts`; `--help` prints their help lines.
 */
export const OPTIONS = {
  nodes: Args.integer(
    `number of nodes (default ${DEFAULT_OPTIONS.nodes}, at most ${formatCount(MAX_NODES)})`,
    1,
    MAX_NODES,
  ),
  jobs: Args.integer(
    `number of jobs (default ${formatCount(DEFAULT_OPTIONS.jobs)}, at most ${formatCount(MAX_JOBS)})`,
    1,
    MAX_JOBS,
  ),
  seed: Args.integer(
    `seed of the simulation, 0 to ${formatCount(MAX_SEED)} (default ${DEFAULT_OPTIONS.seed})`,
    0,
    MAX_SEED,
  ),
  cluster: Args.oneOf(
    'the cluster manager the simulated cluster speaks as: mesos (Mesos\nTaskStatus JSON, the default) or kubernetes (one pod per task, Pod\nwatch events decoded with TaskUpdate.fromKubernetesPod)',
    CLUSTERS,
  ),
  json: Args.flag(
    'print only {"status": [...], "messages": {...}}: the final status JSON\nof every node and the drained messages counted by type',
  ),
  record: Args.text(
    'write the event log (JSON lines of {"now", "event"}) to FILE, for\n`job-execution-core replay FILE`',
    'FILE',
    'a file name',
  ),
  shards: Args.integer(
    `route every event by Manager.shardOf to K managers, each in its own\nworker thread, and merge their metrics (1 to ${MAX_SHARDS})`,
    1,
    MAX_SHARDS,
    'K',
  ),
  // The durable demo's flags (demo/postgres.ts).
  engine: Args.oneOf(
    'memory (the default) or postgres: K shard processes (--shards, default 1)\nrunning runShard on PostgreSQL (the server of DATABASE_URL / PG*, else a\nthrowaway local one started and stopped here)',
    ['memory', 'postgres'],
    'E',
  ),
  killShard: Args.integer(
    `with --engine postgres: SIGKILL shard I's process midway (0 to K-1); a\nstandby process takes over and the failover time is printed`,
    0,
    MAX_SHARDS - 1,
    'I',
  ),
  help: Args.flag('show this help', { short: 'h', alone: true }),
} as const

export const USAGE = `Usage: npm start -- [options]     (or: npx tsx demo/main.ts [options])

Simulates a cluster on a virtual clock driving the job-execution-core Manager:
executions scheduled in waves, Mesos task status updates (or pods), failures of every
category, a lost node, a lost and retried task, cancellations, a re-queued job (its
second execution), timeouts and a starved execution. The same seed gives the same output.

Options:
${Args.usage(OPTIONS)}
`

/**
 * Parses the command line (without `node` and the script). A `Left` is a
 * one-line message about the first bad argument.
 */
export const parseArgs = (argv: readonly string[]): E.Either<string, Command> => {
  const parsed = Args.parse(OPTIONS, argv)
  if (E.isLeft(parsed)) return E.left(`${parsed.left} (see --help)`)
  const { help, ...given } = parsed.right.values
  if (help === true) return E.right({ kind: 'help' })
  // The durable demo's checks (demo/postgres.ts).
  if (given.killShard !== undefined && given.engine !== 'postgres') {
    return E.left('--kill-shard needs --engine postgres (see --help)')
  }
  if (given.killShard !== undefined && given.killShard >= (given.shards ?? 1)) {
    return E.left(`--kill-shard must be below --shards (${given.shards ?? 1}), got '${given.killShard}' (see --help)`)
  }
  return E.right({
    kind: 'run',
    options: {
      ...DEFAULT_OPTIONS,
      cluster: CLUSTERS[0],
      record: undefined,
      shards: undefined,
      ...given,
      json: given.json === true,
    },
  })
}

// --- the event log ------------------------------------------------------------------

interface Recorder {
  readonly sink: Sink
  /** Flushes and closes the file; the first write error, if any. */
  readonly close: () => unknown
}

const FLUSH_AT = 1 << 16

// Writes the log in chunks. A write error stops the recording (the simulation
// goes on) and is reported when the recorder is closed.
const recorder = (fd: number): Recorder => {
  let buffer = ''
  let failure: unknown
  const flush = (): void => {
    if (buffer === '' || failure !== undefined) return
    try {
      writeSync(fd, buffer)
    } catch (error) {
      failure = error ?? 'write failed'
    }
    buffer = ''
  }
  return {
    sink: (now, event) => {
      if (failure !== undefined) return
      buffer += JSON.stringify({ now, event }) + '\n'
      if (buffer.length >= FLUSH_AT) flush()
    },
    close: () => {
      flush()
      try {
        closeSync(fd)
      } catch (error) {
        failure ??= error
      }
      return failure
    },
  }
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error))

// --- running --------------------------------------------------------------------------

/**
 * Runs the demo with these arguments; resolves to the exit code (0 ok, 1 I/O
 * failure, 2 bad arguments).
 */
export const run = async (argv: readonly string[], io: Io): Promise<number> => {
  const parsed = parseArgs(argv)
  if (E.isLeft(parsed)) {
    io.stderr(`demo: ${parsed.left}\n`)
    return 2
  }
  const command = parsed.right
  if (command.kind === 'help') {
    io.stdout(USAGE)
    return 0
  }
  const options = command.options
  let log: Recorder | undefined
  if (options.record !== undefined) {
    try {
      log = recorder(openSync(options.record, 'w'))
    } catch (error) {
      io.stderr(`demo: cannot write the event log to '${options.record}': ${errorMessage(error)}\n`)
      return 1
    }
  }
  const progress = progressReporter(io, options.jobs)
  let result: SimulationResult
  let shardLine = ''
  if (options.engine === 'postgres') {
    const durable = await simulatePostgres(options, options.shards ?? 1, options.killShard, log?.sink, progress.update)
    if (E.isLeft(durable)) {
      progress.finish()
      log?.close()
      io.stderr(`demo: ${durable.left}\n`)
      return 1
    }
    const d = durable.right
    result = { ...d.simulation, statusJson: d.statusJson, messageCounts: d.messageCounts, elapsedMs: d.elapsedMs }
    const failover =
      d.failover === undefined
        ? ''
        : `Failover: shard ${d.failover.shard}'s process killed (SIGKILL) after ${formatCount(d.failover.appendedBefore)} of ` +
          `${formatCount(d.failover.total)} entries; the standby applied its first entry ${d.failover.ms.toFixed(0)} ms later\n`
    shardLine =
      `Shards: ${d.shards} shard processes on PostgreSQL (${d.server === 'throwaway' ? 'a throwaway local server' : 'the configured server'}) ` +
      `reduced ${formatCount(d.entries)} logged entries; status and messages above are their merged metrics\n` +
      failover
    if (options.json && failover !== '') io.stderr(failover)
  } else if (options.shards === undefined) {
    result = simulate(options, log?.sink, progress.update)
  } else {
    const sharded = await simulateSharded(options, options.shards, log?.sink, progress.update)
    result = {
      ...sharded.simulation,
      statusJson: sharded.statusJson,
      messageCounts: sharded.messageCounts,
      elapsedMs: sharded.elapsedMs,
    }
    shardLine =
      `Shards: ${plural(sharded.shards, 'manager')} in worker threads (${plural(cpus().length, 'core')} here) reduced ` +
      `${formatCount(sharded.shardEvents)} routed events; status and messages above are their merged metrics\n`
  }
  progress.finish()
  const failure = log?.close()
  if (failure !== undefined) {
    io.stderr(`demo: cannot write the event log to '${options.record ?? ''}': ${errorMessage(failure)}\n`)
    return 1
  }
  io.stdout(options.json ? jsonOutput(result) : summary(options, result) + shardLine)
  if (options.record !== undefined && !options.json) {
    io.stdout(`Event log written to ${options.record} (replay: job-execution-core replay ${options.record})\n`)
  }
  return 0
}

const isMain = (): boolean => {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href
  } catch {
    return false
  }
}

if (isMain()) {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
  })
  void run(process.argv.slice(2), {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
  }).then((code) => {
    process.exitCode = code
  })
}
