/**
 * An execution's tasks as the library keeps them. A task that has never been
 * current is exactly what `Task.create` makes of its type and its execution,
 * so an execution keeps only the tasks reached so far (`tasksSoFar`, each made
 * when it first becomes current) and the types of all of them (`taskTypes`,
 * one shared list per set of types). The others are made when asked for.
 *
 * Invariants (checked by `checkInvariants` in testing.ts):
 * - `tasksSoFar` is a prefix of the tasks: `tasksSoFar[i].type === taskTypes[i]`;
 * - the current task, if any, is in it;
 * - its last task is the current one, or differs from what `Task.create`
 *   makes (a task stops being current only once something happened to it).
 *
 * So one list of tasks has one representation: {@link fromListed} turns an
 * execution with all its tasks listed (snapshots of versions 1 and 2, event
 * logs, hosts before 0.4.0) into it, {@link listed} back.
 *
 * @internal
 * @module
 */
import type { Execution, ListedExecution } from '../execution'

export type { ListedExecution }
import type { ClusterId } from '../ids'
import type { Settings } from '../settings'
import * as Task from '../task'
import { TASK_TYPE } from './literals'

/** What the tasks of an execution are made from. */
export interface TaskHolder {
  readonly clusterId: ClusterId
  readonly jobType: { readonly isSystem: boolean; readonly isLongRunning: boolean; readonly timeout: number }
  readonly settings: Settings
  readonly taskTypes: readonly Task.TaskType[]
  readonly tasksSoFar: readonly Task.Task[]
}

const ORDER: readonly Task.TaskType[] = TASK_TYPE.values

// One frozen list per set of task types, so that executions share theirs.
const TYPE_LISTS: readonly (readonly Task.TaskType[])[] = Array.from({ length: 1 << ORDER.length }, (_, bits) =>
  Object.freeze(ORDER.filter((_type, i) => (bits & (1 << i)) !== 0)),
)

/** The shared list of the known types among `types`, in execution order. */
export const typeList = (types: readonly string[]): readonly Task.TaskType[] => {
  let bits = 0
  for (let i = 0; i < ORDER.length; i++) if (types.includes(ORDER[i] ?? '')) bits |= 1 << i
  return TYPE_LISTS[bits] ?? []
}

/** The shared empty list of tasks reached: a new execution's. */
export const NONE_REACHED: readonly Task.Task[] = Object.freeze([])

const contextOf = (holder: TaskHolder): Task.TaskContext => ({
  clusterId: holder.clusterId,
  isSystem: holder.jobType.isSystem,
  isLongRunning: holder.jobType.isLongRunning,
  timeout: holder.jobType.timeout,
  settings: holder.settings,
})

/** The task at `index` as it is before it is ever current. */
const unreached = (holder: TaskHolder, type: Task.TaskType): Task.Task => Task.create(type, contextOf(holder))

/** The task at `index`, reached or not; `undefined` past the last. */
export const taskAt = (holder: TaskHolder, index: number): Task.Task | undefined => {
  const reached = holder.tasksSoFar
  if (index < reached.length) return reached[index]
  const type = holder.taskTypes[index]
  return type === undefined ? undefined : unreached(holder, type)
}

/** All tasks, in order: the ones reached, then the rest as `Task.create` makes them. */
export const allTasks = (holder: TaskHolder): readonly Task.Task[] => {
  const reached = holder.tasksSoFar
  const types = holder.taskTypes
  if (reached.length === types.length) return reached
  const tasks = reached.slice()
  for (let i = reached.length; i < types.length; i++) {
    const type = types[i]
    if (type !== undefined) tasks.push(unreached(holder, type))
  }
  return tasks
}

/**
 * The tasks reached once the task at `index` is: the very same list when it
 * already holds it; otherwise that list and the task, made. Tasks become
 * current in order, so `index` is at most the number reached (for a running
 * execution, `next` never passes it: see executionGuard).
 */
