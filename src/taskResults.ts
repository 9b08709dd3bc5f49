/**
 * Task results: the JSON record of what each task of an execution did, schema
 * version `1.0`, with its io-ts codec and accessors.
 *
 * ```json
 * { "version": "1.0",
 *   "tasks": [{ "task_id": "scale_job_fw1_42x3_main", "type": "main", "was_launched": true,
 *               "launched": "2026-01-01T00:00:00.000Z", "was_started": true,
 *               "started": "2026-01-01T00:00:02.000Z", "was_timed_out": false,
 *               "ended": "2026-01-01T00:10:00.000Z", "status": "FINISHED", "exit_code": 0 }] }
 * ```
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import type { Instant } from './ids'
import { boundary, Integer, noExtraKeys, problemsOf } from './internal/decode'
import { invalidError } from './internal/invalid'
import { isoOfInstant, MAX_DATE } from './internal/isoInstant'
import { TERMINAL_STATUS } from './internal/literals'
import type { Task } from './task'
import type { Execution } from './execution'
import { allTasks } from './internal/taskList'
import type { TerminalStatus } from './taskUpdate'

/**
 * The schema version this library reads and writes.
 *
 * @category constants
 * @since 0.1.0
 */
export const VERSION = '1.0'

const MAX_VERSION_LENGTH = 50

const ISO_8601 = /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})(?:T(\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

/**
 * The instant of an ISO 8601 date-time, or NaN. A date-time without a zone
 * (`2026-01-01T00:00:00`) is read as UTC, as a date alone is: Scale stores
 * UTC (its Django settings: `USE_TZ = True`, `TIME_ZONE = 'UTC'`), and
 * `Date.parse` would read it in the host's time zone, so that the same results
 * gave other instants, and negative run lengths, on another machine.
 *
 * Date.parse refuses the other impossible fields (month 13, minute 60, offset
 * +24:00), but rolls a day past its month's end over (Feb 30 becomes Mar 2)
 * and reads hour 24 as the next midnight: those two are refused here.
 */
const parseIso = (text: string): number => {
  const m = ISO_8601.exec(text)
  if (m === null) return Number.NaN
  const [, year, month, day, hour, zone] = m
  if (Number(day) > daysIn(Number(year), Number(month)) || hour === '24') return Number.NaN
  return Date.parse(hour !== undefined && zone === undefined ? `${text}Z` : text)
}

const isIsoDateTime = (u: unknown): u is string => typeof u === 'string' && !Number.isNaN(parseIso(u))

const IsoDateTime = new t.Type<string, string, unknown>(
  'IsoDateTime',
  isIsoDateTime,
  (u, c) =>
    isIsoDateTime(u)
      ? t.success(u)
      : t.failure(u, c, `expected an ISO 8601 date-time string, got ${JSON.stringify(u) ?? typeof u}`),
  t.identity,
)

const TASK_REQUIRED = { task_id: t.string, type: t.string, was_launched: t.boolean }
const TASK_OPTIONAL = {
  launched: IsoDateTime,
  started: IsoDateTime,
  ended: IsoDateTime,
  was_started: t.boolean,
  was_timed_out: t.boolean,
  status: TERMINAL_STATUS.codec,
  exit_code: Integer,
}

const TaskResultCodec = noExtraKeys(
  t.intersection([t.type(TASK_REQUIRED), t.partial(TASK_OPTIONAL)]),
  [...Object.keys(TASK_REQUIRED), ...Object.keys(TASK_OPTIONAL)],
  'TaskResult',
)

/**
 * What one task did, in the JSON form.
 *
 * @category model
 * @since 0.1.0
 */
export interface TaskResult {
  readonly task_id: string
  readonly type: string
  readonly was_launched: boolean
  readonly launched?: string | undefined
  readonly started?: string | undefined
  readonly ended?: string | undefined
  readonly was_started?: boolean | undefined
  readonly was_timed_out?: boolean | undefined
  readonly status?: TerminalStatus | undefined
  readonly exit_code?: number | undefined
}

const Version = new t.Type<string, string, unknown>(
  'Version',
  (u): u is string => u === VERSION,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, `expected a version string, got ${typeof u}`)
    if (u.length > MAX_VERSION_LENGTH) {
      return t.failure(u, c, `version strings are at most ${MAX_VERSION_LENGTH} characters`)
    }
    return u === VERSION ? t.success(u) : t.failure(u, c, `${u} is an unsupported version number`)
  },
  t.identity,
)

const defaulted = <C extends t.Mixed>(codec: C, fallback: t.TypeOf<C>) =>
  new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
    codec.name,
    codec.is,
    (u, c) => (u === undefined ? t.success(fallback) : codec.validate(u, c)),
    codec.encode,
  )

