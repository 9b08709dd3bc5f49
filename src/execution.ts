/**
 * A running job execution: its ordered tasks, its status, and how it reacts to
 * task updates, cancellation, node loss, timeouts and resource starvation.
 *
 * `reduce(execution, event, now)` is pure: it never changes its input, never
 * reads a clock (every instant it records is the `now` it is given), and returns
 * the very same execution when the event changes nothing.
 *
 * @since 0.1.0
 * @module
 */
import * as Errors from './errors'
import type { ErrorCategory, JobError } from './errors'
import type { Instant, TaskId } from './ids'
import { checkedExecutionEvent, isNow } from './internal/eventGuards'
import type { EXECUTION_STATUS } from './internal/literals'
import { replaceAt } from './internal/patch'
import type {
  EndRecordShape,
  ExecutionShape,
  ExecutionSpecShape,
  JobTypeShape,
  ListedExecutionShape,
} from './internal/records'
import type * as t from 'io-ts'
import { withDefaults, type Settings } from './settings'
import * as Task from './task'
import type { TaskUpdate } from './taskUpdate'
import { fromTasks } from './taskResults'
import { allTasks, isUnreached, NONE_REACHED, reachedThrough, taskAt, typeList } from './internal/taskList'

export { DEFAULT_SETTINGS, decodeSettings, InvalidSettings, withDefaults, type Settings } from './settings'

/**
 * The status of an execution: `RUNNING` until its first final status sticks.
 *
 * @useDeclaredType
 * @category model
 * @since 0.1.0
 */
export type ExecutionStatus = (typeof EXECUTION_STATUS.values)[number]

/**
 * The final statuses.
 *
 * @category model
 * @since 0.1.0
 */
export type FinalStatus = Exclude<ExecutionStatus, 'RUNNING'>

/**
 * The job type facts an execution needs.
 *
 * @category model
 * @since 0.1.0
 */
export interface JobType extends Readonly<t.TypeOf<typeof JobTypeShape>> {}

/**
 * What the host knows about an execution when it schedules it.
 *
 * @example
 * import type { Execution } from 'job-execution-core'
 * const spec: Execution.ExecutionSpec = {
 *   id: 7, clusterId: 'scale_job_fw1_42x3', jobId: 42, exeNum: 3, jobTypeId: 5,
 *   nodeId: 1, agentId: 'agent-1', queued: 0, started: 1_000,
 *   jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
 * }
 *
 * @category model
 * @since 0.1.0
 */
export interface ExecutionSpec extends Readonly<t.TypeOf<typeof ExecutionSpecShape>> {}

/**
 * A running job execution. Plain, read-only data.
 *
 * `taskTypes` are the types of its tasks, in order; {@link tasks} gives the
 * tasks themselves. `current` is the index of the current task (absent when
 * none), and the tasks from index `next` on are the ones that remain (none
 * once `next === taskTypes.length`).
 *
 * It keeps only the tasks that have been current so far (`tasksSoFar`, a
 * prefix of the tasks, through the current one): a task that never was is
 * what `Task.create` makes of its type, so it is made when asked for. A
 * running execution that has not started holds no task object at all.
 *
 * @category model
 * @since 0.1.0
 */
export interface Execution extends Readonly<t.TypeOf<typeof ExecutionShape>> {}

/**
 * An execution with all its tasks listed in `tasks`, in place of
 * `taskTypes` and `tasksSoFar`: how version-2 snapshots ({@link
 * Manager.SnapshotV2}) and event logs written before 0.2.0 hold one.
 * `Scheduled` and the event-log decoder still take it.
 *
 * @category model
 * @since 0.2.0
 */
export interface ListedExecution extends Readonly<t.TypeOf<typeof ListedExecutionShape>> {}

type ExecutionState = Pick<
  Execution,
  'status' | 'error' | 'finished' | 'tasksSoFar' | 'current' | 'next' | 'lastTaskFinished'
