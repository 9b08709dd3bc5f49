/**
 * The demo's command line: `npm start -- [--nodes N] [--jobs N] [--seed N] [--cluster mesos|kubernetes] [--json] [--record FILE]
 * [--shards K] [--engine memory|postgres] [--kill-shard I]`.
 *
 * Runs the simulated cluster of `simulation.ts` and prints a per-node summary
 * (or, with `--json`, the final status JSON and the drained message counts).
 * The same seed gives the same output, apart from the timing figures.
 */
import * as E from 'fp-ts/Either'
import { closeSync, openSync, realpathSync, writeSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { cpus } from 'node:os'
import { CLUSTERS, isClusterKind, type ClusterKind } from './kubernetes'
import { simulateSharded } from './shards'
import { simulatePostgres } from './postgres'
import { DEFAULT_OPTIONS, simulate, type SimulationOptions, type SimulationResult, type Sink } from './simulation'

/** Where the demo writes. */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** Whether stderr is a terminal (progress bar) or not (progress lines). */
  readonly isTTY: boolean
}

/** The options of a run. */
export interface RunOptions extends SimulationOptions {
  readonly json: boolean
  /** Write the event log (JSON lines, spec section 12) to this file. */
  readonly record?: string | undefined
  /** Run this many shard managers in worker threads (absent: one manager, in this thread). */
  readonly shards?: number | undefined
  /** Where the shards run: in memory (worker threads) or as processes on PostgreSQL (`--engine`). */
  readonly engine?: 'memory' | 'postgres' | undefined
  /** The shard whose owner process is killed midway (`--kill-shard`, with `--engine postgres`). */
  readonly killShard?: number | undefined
}

/** What the command line asks for. */
export type Command = { readonly kind: 'help' } | { readonly kind: 'run'; readonly options: RunOptions }

export const MAX_NODES = 10_000
export const MAX_SHARDS = 64
export const MAX_JOBS = 1_000_000
const MAX_SEED = 0xffffffff

export const USAGE = `Usage: npm start -- [options]     (or: npx tsx demo/main.ts [options])

Simulates a cluster on a virtual clock driving the job-execution-core Manager:
executions scheduled in waves, Mesos task status updates (or pods), failures of every
category, a lost node, a lost and retried task, cancellations, timeouts and a
starved execution. The same seed gives the same output.

Options:
  --nodes N        number of nodes (default ${DEFAULT_OPTIONS.nodes}, at most ${MAX_NODES})
  --jobs N         number of jobs (default ${DEFAULT_OPTIONS.jobs}, at most ${MAX_JOBS})
  --seed N         seed of the simulation, 0 to ${MAX_SEED} (default ${DEFAULT_OPTIONS.seed})
  --cluster KIND   the cluster manager the simulated cluster speaks as: mesos (Mesos
                   TaskStatus JSON, the default) or kubernetes (one pod per task, Pod
                   watch events decoded with TaskUpdate.fromKubernetesPod)
  --json           print only {"status": [...], "messages": {...}}: the final status JSON
                   of every node and the drained messages counted by type
  --record FILE    write the event log (JSON lines of {"now", "event"}) to FILE, for
                   \`job-execution-core replay FILE\`
  --shards K       route every event by Manager.shardOf to K managers, each in its own
                   worker thread, and merge their metrics (1 to ${MAX_SHARDS})
  --engine E       memory (the default) or postgres: K shard processes (--shards, default 1)
                   running runShard on PostgreSQL (the server of DATABASE_URL / PG*, else a
                   throwaway local one started and stopped here)
  --kill-shard I   with --engine postgres: SIGKILL shard I's process midway (0 to K-1); a
                   standby process takes over and the failover time is printed
  --help           show this help
`

const fail = (message: string): E.Either<string, never> => E.left(`${message} (see --help)`)

const positiveInteger = (flag: string, value: string, max: number): E.Either<string, number> => {
  if (!/^\d+$/.test(value) || Number(value) === 0) {
    return fail(`${flag} must be a positive integer, got '${value}'`)
  }
  const n = Number(value)
  return n > max ? fail(`${flag} must be at most ${max}, got '${value}'`) : E.right(n)
}

const seedOf = (value: string): E.Either<string, number> => {
  const n = Number(value)
  return /^\d+$/.test(value) && n <= MAX_SEED
    ? E.right(n)
    : fail(`--seed must be an integer from 0 to ${MAX_SEED}, got '${value}'`)
}

/**
 * Parses the command line (without `node` and the script). A `Left` is a
 * one-line message about the first bad argument.
 */
