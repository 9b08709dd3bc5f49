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
import { TASK_TYPE } from './literals'
import { isExecutionFields, isExecutionSpecFields, isTaskFields } from './fieldGuards'
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
const isTask = (value: unknown, clusterId: ClusterId): boolean =>
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

/**
 * A whole execution the manager can run: spec fields as in
 * {@link isExecutionSpec}, complete settings, a known status, tasks in order
 * without empty slots, `next` and `current` in range (`current` the task just
 * before `next` while `RUNNING`), instants safe integers, an error exactly
 * when `FAILED`; a `RUNNING` one still
 * has something to do (not finished), a final one has its instant and no task
 * remaining.
 */
export const isRunningExecution = (value: unknown): value is Execution => {
  if (!isExecutionFields(value)) return false
  const { tasks, next, current, status } = value
  if (!areTasks(tasks, value.clusterId)) return false
  if (next > tasks.length) return false
  if (current !== undefined && current >= tasks.length) return false
  // Only a failure has an error, and every failure has one (it is what FailedJobs says).
  if ((status === 'FAILED') !== (value.error !== undefined)) return false
  if (status === 'RUNNING') {
    // Not finished: a current task, or tasks remaining.
    return current === undefined ? next < tasks.length : current === next - 1
  }
  return value.finished !== undefined && next === tasks.length
}
