/**
 * Structural checks of what a host schedules: execution specs, and whole
 * executions (as `Execution.create` and the reducers make them). They check
 * what the reducers rely on, so that a scheduled execution can never leave an
 * `undefined` task slot, an index out of range, a non-integer instant, or an
 * end record that says `RUNNING`.
 *
 * @internal
 * @module
 */
import type { Execution, ExecutionSpec } from '../execution'
import { DEFAULT_SETTINGS, type Settings } from '../settings'
import type { TaskType } from '../task'
import { TASK_TYPE, TERMINAL_STATUS } from './literals'
import { isExecutionStatus } from './recordGuards'
import {
  isInteger,
  isJobError,
  isNodeId,
  isNonNegativeInteger,
  isObject,
  isOptionalInteger,
  isOptionalLookup,
  isOptionalString,
  type Fields,
} from './shapes'

// The task types in execution order: a type's place is its index.
const TASK_ORDER: readonly string[] = TASK_TYPE.values

const orderOf = (value: unknown): number => (typeof value === 'string' ? TASK_ORDER.indexOf(value) : -1)

/** A non-empty list of known task types, in execution order, without duplicates. */
export const isTaskTypeList = (value: unknown): value is readonly TaskType[] => {
  if (!Array.isArray(value) || value.length === 0) return false
  let previous = -1
  for (let i = 0; i < value.length; i++) {
    const order = orderOf(value[i])
    if (order <= previous) return false
    previous = order
  }
  return true
}

const isJobType = (value: unknown): boolean =>
  isObject(value) &&
  typeof value.name === 'string' &&
  typeof value.isSystem === 'boolean' &&
  typeof value.isLongRunning === 'boolean' &&
  isNonNegativeInteger(value.timeout) &&
  isOptionalLookup(value.errorMapping)

// What a spec and an execution share.
const hasSpecFields = (value: Fields): boolean =>
  isInteger(value.id) &&
  typeof value.clusterId === 'string' &&
  isInteger(value.jobId) &&
  isInteger(value.exeNum) &&
  isInteger(value.jobTypeId) &&
  isNodeId(value.nodeId) &&
  typeof value.agentId === 'string' &&
  (value.priority === undefined || Number.isFinite(value.priority)) &&
  isInteger(value.queued) &&
  isInteger(value.started) &&
  isJobType(value.jobType) &&
  isOptionalLookup(value.exitCodeErrors)

/**
 * A spec `Execution.create` turns into an execution with tasks: every field
 * well-typed, instants safe integers, lookups absent or plain objects of job
 * errors, `taskTypes` absent or a non-empty list of known types in order.
 */
export const isExecutionSpec = (value: unknown): value is ExecutionSpec =>
  isObject(value) && hasSpecFields(value) && (value.taskTypes === undefined || isTaskTypeList(value.taskTypes))

// Every duration setting has a default; `maxLostRetries` alone may be absent.
const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as ReadonlyArray<keyof Settings>

// Settings and task configurations are shared by many executions: each is checked once.
const checkedShared = new WeakSet<object>()

const isSettings = (value: unknown): value is Settings => {
  if (!isObject(value)) return false
  if (checkedShared.has(value)) return true
  const ok =
    SETTING_KEYS.every((key) => isNonNegativeInteger(value[key])) &&
    (value.maxLostRetries === undefined || isNonNegativeInteger(value.maxLostRetries))
  if (ok) checkedShared.add(value)
  return ok
}

const isTaskConfig = (value: unknown): boolean => {
  if (!isObject(value)) return false
  if (checkedShared.has(value)) return true
  const ok =
    typeof value.usesDocker === 'boolean' &&
    typeof value.isSystem === 'boolean' &&
    isNonNegativeInteger(value.stagingTimeout) &&
    (value.runningTimeout === undefined || isNonNegativeInteger(value.runningTimeout)) &&
    isNonNegativeInteger(value.stagingReconcileDelay) &&
    isNonNegativeInteger(value.runningReconcileDelay) &&
    isJobError(value.timeoutError)
  if (ok) checkedShared.add(value)
  return ok
}

const isTerminalStatus = (value: unknown): boolean => value === undefined || TERMINAL_STATUS.is(value)

const isTask = (value: unknown, clusterId: string): boolean =>
  isObject(value) &&
  typeof value.id === 'string' &&
  typeof value.type === 'string' &&
  value.baseId === `${clusterId}_${value.type}` &&
  value.id.startsWith(value.baseId) &&
  isNonNegativeInteger(value.lostCount) &&
  isTaskConfig(value.config) &&
  isOptionalInteger(value.launched) &&
  isOptionalInteger(value.started) &&
  isOptionalInteger(value.ended) &&
  isOptionalInteger(value.lastStatusUpdate) &&
  typeof value.timedOut === 'boolean' &&
  typeof value.killRequested === 'boolean' &&
  typeof value.forceReconciliation === 'boolean' &&
  isTerminalStatus(value.finalStatus) &&
  isOptionalInteger(value.exitCode) &&
  isOptionalString(value.containerName)

// Tasks in order, each one well-formed, with no empty slot.
const areTasks = (tasks: readonly unknown[], clusterId: string): boolean => {
  if (tasks.length === 0) return false
  let previous = -1
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]
    if (!isTask(task, clusterId)) return false
    const order = orderOf((task as Fields).type)
    if (order <= previous) return false
    previous = order
  }
  return true
}

/**
 * A whole execution the manager can run: spec fields as in
 * {@link isExecutionSpec}, complete settings, a known status, tasks in order
 * without empty slots, `next` and `current` in range (`current` the task just
 * before `next` while `RUNNING`), instants safe integers; a `RUNNING` one still
 * has something to do (not finished), a final one has its instant and no task
 * remaining.
 */
export const isRunningExecution = (value: unknown): value is Execution => {
  if (!isObject(value) || !hasSpecFields(value) || !isSettings(value.settings)) return false
  const { tasks, next, current, status } = value
  if (!Array.isArray(tasks) || typeof value.clusterId !== 'string' || !areTasks(tasks, value.clusterId)) return false
  if (!isNonNegativeInteger(next) || next > tasks.length) return false
  if (current !== undefined && !(isNonNegativeInteger(current) && current < tasks.length)) return false
  if (!isExecutionStatus(status)) return false
  if (!(value.error === undefined || isJobError(value.error))) return false
  if (!isOptionalInteger(value.finished) || !isOptionalInteger(value.lastTaskFinished)) return false
  if (status === 'RUNNING') {
    // Not finished: a current task, or tasks remaining.
    return current === undefined ? next < tasks.length : current === next - 1
  }
  return value.finished !== undefined && next === tasks.length
}
