/**
 * One task of a job execution, run as one cluster task: its lifecycle
 * (launched, started, ended), its flags (timed out, kill requested, forced
 * reconciliation), and the queries a host asks of it (needs a kill? needs
 * reconciliation? timed out? which error?).
 *
 * Tasks live inside an execution; hosts read them through `Execution` and
 * `Manager` queries and normally never reduce one directly.
 *
 * @since 0.1.0
 * @module
 */
import * as Errors from './errors'
import type { ExitCodeErrors, JobError } from './errors'
import { lostTaskId, taskId, type ClusterId, type Duration, type Instant } from './ids'
import { checkedTaskEvent, isNow } from './internal/eventGuards'
import { TASK_TYPE } from './internal/literals'
import type { TaskConfigShape, TaskShape } from './internal/records'
import type * as t from 'io-ts'
import type { Settings } from './settings'
import { isTerminal, type TaskUpdate } from './taskUpdate'

/**
 * The kinds of task, in the order an execution runs them.
 *
 * @useDeclaredType
 * @category model
 * @since 0.1.0
 */
export type TaskType = (typeof TASK_TYPE.values)[number]

/**
 * Every task type, in execution order.
 *
 * @category constants
 * @since 0.1.0
 */
export const TASK_TYPES: readonly TaskType[] = TASK_TYPE.values

/**
 * What a task is configured with: fixed when its execution is created, and
 * shared by all tasks of the same kind and settings (so a state change copies
 * only the task's own fields).
 *
 * @category model
 * @since 0.1.0
 */
export interface TaskConfig extends Readonly<t.TypeOf<typeof TaskConfigShape>> {}

/**
 * A task. Plain, read-only data; instants are integer milliseconds and absent
 * until they happen.
 *
 * @category model
 * @since 0.1.0
 */
export interface Task extends Readonly<t.TypeOf<typeof TaskShape>> {}

/**
 * What a task needs to know about its execution to be created.
 *
 * @category model
 * @since 0.1.0
 */
export interface TaskContext {
  readonly clusterId: ClusterId
  readonly isSystem: boolean
  readonly isLongRunning: boolean
  /** The main task's running timeout, in milliseconds. */
  readonly timeout: Duration
  readonly settings: Settings
}

const runningTimeoutOf = (type: TaskType, context: TaskContext): Duration | undefined => {
  switch (type) {
    case 'pull':
      return context.settings.pullTimeout
    case 'pre':
      return context.settings.preTimeout
    case 'post':
      return context.settings.postTimeout
    case 'main':
      return context.isLongRunning ? undefined : context.timeout
  }
}

const timeoutErrorOf = (type: TaskType, isSystem: boolean): JobError => {
  switch (type) {
    case 'pull':
      return Errors.BUILTIN['pull-timeout']
    case 'pre':
      return Errors.BUILTIN['pre-timeout']
    case 'post':
      return Errors.BUILTIN['post-timeout']
    case 'main':
      return isSystem ? Errors.BUILTIN['system-timeout'] : Errors.BUILTIN.timeout
  }
}

// Configurations are shared between executions created with the same settings
// object: by settings, then the main task's timeout, then type and flags as a
// small number (a task is made each time one first becomes current, so this
// lookup builds no key string).
const configs = new WeakMap<Settings, Map<Duration, (TaskConfig | undefined)[]>>()

const slotOf = (type: TaskType, context: TaskContext): number =>
  TASK_TYPES.indexOf(type) * 4 + (context.isSystem ? 2 : 0) + (context.isLongRunning ? 1 : 0)

const configOf = (type: TaskType, context: TaskContext): TaskConfig => {
  let bySettings = configs.get(context.settings)
  if (bySettings === undefined) {
    bySettings = new Map()
    configs.set(context.settings, bySettings)
  }
  let byTimeout = bySettings.get(context.timeout)
  if (byTimeout === undefined) {
    byTimeout = []
    bySettings.set(context.timeout, byTimeout)
  }
  const slot = slotOf(type, context)
  const known = byTimeout[slot]
  if (known !== undefined) return known
  const config: TaskConfig = Object.freeze({
    usesDocker: type !== 'pull',
    isSystem: context.isSystem,
    stagingTimeout: context.settings.stagingTimeout,
    runningTimeout: runningTimeoutOf(type, context),
    stagingReconcileDelay: context.settings.stagingReconcileDelay,
    runningReconcileDelay: context.settings.runningReconcileDelay,
    timeoutError: timeoutErrorOf(type, context.isSystem),
  })
  byTimeout[slot] = config
  return config
}