>

// Every execution the reducer builds has the same fields in the same order, so
// that the engine keeps one shape for them (a spread that adds an absent field
// gives a new shape each time, and slows every access).
const changed = (e: Execution, changes: Partial<ExecutionState>): Execution => ({
  id: e.id,
  clusterId: e.clusterId,
  jobId: e.jobId,
  exeNum: e.exeNum,
  jobTypeId: e.jobTypeId,
  nodeId: e.nodeId,
  agentId: e.agentId,
  priority: e.priority,
  queued: e.queued,
  started: e.started,
  jobType: e.jobType,
  exitCodeErrors: e.exitCodeErrors,
  settings: e.settings,
  status: changes.status ?? e.status,
  error: 'error' in changes ? changes.error : e.error,
  finished: 'finished' in changes ? changes.finished : e.finished,
  taskTypes: e.taskTypes,
  tasksSoFar: changes.tasksSoFar ?? e.tasksSoFar,
  current: 'current' in changes ? changes.current : e.current,
  next: changes.next ?? e.next,
  lastTaskFinished: 'lastTaskFinished' in changes ? changes.lastTaskFinished : e.lastTaskFinished,
})

/**
 * A new running execution with all its tasks remaining. Settings are a partial
 * record; omitted keys take {@link DEFAULT_SETTINGS}. Settings from outside go
 * through {@link decodeSettings} first.
 *
 * `taskTypes` are taken in execution order, unknown ones dropped. With
 * `taskTypes: []` (or only unknown types) the execution has no tasks: it is
 * finished at once ({@link isFinished}) while its status stays `RUNNING`, since
 * nothing ran. The manager's `Scheduled` refuses such a spec, and such an
 * execution, so that no end record ever says `RUNNING`.
 *
 * @example
 * import { Execution } from 'job-execution-core'
 * const exe = Execution.create({
 *   id: 7, clusterId: 'scale_job_fw1_42x3', jobId: 42, exeNum: 3, jobTypeId: 5,
 *   nodeId: 1, agentId: 'agent-1', queued: 0, started: 1_000,
 *   jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
 * }, { stagingTimeout: 60_000 })
 * Execution.nextTask(exe)?.id // 'scale_job_fw1_42x3_pull'
 *
 * @category constructors
 * @since 0.1.0
 */
export const create = (spec: ExecutionSpec, settings?: Partial<Settings>): Execution => {
  return {
    id: spec.id,
    clusterId: spec.clusterId,
    jobId: spec.jobId,
    exeNum: spec.exeNum,
    jobTypeId: spec.jobTypeId,
    nodeId: spec.nodeId,
    agentId: spec.agentId,
    priority: spec.priority,
    queued: spec.queued,
    started: spec.started,
    jobType: spec.jobType,
    exitCodeErrors: spec.exitCodeErrors,
    settings: withDefaults(settings),
    status: 'RUNNING',
    error: undefined,
    finished: undefined,
    taskTypes: typeList(spec.taskTypes ?? Task.TASK_TYPES),
    tasksSoFar: NONE_REACHED,
    current: undefined,
    next: 0,
    lastTaskFinished: undefined,
  }
}

