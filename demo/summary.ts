/**
 * What the demo reports: the tally of the drained messages (end records by
 * status, error and category, message counts), the progress bar or lines on
 * stderr as executions finish, the human-readable summary (the status table of
 * every node and the tallies) and the `--json` output.
 */
import { EventLog, Manager } from '../src/index'
import { formatCount, plural } from '../src/internal/args'
import { statusTable } from '../src/internal/statusTable'
import type { SimulationOptions, SimulationResult } from './simulation'

// --- the tally ------------------------------------------------------------------------

/** What the end records (from the drained `JobExeEnd` messages) say. */
export interface EndSummary {
  /** Number of end records. */
  readonly records: number
  /** End records by execution status (`COMPLETED`, `FAILED`, `CANCELED`). */
  readonly byStatus: Readonly<Record<string, number>>
  /** Failed end records by error name. */
  readonly byError: Readonly<Record<string, number>>
  /** Failed end records by error category. */
  readonly byCategory: Readonly<Record<string, number>>
  /** Ids of tasks that finished after having been lost (`..._lost-N`), from the task results. */
  readonly finishedRetriedTasks: readonly string[]
}

/** The drained messages counted so far: by type, and the end records as an {@link EndSummary}. */
export interface Tally {
  messageCounts: Readonly<Record<string, number>>
  records: number
  readonly byStatus: Record<string, number>
  readonly byError: Record<string, number>
  readonly byCategory: Record<string, number>
  readonly finishedRetriedTasks: string[]
}

/** Nothing drained yet. */
export const createTally = (): Tally => ({
  messageCounts: {},
  records: 0,
  byStatus: {},
  byError: {},
  byCategory: {},
  finishedRetriedTasks: [],
})

const increment = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1
}

/** Counts a drain's messages. */
export const count = (tally: Tally, messages: Manager.Drained): void => {
  tally.messageCounts = EventLog.countMessages(messages, tally.messageCounts)
  for (const record of Manager.endRecordsOf(messages)) {
    tally.records++
    increment(tally.byStatus, record.status)
    if (record.error !== undefined) {
      increment(tally.byError, record.error.name)
      increment(tally.byCategory, record.error.category)
    }
    for (const task of record.taskResults.tasks) {
      if (task.task_id.includes('_lost-') && task.status === 'FINISHED') tally.finishedRetriedTasks.push(task.task_id)
    }
  }
}

const sortedRecord = (counts: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** The tally's message counts, in type order. */
export const messageCounts = (tally: Tally): Record<string, number> => sortedRecord(tally.messageCounts)

/** The tally's end records, each count in key order. */
export const ends = (tally: Tally): EndSummary => ({
  records: tally.records,
  byStatus: sortedRecord(tally.byStatus),
  byError: sortedRecord(tally.byError),
  byCategory: sortedRecord(tally.byCategory),
  finishedRetriedTasks: tally.finishedRetriedTasks,
})

// --- progress ------------------------------------------------------------------------

/** Where the demo writes. */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** Whether stderr is a terminal (progress bar) or not (progress lines). */
  readonly isTTY: boolean
}

/** Progress on stderr: `update` as executions finish, `finish` at the end. */
export interface Progress {
  readonly update: (done: number, total: number) => void
  readonly finish: () => void
}

const BAR_WIDTH = 30

// `7/11 executions finished, 10 jobs + 1 re-queued`: the total grows when a job is re-queued.
const progressText = (done: number, total: number, jobs: number): string =>
  `${formatCount(done)}/${plural(total, 'execution')} finished` +
  (total > jobs ? `, ${plural(jobs, 'job')} + ${formatCount(total - jobs)} re-queued` : '')

/** A bar redrawn in place on a terminal; lines at 25, 50, 75 and 100 % otherwise. */
export const progressReporter = (io: Io, jobs: number): Progress => {
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
        const line = `[${bar}] ${String(percent).padStart(3)}%  ${progressText(done, total, jobs)}`
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
        io.stderr(`progress: ${threshold}% (${progressText(done, total, jobs)})\n`)
        next++
        threshold = thresholds[next]
      }
    },
    finish: () => undefined,
  }
}

// --- output ---------------------------------------------------------------------------

const duration = (ms: number): string => {
  const seconds = Math.floor(ms / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return `${h}h ${String(m).padStart(2, '0')}m ${String(s).padStart(2, '0')}s`
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
  Object.entries(counts).map(([name, n]) => `${name} ${formatCount(n)}`)

// Each job runs once, unless JobsSynced re-queues it (Scale's QUEUED with a
// higher exe number): every extra execution is a re-queue.
const requeued = (jobs: number, executions: number): number => Math.max(0, executions - jobs)

const requeuedNote = (jobs: number, executions: number): string =>
  requeued(jobs, executions) === 0 ? '' : ` (${plural(requeued(jobs, executions), 're-queued job')})`

/** `2,000 jobs (2,001 executions: 1 job re-queued)`, or `2,000 jobs` when each ran once. */
export const jobsAndExecutions = (jobs: number, executions: number): string => {
  const extra = requeued(jobs, executions)
  return extra === 0
    ? plural(jobs, 'job')
    : `${plural(jobs, 'job')} (${plural(executions, 'execution')}: ${plural(extra, 'job')} re-queued)`
}

/** The human-readable report of a run. Deterministic apart from its last line. */
export const summary = (options: SimulationOptions, result: SimulationResult): string => {
  const ends = result.ends
  const failures = Object.entries(ends.byError)
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, n]) => `${name} ${formatCount(n)}`)
  const perSecond = result.elapsedMs > 0 ? (result.events / result.elapsedMs) * 1000 : 0
  const lines = [
    `job-execution-core demo: ${plural(options.nodes, 'node')}, ${jobsAndExecutions(options.jobs, result.executions)}, ` +
      `seed ${options.seed}` +
      (options.cluster === 'kubernetes' ? ', on a Kubernetes cluster (pods)' : ''),
    `Simulated ${duration(result.finalNow - result.startNow)} of cluster time, ` +
      `${new Date(result.startNow).toISOString()} to ${new Date(result.finalNow).toISOString()}` +
      (result.complete ? '' : ' (stopped at the time limit with work left)'),
    '',
    'Status per node at the end (finished counts cover the last 3 hours):',
    '',
    ...statusTable(result.statusJson),
    '',
    `Executions: ${formatCount(result.executions)} scheduled${requeuedNote(options.jobs, result.executions)}, ` +
      `${formatCount(ends.records)} ended: ` +
      countList(ends.byStatus).join(', '),
    'Failures by error:',
    ...wrapList(failures, 100, '  '),
    `Failures by category: ${countList(ends.byCategory).join(', ')}`,
    `Tasks retried after being lost that finished: ${ends.finishedRetriedTasks.join(', ') || 'none'}`,
    `Messages drained: ${countList(result.messageCounts).join(', ')}`,
    `Task updates refused by the decoder: ${result.rejected}`,
    `Events processed: ${formatCount(result.events)} in ${(result.elapsedMs / 1000).toFixed(2)} s ` +
      `(${formatCount(perSecond)} events/s, wall clock)`,
  ]
  return lines.map((line) => line.trimEnd()).join('\n') + '\n'
}

/** The `--json` output: the final status JSON (nodes by id) and the drained messages by type. */
export const jsonOutput = (result: Pick<SimulationResult, 'statusJson' | 'messageCounts'>): string =>
  JSON.stringify({ status: result.statusJson, messages: result.messageCounts }) + '\n'