/** The fields of a task that events change. */
type TaskState = Omit<Task, 'baseId' | 'type' | 'config'>

/**
 * The task with some of its state changed. Every task is built here, with its
 * fields in one order, so that all tasks share one shape (which keeps property
 * access fast); a field named in `changes` takes that value, even `undefined`.
 */
const changed = (t: Task, changes: Partial<TaskState>): Task => ({
  id: changes.id ?? t.id,
  baseId: t.baseId,
  type: t.type,
  lostCount: changes.lostCount ?? t.lostCount,
  config: t.config,
  launched: 'launched' in changes ? changes.launched : t.launched,
  started: 'started' in changes ? changes.started : t.started,
  ended: 'ended' in changes ? changes.ended : t.ended,
  lastStatusUpdate: 'lastStatusUpdate' in changes ? changes.lastStatusUpdate : t.lastStatusUpdate,
  timedOut: changes.timedOut ?? t.timedOut,
  killRequested: changes.killRequested ?? t.killRequested,
  forceReconciliation: changes.forceReconciliation ?? t.forceReconciliation,
  finalStatus: 'finalStatus' in changes ? changes.finalStatus : t.finalStatus,
  exitCode: 'exitCode' in changes ? changes.exitCode : t.exitCode,
  containerName: 'containerName' in changes ? changes.containerName : t.containerName,
})

/**
 * A task that has not been launched yet.
 *
 * @example
 * import { Task, Execution } from 'job-execution-core'
 * const pull = Task.create('pull', {
 *   clusterId: 'scale_job_fw1_42x3', isSystem: false, isLongRunning: false,
 *   timeout: 3_600_000, settings: Execution.DEFAULT_SETTINGS,
 * })
 * pull.id // 'scale_job_fw1_42x3_pull'
 *
 * @category constructors
 * @since 0.1.0
 */
export const create = (type: TaskType, context: TaskContext): Task => {
  const baseId = taskId(context.clusterId, type)
  return {
    id: baseId,
    baseId,
    type,
    lostCount: 0,
    config: configOf(type, context),
    launched: undefined,
    started: undefined,
    ended: undefined,
    lastStatusUpdate: undefined,
    timedOut: false,
    killRequested: false,
    forceReconciliation: false,
    finalStatus: undefined,
    exitCode: undefined,
    containerName: undefined,
  }
}

/**
 * The events a task reacts to. The event time is the reducer's `now`.
 *
 * - `Launched`: the task was handed to the cluster.
 * - `Updated`: a status update arrived (ignored unless it names the task's current id).
 * - `TimedOut`: the task ran or staged too long; it now needs a kill.
 * - `KillRequested`: the task must be killed (its execution was canceled or lost).
 * - `ReconciliationForced`: the cluster must be asked about the task as soon as possible.
 * - `Renamed`: the task was lost and takes its next `_lost-{n}` id.
 *
 * @category events
 * @since 0.1.0
 */
export type TaskEvent =
  | { readonly type: 'Launched' }
  | { readonly type: 'Updated'; readonly update: TaskUpdate }
  | { readonly type: 'TimedOut' }
  | { readonly type: 'KillRequested' }
  | { readonly type: 'ReconciliationForced' }
  | { readonly type: 'Renamed' }

const applyUpdate = (t: Task, update: TaskUpdate): Task => {
  if (update.taskId !== t.id) return t
  const at = update.timestamp
  if (t.ended !== undefined || update.status === 'STAGING' || update.status === 'UNKNOWN') {
    if (!t.forceReconciliation && t.lastStatusUpdate === at) return t
    return changed(t, { forceReconciliation: false, lastStatusUpdate: at })
  }
  switch (update.status) {
    case 'RUNNING': {
      if (t.started !== undefined) {
        if (!t.forceReconciliation && t.lastStatusUpdate === at) return t
        return changed(t, { forceReconciliation: false, lastStatusUpdate: at })
      }
      return changed(t, {
        forceReconciliation: false,
        lastStatusUpdate: at,
        started: at,
        // A rerun that reports no name keeps the lost run's (see LOST).
        containerName: update.containerName ?? t.containerName,
      })
    }
    // Back to before launch, but the container name stays until the rerun
    // reports a new one: Scale's cleanup removes containers by these names.
    case 'LOST':
      return changed(t, {
        forceReconciliation: false,
        launched: undefined,
        started: undefined,
        lastStatusUpdate: undefined,
        timedOut: false,
        killRequested: false,
      })
    case 'FINISHED':
    case 'FAILED':
    case 'KILLED':
      return changed(t, {
        forceReconciliation: false,
        lastStatusUpdate: at,
        ended: at,
        finalStatus: update.status,
        exitCode: update.exitCode ?? (update.status === 'FINISHED' ? 0 : undefined),
      })
  }
}