export const parseArgs = (argv: readonly string[]): E.Either<string, Command> => {
  let nodes = DEFAULT_OPTIONS.nodes
  let jobs = DEFAULT_OPTIONS.jobs
  let seed = DEFAULT_OPTIONS.seed
  let json = false
  let record: string | undefined
  let shards: number | undefined
  let cluster: ClusterKind = CLUSTERS[0]
  // --engine and --kill-shard (the durable demo, demo/postgres.ts).
  let engine: 'memory' | 'postgres' | undefined
  let killShard: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--help' || arg === '-h') return E.right({ kind: 'help' })
    if (!arg.startsWith('-') || arg === '-' || arg === '--') return fail(`unexpected argument '${arg}'`)
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const inline = eq === -1 ? undefined : arg.slice(eq + 1)
    if (name === '--json') {
      if (inline !== undefined) return fail(`--json takes no value, got '${arg}'`)
      json = true
      continue
    }
    if (
      name !== '--nodes' &&
      name !== '--jobs' &&
      name !== '--seed' &&
      name !== '--record' &&
      name !== '--shards' &&
      name !== '--cluster' &&
      name !== '--engine' &&
      name !== '--kill-shard'
    ) {
      return fail(`unknown flag '${name}'`)
    }
    let value = inline
    if (value === undefined) {
      const following = argv[i + 1]
      if (following !== undefined && !following.startsWith('--')) {
        value = following
        i++
      }
    }
    if (value === undefined || value === '') {
      return fail(`${name} needs a value${name === '--record' ? ' (a file name)' : ''}`)
    }
    switch (name) {
      case '--nodes': {
        const parsed = positiveInteger(name, value, MAX_NODES)
        if (E.isLeft(parsed)) return parsed
        nodes = parsed.right
        break
      }
      case '--jobs': {
        const parsed = positiveInteger(name, value, MAX_JOBS)
        if (E.isLeft(parsed)) return parsed
        jobs = parsed.right
        break
      }
      case '--seed': {
        const parsed = seedOf(value)
        if (E.isLeft(parsed)) return parsed
        seed = parsed.right
        break
      }
      case '--record':
        record = value
        break
      case '--cluster':
        if (!isClusterKind(value)) return fail(`--cluster must be one of ${CLUSTERS.join(', ')}, got '${value}'`)
        cluster = value
        break
      case '--shards': {
        const parsed = positiveInteger(name, value, MAX_SHARDS)
        if (E.isLeft(parsed)) return parsed
        shards = parsed.right
        break
      }
      // The durable demo's flags.
      case '--engine':
        if (value !== 'memory' && value !== 'postgres')
          return fail(`--engine must be memory or postgres, got '${value}'`)
        engine = value
        break
      case '--kill-shard':
        if (!/^\d+$/.test(value) || Number(value) >= MAX_SHARDS) {
          return fail(`--kill-shard must be a shard from 0 to ${MAX_SHARDS - 1}, got '${value}'`)
        }
        killShard = Number(value)
        break
    }
  }
  // The durable demo's checks.
  if (killShard !== undefined && engine !== 'postgres') return fail('--kill-shard needs --engine postgres')
  if (killShard !== undefined && killShard >= (shards ?? 1)) {
    return fail(`--kill-shard must be below --shards (${shards ?? 1}), got '${killShard}'`)
  }
  return E.right({ kind: 'run', options: { nodes, jobs, seed, json, record, shards, cluster, engine, killShard } })
}

// --- progress ------------------------------------------------------------------------

interface Progress {
  readonly update: (done: number, total: number) => void
  readonly finish: () => void
}

const BAR_WIDTH = 30