/**
 * The events an execution reacts to; the event time is always the reducer's `now`.
 *
 * | event | effect |
 * | --- | --- |
 * | `NextTaskStarted` | with no current task and tasks remaining, the first remaining task becomes current |
 * | `TaskLaunched` | the current task is launched (if `taskId` is given, only when it names the current task) |
 * | `TaskUpdated` | the current task, if the update names it, takes the update; FINISHED, FAILED, KILLED and LOST then move the execution on; an update naming any other task changes nothing |
 * | `Canceled` | the current task needs a kill; the execution is CANCELED |
 * | `NodeLost` | the current task is forced to reconcile; the execution FAILED with `node-lost` |
 * | `TaskTimedOut` | the current task (if it has that id) timed out and needs a kill; the execution FAILED with its timeout error. Once it has so failed, the event again changes nothing (delivery is at least once), even if the task was launched in between |
 * | `StarvationChecked` | with no current task, tasks remaining, and the last task finished longer than the starvation delay ago: FAILED with `resource-starvation` |
 * | `KillRequested` | the current task needs a kill (beyond Scale: the manager's `ExecutionsLost` uses it) |
 * | `TimeoutsChecked` | beyond Scale: a current task whose timeout has passed times out as with `TaskTimedOut`; a current task still not launched at {@link unlaunchedDeadline} is dropped, which finishes the execution (the manager's `TimeoutsChecked` uses it) |
 *
 * After a final status the current task stays until an update ends it, even
 * one that was never launched: once the host launches it (`TaskLaunched`, or an
 * update under its id shows the cluster has it), it needs a kill at once.
 *
 * @category events
 * @since 0.1.0
 */
export type ExecutionEvent =
  | { readonly type: 'NextTaskStarted' }
  | { readonly type: 'TaskLaunched'; readonly taskId?: TaskId | undefined }
  | { readonly type: 'TaskUpdated'; readonly update: TaskUpdate }
  | { readonly type: 'Canceled' }
  | { readonly type: 'NodeLost' }
  | { readonly type: 'TaskTimedOut'; readonly taskId: TaskId }
  | { readonly type: 'StarvationChecked' }
  | { readonly type: 'KillRequested' }
  | { readonly type: 'TimeoutsChecked' }

// The first final status sticks. It drops the remaining tasks; the current task
// stays until an update ends it, since it may still have to be killed, as in
// Scale. That holds for one never launched too (a cancel or a node loss between
// start and launch): the host may launch it yet, and it must then be killed.
// If the host never does, `TimeoutsChecked` drops it at `unlaunchedDeadline`.
const setFinalStatus = (execution: Execution, status: FinalStatus, when: Instant, error?: JobError): Execution => {
  if (execution.status !== 'RUNNING') return execution
  return changed(execution, { status, finished: when, error, next: execution.taskTypes.length })
}

const KILL_REQUESTED: Task.TaskEvent = { type: 'KillRequested' }

// A current task launched after its execution's final status (whatever that
// came from) needs a kill at once: `before` is the execution before the event.
const killIfLaunchedLate = (before: Execution, after: Execution, now: Instant): Execution => {
  if (after === before || after.status === 'RUNNING' || after.current !== before.current) return after
  const was = currentTask(before)
  const is = currentTask(after)
  if (was === undefined || is === undefined || Task.isLaunched(was) || !Task.isLaunched(is)) return after
  return withCurrentTask(after, KILL_REQUESTED, now)
}

const withCurrentTask = (execution: Execution, event: Task.TaskEvent, now: Instant): Execution => {
  const index = execution.current
  if (index === undefined) return execution
  const task = execution.tasksSoFar[index]
  if (task === undefined) return execution
  const tasksSoFar = replaceAt(execution.tasksSoFar, index, Task.reduce(task, event, now))
  return tasksSoFar === execution.tasksSoFar ? execution : changed(execution, { tasksSoFar })
}

const lostRetryExhausted = (execution: Execution, task: Task.Task): boolean => {
  const max = execution.settings.maxLostRetries
  return max !== undefined && task.lostCount + 1 > max
}