/**
 * The io-ts codec of task results JSON. A missing version means `1.0`, missing
 * `tasks` means `[]`; no keys beyond the schema's are allowed at either level
 * (a `__proto__` key included). Date-times without a zone are read as UTC.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codec = boundary(
  noExtraKeys(
    t.type({
      version: defaulted(Version, VERSION),
      tasks: defaulted(t.readonlyArray(TaskResultCodec), []),
    }),
    ['version', 'tasks'],
    'TaskResults',
  ),
)

/**
 * Task results, as decoded or built.
 *
 * @category model
 * @since 0.1.0
 */
export interface TaskResults {
  readonly version: string
  readonly tasks: readonly TaskResult[]
}

/**
 * Why task results JSON was refused: each offending path, with what is wrong there.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidTaskResults extends invalidError('InvalidTaskResults', 'task results') {}

/**
 * Decodes task results JSON. Never throws; invalid input yields
 * {@link InvalidTaskResults} listing each offending path.
 *
 * @example
 * import { TaskResults } from 'job-execution-core'
 * TaskResults.decode({}) // E.right({ version: '1.0', tasks: [] })
 * TaskResults.decode({ version: '2.0' }) // E.left: '2.0 is an unsupported version number'
 *
 * @category decoding
 * @since 0.1.0
 */
export const decode = (json: unknown): E.Either<InvalidTaskResults, TaskResults> => {
  const decoded = codec.decode(json)
  return E.isLeft(decoded) ? E.left(new InvalidTaskResults(problemsOf(decoded.left))) : E.right(decoded.right)
}

// As `new Date(instant).toISOString()` writes it, without its cost (see
// internal/isoInstant). A Date cannot hold an instant beyond MAX_DATE;
// instants come from the host, so clamp rather than throw.
const iso = (instant: Instant): string =>
  isoOfInstant(Number.isFinite(instant) ? Math.max(-MAX_DATE, Math.min(MAX_DATE, instant)) : 0)

const resultOf = (task: Task): TaskResult => {
  const result: { -readonly [K in keyof TaskResult]: TaskResult[K] } = {
    task_id: task.id,
    type: task.type,
    was_launched: task.launched !== undefined,
  }
  if (task.launched === undefined) return result
  result.launched = iso(task.launched)
  result.was_started = task.started !== undefined
  if (task.started === undefined) return result
  result.started = iso(task.started)
  result.was_timed_out = task.timedOut
  if (task.ended !== undefined) result.ended = iso(task.ended)
  if (task.finalStatus !== undefined) result.status = task.finalStatus
  if (task.exitCode !== undefined) result.exit_code = task.exitCode
  return result
}

/**
 * Task results built from tasks, in their order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromTasks = (tasks: readonly Task[]): TaskResults => ({
  version: VERSION,
  tasks: tasks.map(resultOf),
})

/**
 * Task results built from an execution's tasks: each gives `task_id`, `type`,
 * `was_launched`; if launched also `launched` and `was_started`; if started also
 * `started`, `was_timed_out`, and `ended`, `status` and `exit_code` when known.
 *
 * @example
 * import { Execution, TaskResults } from 'job-execution-core'
 * declare const exe: Execution.Execution
 * TaskResults.fromExecution(exe).tasks.map((task) => task.type) // ['pull', 'pre', 'main', 'post']
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromExecution = (execution: Execution): TaskResults => fromTasks(allTasks(execution))

const find = (results: TaskResults, type: string): TaskResult | undefined =>
  results.tasks.find((task) => task.type === type)

const instant = (iso8601: string | undefined): Instant | undefined => {
  if (iso8601 === undefined) return undefined
  const parsed = parseIso(iso8601)
  return Number.isNaN(parsed) ? undefined : parsed
}

/**
 * When the task of that type started, if it did. A date-time without a zone
 * is read as UTC, whatever the host's time zone.
 *
 * @example
 * import { TaskResults } from 'job-execution-core'
 * declare const results: TaskResults.TaskResults
 * TaskResults.taskStarted(results, 'main') // e.g. 1767225602000
 *
 * @category accessors
 * @since 0.1.0
 */
export const taskStarted = (results: TaskResults, type: string): Instant | undefined =>
  instant(find(results, type)?.started)

/**
 * When the task of that type ended, if it did.
 *
 * @category accessors
 * @since 0.1.0
 */
export const taskEnded = (results: TaskResults, type: string): Instant | undefined =>
  instant(find(results, type)?.ended)

/**
 * How long the task of that type ran (ended minus started, in milliseconds),
 * if it both started and ended.
 *
 * @category accessors
 * @since 0.1.0
 */
export const taskRunLength = (results: TaskResults, type: string): number | undefined => {
  const started = taskStarted(results, type)
  const ended = taskEnded(results, type)
  return started === undefined || ended === undefined ? undefined : ended - started
}