export const reachedThrough = (holder: TaskHolder, index: number): readonly Task.Task[] => {
  const reached = holder.tasksSoFar
  const type = holder.taskTypes[index]
  // A literal of exact size: a push onto a copy would grow it by half and
  // sixteen slots more, kept for as long as the execution runs.
  return index < reached.length || type === undefined ? reached : [...reached, unreached(holder, type)]
}

// Keys with a value: a key holding `undefined` is absent in JSON, so a
// configuration read from a version-2 snapshot (no `runningTimeout` key) is
// the same as the one `Task.create` makes (`runningTimeout: undefined`).
const definedKeys = (record: object): number => Object.values(record).filter((value) => value !== undefined).length

/** Whether two task configurations say the same (as JSON would write them). */
export const sameConfig = (a: Task.TaskConfig, b: Task.TaskConfig): boolean =>
  a === b ||
  (a.usesDocker === b.usesDocker &&
    a.isSystem === b.isSystem &&
    a.stagingTimeout === b.stagingTimeout &&
    a.runningTimeout === b.runningTimeout &&
    a.stagingReconcileDelay === b.stagingReconcileDelay &&
    a.runningReconcileDelay === b.runningReconcileDelay &&
    a.timeoutError.name === b.timeoutError.name &&
    a.timeoutError.category === b.timeoutError.category &&
    a.timeoutError.title === b.timeoutError.title &&
    definedKeys(a) === definedKeys(b) &&
    definedKeys(a.timeoutError) === 3 &&
    definedKeys(b.timeoutError) === 3)

/** Whether `task` is exactly what it was before it was ever current. */
export const isUnreached = (holder: TaskHolder, task: Task.Task): boolean => {
  if (
    task.lostCount !== 0 ||
    task.id !== task.baseId ||
    task.timedOut ||
    task.killRequested ||
    task.forceReconciliation ||
    task.launched !== undefined ||
    task.started !== undefined ||
    task.ended !== undefined ||
    task.lastStatusUpdate !== undefined ||
    task.finalStatus !== undefined ||
    task.exitCode !== undefined ||
    task.containerName !== undefined
  ) {
    return false
  }
  const fresh = unreached(holder, task.type)
  return task.id === fresh.id && sameConfig(task.config, fresh.config)
}

// How many of `tasks` an execution keeps: through its current task, and
// through its last task that is no longer as `Task.create` made it.
const reachedCount = (holder: TaskHolder, tasks: readonly Task.Task[], current: number | undefined): number => {
  const kept = current === undefined ? 0 : current + 1
  for (let i = tasks.length; i > kept; i--) {
    const task = tasks[i - 1]
    if (task !== undefined && !isUnreached(holder, task)) return i
  }
  return kept
}

/**
 * The execution as the library keeps it, from one with all its tasks listed
 * (checked by executionGuard's `isListedExecution` first). Its fields are in
 * the order of every execution the reducers build.
 */
export const fromListed = (e: ListedExecution): Execution => {
  const taskTypes = typeList(e.tasks.map((task) => task.type))
  const holder: TaskHolder = {
    clusterId: e.clusterId,
    jobType: e.jobType,
    settings: e.settings,
    taskTypes,
    tasksSoFar: NONE_REACHED,
  }
  const count = reachedCount(holder, e.tasks, e.current)
  return {
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
    status: e.status,
    error: e.error,
    finished: e.finished,
    taskTypes,
    tasksSoFar: count === 0 ? NONE_REACHED : count === e.tasks.length ? e.tasks : e.tasks.slice(0, count),
    current: e.current,
    next: e.next,
    lastTaskFinished: e.lastTaskFinished,
  }
}

/**
 * The execution with all its tasks listed, as snapshots of versions 1 and 2
 * hold it. It is written out, never reduced, so its key order is free (the
 * snapshot's comparisons and hash take keys in sorted order).
 */
export const listed = (e: Execution): ListedExecution => {
  const { taskTypes: _types, tasksSoFar: _reached, ...rest } = e
  return { ...rest, tasks: allTasks(e) }
}