const afterCurrentTaskUpdate = (execution: Execution, index: number, update: TaskUpdate, now: Instant): Execution => {
  const task = execution.tasksSoFar[index]
  if (task === undefined) return execution
  switch (update.status) {
    case 'FINISHED': {
      const cleared = changed(execution, { current: undefined, lastTaskFinished: now })
      return cleared.next >= cleared.taskTypes.length ? setFinalStatus(cleared, 'COMPLETED', now) : cleared
    }
    case 'FAILED':
    case 'KILLED': {
      const error = Task.failureError(task, update, {
        exitCodeErrors: execution.exitCodeErrors,
        errorMapping: execution.jobType.errorMapping,
      })
      return setFinalStatus(changed(execution, { current: undefined }), 'FAILED', now, error)
    }
    case 'LOST': {
      const cleared = changed(execution, { current: undefined, lastTaskFinished: now })
      if (execution.status !== 'RUNNING') return cleared
      if (lostRetryExhausted(execution, task)) {
        return setFinalStatus(cleared, 'FAILED', now, Errors.BUILTIN['node-lost'])
      }
      const renamed = Task.reduce(task, { type: 'Renamed' }, now)
      return changed(cleared, { tasksSoFar: replaceAt(execution.tasksSoFar, index, renamed), next: index })
    }
    case 'STAGING':
    case 'RUNNING':
    case 'UNKNOWN':
      return execution
  }
}

// Only the current task takes updates: every other task is either ended or not
// launched (the cluster knows nothing of it), so an update naming one is stale.
const taskUpdated = (execution: Execution, update: TaskUpdate, now: Instant): Execution => {
  const index = execution.current
  if (index === undefined) return execution
  const task = execution.tasksSoFar[index]
  if (task === undefined || task.id !== update.taskId) return execution
  const tasksSoFar = replaceAt(execution.tasksSoFar, index, Task.reduce(task, { type: 'Updated', update }, now))
  return afterCurrentTaskUpdate(
    tasksSoFar === execution.tasksSoFar ? execution : changed(execution, { tasksSoFar }),
    index,
    update,
    now,
  )
}

const timedOut = (execution: Execution, task: Task.Task, now: Instant): Execution =>
  setFinalStatus(withCurrentTask(execution, { type: 'TimedOut' }, now), 'FAILED', now, Task.timeoutError(task))

// A TaskTimedOut comes again (delivery is at least once) after the first one
// failed the execution. When that first one found its task not yet launched,
// the task kept no mark of it, so the copy, once the task is launched, would
// mark it timed out and change the end record's was_timed_out: the execution's
// error is the record instead. Only a timeout of its current task fails an
// execution with that task's timeout error while the task is still current
// (an update that fails it also clears it). TimeoutsChecked is not a copy of
// anything: it marks a task whose own timeout has passed whatever came before.
const hasFailedByTimeoutOf = (execution: Execution, task: Task.Task): boolean =>
  execution.status === 'FAILED' &&
  execution.error !== undefined &&
  (execution.error.name === Errors.BUILTIN['launch-timeout'].name ||
    execution.error.name === task.config.timeoutError.name)

const isStarved = (execution: Execution, now: Instant): boolean => {
  const deadline = starvationDeadline(execution)
  return deadline !== undefined && deadline <= now
}

const timeoutsChecked = (execution: Execution, now: Instant): Execution => {
  const task = currentTask(execution)
  if (task === undefined) return execution
  if (Task.hasTimedOut(task, now)) return timedOut(execution, task, now)
  const deadline = unlaunchedDeadline(execution)
  return deadline !== undefined && deadline <= now ? withoutUnlaunchedTask(execution) : execution
}

// Dropping a task that was never launched: it had its kill asked for or its
// reconciliation forced on the way (that is how its execution got its final
// status), so it stays among the tasks reached; were it as it started, it
// would go, since only the current task may be so (see taskList.ts).
const withoutUnlaunchedTask = (execution: Execution): Execution => {
  const index = execution.current
  const reached = execution.tasksSoFar
  const task = index === undefined ? undefined : reached[index]
  const last = task !== undefined && index === reached.length - 1 && isUnreached(execution, task)
  return changed(execution, { current: undefined, tasksSoFar: last ? reached.slice(0, index) : reached })
}