const progressReporter = (io: Io): Progress => {
  if (io.isTTY) {
    let shown = ''
    let percentShown = -1
    return {
      update: (done, total) => {
        const ratio = total === 0 ? 1 : Math.min(1, done / total)
        const percent = Math.floor(ratio * 100)
        // Redraw when the percentage moves (and at the end), not on every drain.
        if (percent === percentShown && done < total) return
        const filled = Math.round(ratio * BAR_WIDTH)
        const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`
        const line = `[${bar}] ${String(percent).padStart(3)}%  ${done}/${total} executions finished`
        if (line === shown) return
        shown = line
        percentShown = percent
        io.stderr(`\r${line}`)
      },
      finish: () => {
        if (shown !== '') io.stderr('\n')
      },
    }
  }
  let next = 0
  const thresholds = [25, 50, 75, 100]
  return {
    update: (done, total) => {
      const percent = total === 0 ? 100 : Math.floor((100 * done) / total)
      let threshold = thresholds[next]
      while (threshold !== undefined && percent >= threshold) {
        io.stderr(`progress: ${threshold}% (${done}/${total} executions finished)\n`)
        next++
        threshold = thresholds[next]
      }
    },
    finish: () => undefined,
  }
}

// --- output ---------------------------------------------------------------------------

const thousands = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')

const duration = (ms: number): string => {
  const seconds = Math.floor(ms / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return `${h}h ${String(m).padStart(2, '0')}m ${String(s).padStart(2, '0')}s`
}

// Right-aligned columns, two spaces apart; `group` puts a dashed title over columns `from` to the end.
const table = (
  rows: ReadonlyArray<readonly string[]>,
  group: { readonly title: string; readonly from: number },
): string[] => {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padStart(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  )
  const indent = widths.slice(0, group.from).reduce((sum, w) => sum + w + 2, 0)
  const span = widths.slice(group.from).reduce((sum, w) => sum + w, 0) + 2 * (widths.length - group.from - 1)
  const dashes = Math.max(2, span - group.title.length - 2)
  const left = Math.floor(dashes / 2)
  const title = `${'-'.repeat(left)} ${group.title} ${'-'.repeat(dashes - left)}`
  return [' '.repeat(indent) + title, ...lines]
}

const wrapList = (items: readonly string[], width: number, indent: string): string[] => {
  const lines: string[] = []
  let line = ''
  for (const item of items) {
    const next = line === '' ? item : `${line}, ${item}`
    if (indent.length + next.length > width && line !== '') {
      lines.push(`${indent}${line},`)
      line = item
    } else {
      line = next
    }
  }
  if (line !== '') lines.push(`${indent}${line}`)
  return lines
}

const countList = (counts: Readonly<Record<string, number>>): string[] =>
  Object.entries(counts).map(([name, n]) => `${name} ${thousands(n)}`)

/** The human-readable report of a run. Deterministic apart from its last line. */
export const summary = (options: SimulationOptions, result: SimulationResult): string => {
  const rows: string[][] = [['node', 'running', 'completed', 'algorithm', 'data', 'system']]
  const totals = [0, 0, 0, 0, 0]
  for (const node of result.statusJson) {
    const x = node.job_executions
    const values = [
      x.running.total,
      x.completed.total,
      x.failed.algorithm.total,
      x.failed.data.total,
      x.failed.system.total,
    ]
    values.forEach((v, i) => (totals[i] = (totals[i] ?? 0) + v))
    rows.push([String(node.id), ...values.map(thousands)])
  }
  rows.push(['total', ...totals.map(thousands)])
  const [title, header, ...body] = table(rows, { title: 'failed', from: 3 })
  const ends = result.ends
  const failures = Object.entries(ends.byError)
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, n]) => `${name} ${n}`)
  const perSecond = result.elapsedMs > 0 ? (result.events / result.elapsedMs) * 1000 : 0
  const lines = [
    `job-execution-core demo: ${options.nodes} nodes, ${options.jobs} jobs, seed ${options.seed}` +
      (options.cluster === 'kubernetes' ? ', on a Kubernetes cluster (pods)' : ''),
    `Simulated ${duration(result.finalNow - result.startNow)} of cluster time, ` +
      `${new Date(result.startNow).toISOString()} to ${new Date(result.finalNow).toISOString()}` +
      (result.complete ? '' : ' (stopped at the time limit with work left)'),
    '',
    'Status per node at the end (finished counts cover the last 3 hours):',
    '',
    title ?? '',
    header ?? '',
    ...body,
    '',
    `Executions: ${thousands(result.executions)} scheduled, ${thousands(ends.records)} ended: ` +
      countList(ends.byStatus).join(', '),
    'Failures by error:',
    ...wrapList(failures, 100, '  '),
    `Failures by category: ${countList(ends.byCategory).join(', ')}`,
    `Tasks retried after being lost that finished: ${ends.finishedRetriedTasks.join(', ') || 'none'}`,
    `Messages drained: ${countList(result.messageCounts).join(', ')}`,
    `Task updates refused by the decoder: ${result.rejected}`,
    `Events processed: ${thousands(result.events)} in ${(result.elapsedMs / 1000).toFixed(2)} s ` +
      `(${thousands(perSecond)} events/s, wall clock)`,
  ]
  return lines.map((line) => line.trimEnd()).join('\n') + '\n'
}

/** The `--json` output: the final status JSON (nodes by id) and the drained messages by type. */
export const jsonOutput = (result: Pick<SimulationResult, 'statusJson' | 'messageCounts'>): string =>
  JSON.stringify({ status: result.statusJson, messages: result.messageCounts }) + '\n'

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
  const progress = progressReporter(io)
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
        : `Failover: shard ${d.failover.shard}'s process killed (SIGKILL) after ${thousands(d.failover.appendedBefore)} of ` +
          `${thousands(d.failover.total)} entries; the standby applied its first entry ${d.failover.ms.toFixed(0)} ms later\n`
    shardLine =
      `Shards: ${d.shards} shard processes on PostgreSQL (${d.server === 'throwaway' ? 'a throwaway local server' : 'the configured server'}) ` +
      `reduced ${thousands(d.entries)} logged entries; status and messages above are their merged metrics\n` +
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
      `Shards: ${sharded.shards} managers in worker threads (${cpus().length} cores here) reduced ` +
      `${thousands(sharded.shardEvents)} routed events; status and messages above are their merged metrics\n`
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