/**
 * The task after an event at `now`. Never changes its input; returns the very
 * same task when the event changes nothing (a repeated update, a second launch,
 * an update for another task id) and when it refuses the event: a `now` that is
 * not a safe integer, an unknown `type`, an `Updated` whose update is unsound
 * (see the events guide, "What a reducer refuses").
 *
 * @example
 * import { Task, Execution } from 'job-execution-core'
 * const context = { clusterId: 'scale_job_fw1_1x1', isSystem: false, isLongRunning: false, timeout: 60_000,
 *   settings: Execution.DEFAULT_SETTINGS }
 * const launched = Task.reduce(Task.create('main', context), { type: 'Launched' }, 1_000)
 * Task.reduce(launched, { type: 'Launched' }, 2_000) === launched // true
 *
 * @category reducers
 * @since 0.1.0
 */
export const reduce = (t: Task, event: TaskEvent, now: Instant): Task =>
  isNow(now) && checkedTaskEvent(event) !== undefined ? step(t, event, now) : t

const step = (t: Task, event: TaskEvent, now: Instant): Task => {
  switch (event.type) {
    case 'Launched':
      return t.launched !== undefined ? t : changed(t, { launched: now, lastStatusUpdate: now })
    case 'Updated':
      return applyUpdate(t, event.update)
    case 'TimedOut':
      if (t.launched === undefined || t.ended !== undefined || t.timedOut) return t
      return changed(t, { timedOut: true, killRequested: true })
    case 'KillRequested':
      return t.killRequested ? t : changed(t, { killRequested: true })
    case 'ReconciliationForced':
      return t.forceReconciliation ? t : changed(t, { forceReconciliation: true })
    case 'Renamed': {
      const lostCount = t.lostCount + 1
      return changed(t, { lostCount, id: lostTaskId(t.baseId, lostCount) })
    }
  }
}

/**
 * Whether the task was launched (and not lost since).
 *
 * @category queries
 * @since 0.1.0
 */
export const isLaunched = (task: Task): boolean => task.lastStatusUpdate !== undefined

/**
 * Whether the task has ended (FINISHED, FAILED or KILLED).
 *
 * @category queries
 * @since 0.1.0
 */
export const isEnded = (task: Task): boolean => task.ended !== undefined

/**
 * Whether the task must be killed now: a kill was requested (or it timed out),
 * and it is launched and not ended.
 *
 * @category queries
 * @since 0.1.0
 */
export const needsKill = (task: Task): boolean =>
  task.killRequested && task.lastStatusUpdate !== undefined && task.ended === undefined

/**
 * The first instant at which the task needs reconciliation because its last
 * update got too old (older than the running delay once started, the staging
 * delay before); absent when it is not launched or has ended. Forced
 * reconciliation is not a deadline: see {@link needsReconciliation}.
 *
 * @category queries
 * @since 0.1.0
 */
export const reconciliationDeadline = (task: Task): Instant | undefined => {
  if (task.lastStatusUpdate === undefined || task.ended !== undefined) return undefined
  const delay = task.started !== undefined ? task.config.runningReconcileDelay : task.config.stagingReconcileDelay
  return task.lastStatusUpdate + delay + 1
}

/**
 * Whether the cluster must be asked about the task at `now`: it is launched and
 * not ended, and either reconciliation was forced or its last update is too old.
 *
 * @example
 * import { Task, Execution } from 'job-execution-core'
 * const context = { clusterId: 'scale_job_fw1_1x1', isSystem: false, isLongRunning: false, timeout: 60_000,
 *   settings: Execution.DEFAULT_SETTINGS }
 * const staging = Task.reduce(Task.create('pull', context), { type: 'Launched' }, 0)
 * Task.needsReconciliation(staging, 30_000) // false
 * Task.needsReconciliation(staging, 30_001) // true
 *
 * @category queries
 * @since 0.1.0
 */
export const needsReconciliation = (task: Task, now: Instant): boolean => {
  const deadline = reconciliationDeadline(task)
  return deadline !== undefined && (task.forceReconciliation || deadline <= now)
}

/**
 * Whether reconciliation of the task was forced and is still pending: it was
 * forced (by an update the cluster reports as a reconciliation, or by a
 * request), and the task is launched and not ended. Such a task needs
 * reconciliation at any instant (see {@link needsReconciliation}).
 *
 * @category queries
 * @since 0.2.0
 */
export const isReconciliationForced = (task: Task): boolean =>
  task.forceReconciliation && reconciliationDeadline(task) !== undefined