/**
 * The execution after an event at `now`. Pure; returns the very same execution
 * when the event changes nothing (an update for an unknown task id, a repeated
 * update, an event after the execution finished that has nothing left to do),
 * and when it refuses the event: a `now` that is not a safe integer, an unknown
 * `type`, a mistyped `taskId`, an unsound update (see the events guide, "What a
 * reducer refuses").
 *
 * @example
 * import { Execution } from 'job-execution-core'
 * let exe = Execution.create({
 *   id: 7, clusterId: 'scale_job_fw1_42x3', jobId: 42, exeNum: 3, jobTypeId: 5, nodeId: 1,
 *   agentId: 'agent-1', queued: 0, started: 0, taskTypes: ['main'],
 *   jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
 * })
 * exe = Execution.reduce(exe, { type: 'NextTaskStarted' }, 1_000)
 * exe = Execution.reduce(exe, { type: 'TaskLaunched' }, 1_000)
 * exe = Execution.reduce(exe, { type: 'TaskUpdated', update:
 *   { taskId: 'scale_job_fw1_42x3_main', status: 'FINISHED', timestamp: 5_000, exitCode: 0 } }, 5_100)
 * Execution.status(exe) // 'COMPLETED'
 * Execution.finished(exe) // 5100
 *
 * @category reducers
 * @since 0.1.0
 */
export const reduce = (execution: Execution, event: ExecutionEvent, now: Instant): Execution =>
  isNow(now) && checkedExecutionEvent(event) !== undefined ? step(execution, event, now) : execution

const step = (execution: Execution, event: ExecutionEvent, now: Instant): Execution => {
  switch (event.type) {
    case 'NextTaskStarted':
      if (execution.current !== undefined || execution.next >= execution.taskTypes.length) return execution
      return changed(execution, {
        current: execution.next,
        next: execution.next + 1,
        tasksSoFar: reachedThrough(execution, execution.next),
      })
    case 'TaskLaunched': {
      const task = currentTask(execution)
      if (task === undefined || (event.taskId !== undefined && event.taskId !== task.id)) return execution
      return killIfLaunchedLate(execution, withCurrentTask(execution, { type: 'Launched' }, now), now)
    }
    case 'TaskUpdated':
      return killIfLaunchedLate(execution, taskUpdated(execution, event.update, now), now)
    case 'Canceled':
      return setFinalStatus(withCurrentTask(execution, { type: 'KillRequested' }, now), 'CANCELED', now)
    case 'NodeLost':
      return setFinalStatus(
        withCurrentTask(execution, { type: 'ReconciliationForced' }, now),
        'FAILED',
        now,
        Errors.BUILTIN['node-lost'],
      )
    case 'TaskTimedOut': {
      const task = currentTask(execution)
      if (task === undefined || task.id !== event.taskId || hasFailedByTimeoutOf(execution, task)) return execution
      return timedOut(execution, task, now)
    }
    case 'StarvationChecked':
      return isStarved(execution, now)
        ? setFinalStatus(execution, 'FAILED', now, Errors.BUILTIN['resource-starvation'])
        : execution
    case 'KillRequested':
      return withCurrentTask(execution, KILL_REQUESTED, now)
    case 'TimeoutsChecked':
      return timeoutsChecked(execution, now)
  }
}

/**
 * The execution's status.
 *
 * @category queries
 * @since 0.1.0
 */
export const status = (execution: Execution): ExecutionStatus => execution.status

/**
 * The error the execution failed with, if any.
 *
 * @category queries
 * @since 0.1.0
 */
export const error = (execution: Execution): JobError | undefined => execution.error

/**
 * The category of the execution's error, if any.
 *
 * @category queries
 * @since 0.1.0
 */
export const errorCategory = (execution: Execution): ErrorCategory | undefined => execution.error?.category

/**
 * When the execution reached its final status, if it has.
 *
 * @category queries
 * @since 0.1.0
 */
export const finished = (execution: Execution): Instant | undefined => execution.finished

/**
 * The current task, if any.
 *
 * @category queries
 * @since 0.1.0
 */
