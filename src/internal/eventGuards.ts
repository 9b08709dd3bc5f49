/**
 * The guards at the entry of `Task.reduce`, `Execution.reduce` and
 * `Manager.reduce`: events passed directly by a JavaScript host are checked for
 * what the reducers rely on before anything is applied. Each guard returns the
 * event to apply (the very same object when it is sound, a copy without its bad
 * elements when only some list elements are bad) or `undefined`: refused, the
 * reducer returns its input state.
 *
 * What is refused as a whole: an unknown `type`, a missing or mistyped field
 * the event needs, an unsound task update. What is refused element by element
 * (one bad element must not block the others): the executions of `Scheduled`,
 * the ids of `ExecutionsLost`, the entries of `JobsSynced`, the records of
 * `CanceledOffQueue` and `HistoryLoaded`.
 *
 * @internal
 * @module
 */
import type { ExecutionEvent } from '../execution'
import type { ManagerEvent } from '../manager'
import type { TaskEvent } from '../task'
import { isExecutionSpec, isListedExecution, isRunningExecution } from './executionGuard'
import { isCounted, isEndRecord, isSyncedJob } from './recordGuards'
import { isNodeId, isObject, isOptionalString, isPlainObject, type Fields } from './shapes'
import { isTaskUpdate } from './updateGuard'

/** The `now` of a reducer: a safe integer (`NaN`, infinities and fractions are refused). */
export const isNow = (now: unknown): now is number => Number.isSafeInteger(now)

// One check per event type, in a table typed by the union: a new event variant
// does not compile until it has its check (a `switch` with a `default` would
// refuse it silently). A check gets the event's fields and the event itself,
// and returns the event to apply or `undefined`.
type Checks<E extends { readonly type: string }> = {
  readonly [K in E['type']]: (fields: Fields, event: E) => E | undefined
}

const run = <E extends { readonly type: string }>(checks: Checks<E>, event: E): E | undefined => {
  const e: unknown = event
  if (!isObject(e) || typeof e.type !== 'string' || !Object.prototype.hasOwnProperty.call(checks, e.type)) {
    return undefined
  }
  return checks[e.type as E['type']](e, event)
}

const sound = <E>(_: Fields, event: E): E => event

const TASK_EVENT_CHECKS: Checks<TaskEvent> = {
  Launched: sound,
  TimedOut: sound,
  KillRequested: sound,
  ReconciliationForced: sound,
  Renamed: sound,
  Updated: (e, event) => (isTaskUpdate(e.update) ? event : undefined),
}

/** The event, or `undefined` when a `Task.reduce` cannot apply it. */
export const checkedTaskEvent = (event: TaskEvent): TaskEvent | undefined => run(TASK_EVENT_CHECKS, event)

const EXECUTION_EVENT_CHECKS: Checks<ExecutionEvent> = {
  NextTaskStarted: sound,
  Canceled: sound,
  NodeLost: sound,
  StarvationChecked: sound,
  KillRequested: sound,
  TimeoutsChecked: sound,
  TaskLaunched: (e, event) => (isOptionalString(e.taskId) ? event : undefined),
  TaskUpdated: (e, event) => (isTaskUpdate(e.update) ? event : undefined),
  TaskTimedOut: (e, event) => (typeof e.taskId === 'string' ? event : undefined),
}

/** The event, or `undefined` when an `Execution.reduce` cannot apply it. */
export const checkedExecutionEvent = (event: ExecutionEvent): ExecutionEvent | undefined =>
  run(EXECUTION_EVENT_CHECKS, event)

// As the manager tells them apart: an execution has a status, and a task list
// when it is in the listed layout of earlier versions (as older logs hold it).
const isSchedulable = (x: unknown): boolean => {
  if (!isObject(x)) return false
  if ('status' in x && Array.isArray(x.tasks)) return isListedExecution(x)
  if ('status' in x && Array.isArray(x.tasksSoFar)) return isRunningExecution(x)
  return isExecutionSpec(x)
}

// The elements that pass, the very same list when all do; undefined when it is no list.
const kept = (items: unknown, ok: (x: unknown) => boolean): readonly unknown[] | undefined => {
  if (!Array.isArray(items)) return undefined
  const list: readonly unknown[] = items
  for (let i = 0; i < list.length; i++) if (!ok(list[i])) return keepFrom(list, i, ok)
  return list
}

// The elements before `first` (all good), then the good ones after it.
const keepFrom = (list: readonly unknown[], first: number, ok: (x: unknown) => boolean): unknown[] => {
  const good: unknown[] = list.slice(0, first)
  for (let i = first + 1; i < list.length; i++) if (ok(list[i])) good.push(list[i])
  return good
}

const isId = (x: unknown): boolean => isNodeId(x)

const keptJobs = (jobs: Fields): Fields => {
  const keys = Object.keys(jobs)
  if (keys.every((key) => isSyncedJob(jobs[key]))) return jobs
  const good: Record<string, unknown> = {}
  for (const key of keys) {
    const job = jobs[key]
    if (isSyncedJob(job)) Object.defineProperty(good, key, { value: job, enumerable: true })
  }
  return good
}

// A copy of the event with one list replaced by its good elements.
const withList = (e: Fields, key: string, list: readonly unknown[]): ManagerEvent =>
  ({ ...e, [key]: list }) as unknown as ManagerEvent

const MANAGER_EVENT_CHECKS: Checks<ManagerEvent> = {
  TimeoutsChecked: sound,
  StarvationChecked: sound,
  TaskUpdated: (e, event) => (isTaskUpdate(e.update) ? event : undefined),
  NextTaskStarted: (e, event) => (typeof e.clusterId === 'string' ? event : undefined),
  TaskLaunched: (e, event) => (typeof e.taskId === 'string' ? event : undefined),
  TaskTimedOut: (e, event) => (typeof e.taskId === 'string' ? event : undefined),
  NodeLost: (e, event) => (isNodeId(e.nodeId) ? event : undefined),
  Scheduled: (e, event) => {
    if (!(e.messages === undefined || Array.isArray(e.messages))) return undefined
    const executions = kept(e.executions, isSchedulable)
    if (executions === undefined) return undefined
    return executions === e.executions ? event : withList(e, 'executions', executions)
  },
  ExecutionsLost: (e, event) => {
    const ids = kept(e.ids, isId)
    if (ids === undefined) return undefined
    return ids === e.ids ? event : withList(e, 'ids', ids)
  },
  CanceledOffQueue: (e, event) => {
    const records = kept(e.records, isEndRecord)
    if (records === undefined) return undefined
    return records === e.records ? event : withList(e, 'records', records)
  },
  HistoryLoaded: (e, event) => {
    const records = kept(e.records, isCounted)
    if (records === undefined) return undefined
    return records === e.records ? event : withList(e, 'records', records)
  },
  JobsSynced: (e, event) => {
    if (!isPlainObject(e.jobs)) return undefined
    const jobs = keptJobs(e.jobs)
    return jobs === e.jobs ? event : ({ ...e, jobs } as unknown as ManagerEvent)
  },
}

/** The event to apply, or `undefined` when a `Manager.reduce` cannot apply it (see the module). */
export const checkedManagerEvent = (event: ManagerEvent): ManagerEvent | undefined => run(MANAGER_EVENT_CHECKS, event)