/**
 * The first instant at which the task needs reconciliation by the age of its
 * last update alone: {@link reconciliationDeadline}, absent when
 * reconciliation is forced (the task then needs it at any instant, so it has
 * no deadline to wait for).
 *
 * @category queries
 * @since 0.2.0
 */
export const unforcedReconciliationDeadline = (task: Task): Instant | undefined =>
  task.forceReconciliation ? undefined : reconciliationDeadline(task)

/**
 * The first instant at which the task has timed out: staging (launched, not
 * started) longer than its staging timeout, or running longer than its running
 * timeout. Absent when it cannot time out (not launched, ended, already timed
 * out, or running without a timeout).
 *
 * @category queries
 * @since 0.1.0
 */
export const timeoutDeadline = (task: Task): Instant | undefined => {
  if (task.launched === undefined || task.ended !== undefined || task.timedOut) return undefined
  if (task.started === undefined) return task.launched + task.config.stagingTimeout + 1
  const runningTimeout = task.config.runningTimeout
  return runningTimeout === undefined ? undefined : task.started + runningTimeout + 1
}

/**
 * Whether the task times out at `now`.
 *
 * @category queries
 * @since 0.1.0
 */
export const hasTimedOut = (task: Task, now: Instant): boolean => {
  const deadline = timeoutDeadline(task)
  return deadline !== undefined && deadline <= now
}

/**
 * The error the task's execution fails with when the task times out:
 * `launch-timeout` if it never started, else the timeout error of its type.
 *
 * @category queries
 * @since 0.1.0
 */
export const timeoutError = (task: Task): JobError =>
  task.started !== undefined ? task.config.timeoutError : Errors.BUILTIN['launch-timeout']

/**
 * The lookups a failed task's error comes from.
 *
 * @category model
 * @since 0.1.0
 */
export interface ErrorLookups {
  /** The registry of system exit codes (pre, post, and main tasks of system jobs). */
  readonly exitCodeErrors?: ExitCodeErrors | undefined
  /** The job type's mapping of exit codes (main tasks of other jobs). */
  readonly errorMapping?: ExitCodeErrors | undefined
}

const REASON_EXECUTOR_TERMINATED = 'REASON_EXECUTOR_TERMINATED'

const generalError = (task: Task, update: TaskUpdate): JobError => {
  if (task.started === undefined) {
    return task.config.usesDocker ? Errors.BUILTIN['docker-task-launch'] : Errors.BUILTIN['task-launch']
  }
  if (update.reason === REASON_EXECUTOR_TERMINATED && task.config.usesDocker) {
    return Errors.BUILTIN['docker-terminated']
  }
  return Errors.BUILTIN.unknown
}

const specificError = (task: Task, lookups: ErrorLookups): JobError | undefined => {
  const code = task.exitCode
  switch (task.type) {
    case 'pull':
      return Errors.BUILTIN.pull
    case 'pre':
    case 'post':
      return task.started !== undefined && code !== undefined && code !== 0
        ? Errors.forExitCode(lookups.exitCodeErrors, code)
        : undefined
    case 'main':
      if (task.config.isSystem) {
        return code !== undefined && code !== 0 ? Errors.forExitCode(lookups.exitCodeErrors, code) : undefined
      }
      // As Scale's error mapping: no exit code, or 0 (success), maps to nothing
      // (not even a mapping's entry for 0), so the general error applies.
      if (task.started === undefined || code === undefined || code === 0) return undefined
      return Errors.forExitCode(lookups.errorMapping, code) ?? Errors.BUILTIN['algorithm-unknown']
  }
}

/**
 * The error of a task that failed (or was killed) with `update`, read after the
 * task took the update. Pull: `pull`. Pre and post, started with a non-zero exit
 * code: the registry's error for it. Main of a system job, non-zero exit code:
 * the registry's error. Main of another job, started with a non-zero exit code:
 * the job type's mapping of the code, `algorithm-unknown` by default. A missing
 * or zero exit code is never looked up (a mapping's entry for 0 is never used).
 * Otherwise: `docker-task-launch` or `task-launch` if it never started,
 * `docker-terminated` if its docker executor terminated, else `unknown`.
 *
 * @category queries
 * @since 0.1.0
 */
export const failureError = (task: Task, update: TaskUpdate, lookups: ErrorLookups): JobError =>
  specificError(task, lookups) ?? generalError(task, update)

/**
 * Whether a status is terminal, re-exported for convenience.
 *
 * @category queries
 * @since 0.1.0
 */
export const isTerminalStatus = isTerminal