export const currentTask = (execution: Execution): Task.Task | undefined =>
  execution.current === undefined ? undefined : execution.tasksSoFar[execution.current]

/**
 * The first remaining task, if any.
 *
 * @category queries
 * @since 0.1.0
 */
export const nextTask = (execution: Execution): Task.Task | undefined => taskAt(execution, execution.next)

/**
 * All the execution's tasks, in order: the ones that have been current as
 * they are now, the others as they will start. An execution keeps only the
 * first kind (see {@link Execution}), so the others are made on each call.
 *
 * @example
 * import { Execution } from 'job-execution-core'
 * const exe = Execution.create({
 *   id: 7, clusterId: 'scale_job_fw1_42x3', jobId: 42, exeNum: 3, jobTypeId: 5, nodeId: 1,
 *   agentId: 'agent-1', queued: 0, started: 0, taskTypes: ['pre', 'main'],
 *   jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
 * })
 * Execution.tasks(exe).map((task) => task.id) // ['scale_job_fw1_42x3_pre', 'scale_job_fw1_42x3_main']
 * exe.tasksSoFar.length // 0
 *
 * @category queries
 * @since 0.2.0
 */
export const tasks = (execution: Execution): readonly Task.Task[] => allTasks(execution)

/**
 * Whether the next task may start: no current task and tasks remaining.
 *
 * @category queries
 * @since 0.1.0
 */
export const isNextTaskReady = (execution: Execution): boolean =>
  execution.current === undefined && execution.next < execution.taskTypes.length

/**
 * Whether the execution is finished: no current task and none remaining.
 *
 * @category queries
 * @since 0.1.0
 */
export const isFinished = (execution: Execution): boolean =>
  execution.current === undefined && execution.next >= execution.taskTypes.length

/**
 * The container names of all tasks that have one, in task order.
 *
 * @category queries
 * @since 0.1.0
 */
export const containerNames = (execution: Execution): readonly string[] =>
  // A task that was never current has no container.
  execution.tasksSoFar.flatMap((task) => (task.containerName === undefined ? [] : [task.containerName]))

/**
 * The first instant at which `StarvationChecked` would fail the execution:
 * when it waits for resources (no current task, tasks remaining) since its last
 * task finished, that instant plus the starvation delay, plus one. Absent otherwise.
 *
 * @category queries
 * @since 0.1.0
 */
export const starvationDeadline = (execution: Execution): Instant | undefined => {
  if (!isNextTaskReady(execution) || execution.lastTaskFinished === undefined) return undefined
  return execution.lastTaskFinished + execution.settings.starvationDelay + 1
}

/**
 * The first instant at which `TimeoutsChecked` drops a current task that was
 * never launched, and so finishes the execution: when the execution has its
 * final status and its current task is still not launched, the final status's
 * instant plus the staging timeout, plus one (so that the task has waited
 * longer than the staging timeout, as a launched task must to time out).
 * Absent otherwise: running, no current task, or the task was launched (it
 * then needs a kill, and its own timeouts and reconciliation apply).
 *
 * @example
 * import { Execution } from 'job-execution-core'
 * let exe = Execution.create({
 *   id: 7, clusterId: 'scale_job_fw1_42x3', jobId: 42, exeNum: 3, jobTypeId: 5, nodeId: 1,
 *   agentId: 'agent-1', queued: 0, started: 0,
 *   jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
 * })
 * exe = Execution.reduce(exe, { type: 'NextTaskStarted' }, 1_000)
 * exe = Execution.reduce(exe, { type: 'Canceled' }, 2_000) // before the host launched the task
 * Execution.unlaunchedDeadline(exe) // 122_001: 2_000 + the 2-minute staging timeout + 1
 * Execution.isFinished(Execution.reduce(exe, { type: 'TimeoutsChecked' }, 122_001)) // true
 *
 * @category queries
 * @since 0.2.0
 */
