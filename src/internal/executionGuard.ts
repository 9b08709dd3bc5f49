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
import { taskId, type ClusterId } from '../ids'
import type { Task } from '../task'
import { TASK_TYPE } from './literals'
import { isExecutionFields, isExecutionSpecFields, isListedExecutionFields, isTaskFields } from './fieldGuards'
import { isUnreached, type ListedExecution } from './taskList'
import type { Fields } from './shapes'

// The task types in execution order: a type's place is its index.
const TASK_ORDER: readonly string[] = TASK_TYPE.values

const orderOf = (value: unknown): number => (typeof value === 'string' ? TASK_ORDER.indexOf(value) : -1)

/**
 * A spec `Execution.create` turns into an execution with tasks: every field
 * of its type (records.ts), instants safe integers, lookups absent or plain
 * objects of job errors, `taskTypes` absent or a non-empty list of known types
 * in order.
 */
export const isExecutionSpec = (value: unknown): value is ExecutionSpec => isExecutionSpecFields(value)

// A task's fields, and its ids as its execution names them.
const isTask = (value: unknown, clusterId: ClusterId): value is Task =>
  isTaskFields(value) && value.baseId === taskId(clusterId, value.type) && value.id.startsWith(value.baseId)

// Tasks in order, each one well-formed, with no empty slot.
const areTasks = (tasks: readonly unknown[], clusterId: ClusterId): boolean => {
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

// Status, indices and instants, for an execution of `count` tasks: `next` and
// `current` in range (`current` the task just before `next` while `RUNNING`),
// an error exactly when `FAILED`; a `RUNNING` one still has something to do
// (not finished), a final one has its instant and no task remaining.
const isSoundProgress = (value: Execution | ListedExecution, count: number): boolean => {
  const { next, current, status } = value
  if (next > count) return false
  if (current !== undefined && current >= count) return false
  // Only a failure has an error, and every failure has one (it is what FailedJobs says).
  if ((status === 'FAILED') !== (value.error !== undefined)) return false
  if (status === 'RUNNING') {
    // Not finished: a current task, or tasks remaining.
    return current === undefined ? next < count : current === next - 1
  }
  return value.finished !== undefined && next === count
}

/**
 * A whole execution the manager can run, as `Execution.create` and the
 * reducers make them: spec fields as in {@link isExecutionSpec}, complete
 * settings, a known status, a non-empty list of task types in order, the
 * tasks reached so far well-formed and of those types, through the current
 * one (and, while `RUNNING`, every one before `next`) and no further than the
 * last that changed (see taskList.ts), and
 * status, indices and instants that agree.
 */
export const isRunningExecution = (value: unknown): value is Execution => {
  if (!isExecutionFields(value)) return false
  const { taskTypes, tasksSoFar, current } = value
  if (tasksSoFar.length > taskTypes.length) return false
  for (let i = 0; i < tasksSoFar.length; i++) {
    const task = tasksSoFar[i]
    if (!isTask(task, value.clusterId) || task.type !== taskTypes[i]) return false
  }
  if (current !== undefined && current >= tasksSoFar.length) return false
  // Tasks become current in order, so every task before `next` was reached.
  if (value.status === 'RUNNING' && value.next > tasksSoFar.length) return false
  const last = tasksSoFar[tasksSoFar.length - 1]
  if (last !== undefined && current !== tasksSoFar.length - 1 && isUnreached(value, last)) return false
  return isSoundProgress(value, taskTypes.length)
}

/**
 * A whole execution with all its tasks listed (as snapshots of versions 1
 * and 2, event logs and hosts before 0.4.0 hold one; `fromListed` in
 * taskList.ts makes it an execution): as {@link isRunningExecution}, with
 * the tasks in order and without empty slots in place of the types and the
 * tasks reached.
 */
export const isListedExecution = (value: unknown): value is ListedExecution =>
  isListedExecutionFields(value) && areTasks(value.tasks, value.clusterId) && isSoundProgress(value, value.tasks.length)