export const unlaunchedDeadline = (execution: Execution): Instant | undefined => {
  if (execution.status === 'RUNNING' || execution.finished === undefined) return undefined
  const task = currentTask(execution)
  if (task === undefined || Task.isLaunched(task)) return undefined
  return execution.finished + task.config.stagingTimeout + 1
}

/**
 * Whether the execution's current task must be killed now (see
 * {@link Task.needsKill}); false without a current task.
 *
 * @category queries
 * @since 0.2.0
 */
export const needsKill = (execution: Execution): boolean => {
  const task = currentTask(execution)
  return task !== undefined && Task.needsKill(task)
}

/**
 * Whether reconciliation of the execution's current task is forced and pending
 * (see {@link Task.isReconciliationForced}); false without a current task.
 *
 * @category queries
 * @since 0.2.0
 */
export const isReconciliationForced = (execution: Execution): boolean => {
  const task = currentTask(execution)
  return task !== undefined && Task.isReconciliationForced(task)
}

/**
 * The first instant at which the current task needs reconciliation by the age
 * of its last update (see {@link Task.unforcedReconciliationDeadline}); absent
 * without a current task, or when its reconciliation is forced.
 *
 * @category queries
 * @since 0.2.0
 */
export const reconciliationDeadline = (execution: Execution): Instant | undefined => {
  const task = currentTask(execution)
  return task === undefined ? undefined : Task.unforcedReconciliationDeadline(task)
}

const earlier = (a: Instant | undefined, b: Instant | undefined): Instant | undefined =>
  a === undefined || (b !== undefined && b < a) ? b : a

/**
 * The earliest instant at which a periodic check would act on the execution:
 * with a current task, the earliest of its timeout
 * ({@link Task.timeoutDeadline}), its {@link reconciliationDeadline} and the
 * {@link unlaunchedDeadline}; without one, its {@link starvationDeadline}.
 * Absent when no check will ever act on it as it is.
 *
 * @example
 * import { Execution } from 'job-execution-core'
 * let exe = Execution.create({
 *   id: 7, clusterId: 'scale_job_fw1_42x3', jobId: 42, exeNum: 3, jobTypeId: 5, nodeId: 1,
 *   agentId: 'agent-1', queued: 0, started: 0,
 *   jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
 * })
 * exe = Execution.reduce(exe, { type: 'NextTaskStarted' }, 1_000)
 * exe = Execution.reduce(exe, { type: 'TaskLaunched', taskId: 'scale_job_fw1_42x3_pull' }, 1_000)
 * Execution.deadline(exe) // 31_001: reconcile the staging task unless it reports by then
 *
 * @category queries
 * @since 0.2.0
 */
export const deadline = (execution: Execution): Instant | undefined => {
  const task = currentTask(execution)
  if (task === undefined) return starvationDeadline(execution)
  const timeout = Task.timeoutDeadline(task)
  return earlier(earlier(timeout, Task.unforcedReconciliationDeadline(task)), unlaunchedDeadline(execution))
}

/**
 * What the host stores when an execution ends, and passes back as history.
 *
 * @category model
 * @since 0.1.0
 */
export interface EndRecord extends Readonly<t.TypeOf<typeof EndRecordShape>> {}

/**
 * The end record of an execution: its ids, status, error, instants and task results.
 *
 * @example
 * import { Execution } from 'job-execution-core'
 * declare const exe: Execution.Execution
 * const record = Execution.endRecord(exe)
 * record.taskResults.version // '1.0'
 *
 * @category queries
 * @since 0.1.0
 */
export const endRecord = (execution: Execution): EndRecord => ({
  id: execution.id,
  clusterId: execution.clusterId,
  jobId: execution.jobId,
  exeNum: execution.exeNum,
  jobTypeId: execution.jobTypeId,
  nodeId: execution.nodeId,
  status: execution.status,
  error: execution.error,
  queued: execution.queued,
  started: execution.started,
  finished: execution.finished,
  taskResults: fromTasks(allTasks(execution)),
})
