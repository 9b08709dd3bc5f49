/**
 * The structural checks of a decoded snapshot: what no reachable state holds,
 * each refused with its path. The codecs check shape; these check that the
 * parts fit together as the reducers leave them.
 *
 * What a running execution of a manager looks like (see `Execution.reduce`):
 * its tasks are of distinct types in the order pull, pre, main, post; each
 * task's id is its base id with its lost count. The tasks before the current
 * one (before the next one when there is no current task) have finished; the
 * current task has not ended; the tasks after it are untouched, except that
 * the next task, when there is no current one, may have been lost before. A
 * RUNNING execution has no error and no finished instant, and its current task
 * is the one before the next; a FAILED or CANCELED one keeps only a launched
 * current task (COMPLETED ones have always finished), its instant, and for
 * FAILED its error. A task's instants come in order of what set them: started,
 * launched and ended need a last status update; ended goes with a final status,
 * an exit code needs one, a container name needs started, a time-out needs a
 * launch and a kill request. Instants are not compared with each other or
 * with `now`: time may go backwards, and task instants are the cluster's.
 *
 * @internal
 * @module
 */
import type { ClusterId, Instant } from '../ids'
import { lostTaskId, taskId } from '../ids'
import { BLOCK_LENGTH, isBlockInWindow, type CountRow } from '../metrics'
import type { Task } from '../task'
import { TASK_TYPES } from '../task'
import type { Problem } from './decode'
import { isListedExecution } from './executionGuard'
import { unroutableReason } from './lifecycle'
import type { Row } from './remembered'
import type { ListedExecution } from './taskList'

const TYPE_ORDER: ReadonlyMap<string, number> = new Map(TASK_TYPES.map((type, i) => [type, i]))

const untouched = (task: Task): string | undefined => {
  if (task.launched !== undefined) return 'is launched'
  if (task.started !== undefined) return 'is started'
  if (task.ended !== undefined || task.finalStatus !== undefined) return 'has ended'
  if (task.lastStatusUpdate !== undefined) return 'has a status update'
  if (task.exitCode !== undefined) return 'has an exit code'
  // A lost task keeps its container name until its rerun reports one.
  if (task.containerName !== undefined && task.lostCount === 0) return 'has a container and was never lost'
  if (task.timedOut || task.killRequested || task.forceReconciliation) return 'is timed out, killed or forced'
  return undefined
}

// Instants (and exit codes) are whole milliseconds, as every reducer keeps them:
// a fraction is a value no event could have produced.
const integerProblems = (
  record: object,
  keys: readonly string[],
  say: (where: string, message: string) => void,
): void => {
  for (const key of keys) {
    const value: unknown = (record as Record<string, unknown>)[key]
    if (value !== undefined && !Number.isSafeInteger(value)) say(`.${key}`, 'is not a whole number of milliseconds')
  }
}

const EXECUTION_INSTANTS = ['queued', 'started', 'finished', 'lastTaskFinished'] as const
const TASK_INTEGERS = ['launched', 'started', 'ended', 'lastStatusUpdate', 'exitCode'] as const

const idProblems = (task: Task, say: (where: string, message: string) => void): void => {
  if (!task.id.startsWith(task.baseId)) say('.id', `does not start with ${task.baseId}`)
  else if (task.id !== lostTaskId(task.baseId, task.lostCount))
    say('.id', `is not ${lostTaskId(task.baseId, task.lostCount)} (its base id with lost count ${task.lostCount})`)
}

// `idsDerived`: see executionProblems.
const taskProblems = (task: Task, say: (where: string, message: string) => void, idsDerived: boolean): void => {
  integerProblems(task, TASK_INTEGERS, say)
  if (!idsDerived) idProblems(task, say)
  const updated = task.lastStatusUpdate !== undefined
  if (task.launched !== undefined && !updated) say('.launched', 'is set without a last status update')
  if (task.started !== undefined && !updated) say('.started', 'is set without a last status update')
  if ((task.ended === undefined) !== (task.finalStatus === undefined)) say('.ended', 'and finalStatus go together')
  if (task.ended !== undefined && !updated) say('.ended', 'is set without a last status update')
  if (task.exitCode !== undefined && task.ended === undefined) say('.exitCode', 'is set on a task that has not ended')
  if (task.finalStatus === 'FINISHED' && task.exitCode === undefined) say('.exitCode', 'a finished task has one')
  if (task.containerName !== undefined && task.started === undefined && task.lostCount === 0)
    say('.containerName', 'is set on a task that never started and was never lost')
  if (task.timedOut && (task.launched === undefined || !task.killRequested))
    say('.timedOut', 'a timed-out task is launched and asked to be killed')
}

// Whether `baseId` is `taskId(clusterId, type)`, read in place: building the
// id to compare made and flattened a string per task restored.
const isTaskIdOf = (baseId: string, clusterId: ClusterId, type: string): boolean => {
  const suffix = taskId('', type)
  return baseId.length === clusterId.length + suffix.length && baseId.startsWith(clusterId) && baseId.endsWith(suffix)
}

/**
 * The problems of one running execution at `path`. `idsDerived`: its task ids
 * were made from its cluster id and lost counts by the reader (the compact
 * layout writes none), so checking them again would only cost a string
 * flattened per task.
 */
export const executionProblems = (execution: ListedExecution, path: string, idsDerived = false): Problem[] => {
  const problems: Problem[] = []
  const say = (where: string, message: string): void => {
    problems.push({ path: `${path}${where}`, message })
  }
  const { tasks, current, next, status } = execution
  const count = tasks.length
  integerProblems(execution, EXECUTION_INSTANTS, say)
  if (next > count) say('.next', `is ${next}, beyond its ${count} tasks`)
  const notBefore = current !== undefined && current >= next
  const notJustBefore = status === 'RUNNING' && current !== undefined && current !== next - 1
  if (notBefore || notJustBefore) say('.current', `is ${current ?? 0}, not the task before next (${next})`)
  if (current === undefined && next >= count) say('', 'is finished, so it cannot be running')
  // Where the tasks stand means nothing then: say only that.
  if ((current === undefined && next >= count) || (current !== undefined && current >= count)) return problems
  if (status === 'RUNNING') {
    if (execution.error !== undefined) say('.error', 'is set on a RUNNING execution')
    if (execution.finished !== undefined) say('.finished', 'is set on a RUNNING execution')
  } else {
    if (status === 'COMPLETED') say('.status', 'a COMPLETED execution has finished')
    if (next !== count) say('.next', 'a finished status leaves no task remaining')
    if (execution.finished === undefined) say('.finished', 'a final status needs its instant')
    if ((status === 'FAILED') !== (execution.error !== undefined)) say('.error', `does not fit the status ${status}`)
    // A current task never launched stays after a final status (the host may
    // launch it yet, and must then kill it): see Execution.unlaunchedDeadline.
  }
  // The first task not done: the current one, or the next one when there is none.
  const firstOpen = current ?? next
  let history = false
  let previousType = -1
  tasks.forEach((task, i) => {
    // The path is made only for a problem: nearly every snapshot has none.
    const sayTask = (where: string, message: string): void => say(`.tasks.${i}${where}`, message)
    const type = TYPE_ORDER.get(task.type) ?? -1
    if (type <= previousType) sayTask('.type', 'is out of order or repeated')
    previousType = type
    if (!idsDerived && !isTaskIdOf(task.baseId, execution.clusterId, task.type))
      sayTask('.baseId', `is not ${execution.clusterId}_${task.type}`)
    taskProblems(task, sayTask, idsDerived)
    if (task.lostCount > 0 || task.finalStatus === 'FINISHED') history = true
    if (i < firstOpen) {
      if (task.finalStatus !== 'FINISHED') sayTask('', 'a task before the current one has finished')
    } else if (i === current) {
      if (task.ended !== undefined) sayTask('.ended', 'the current task has not ended')
      if (status === 'RUNNING' && (task.timedOut || task.killRequested || task.forceReconciliation))
        sayTask('', 'a RUNNING execution has no timed-out, killed or forced task')
    } else {
      const wrong = untouched(task)
      if (wrong !== undefined) sayTask('', `${wrong}, but it remains to be run`)
      if (task.lostCount > 0 && (current !== undefined || i !== next))
        sayTask('.lostCount', 'only the next task can have been lost before')
    }
  })
  if ((execution.lastTaskFinished !== undefined) !== history)
    say('.lastTaskFinished', 'is set exactly when a task finished or was lost')
  // What restores must be what the reducers accept: the guard of Scheduled is the last word.
  if (problems.length === 0 && !isListedExecution(execution))
    say('', 'is not an execution the manager would run (as Scheduled checks it)')
  const unroutable = problems.length === 0 ? unroutableReason(execution.clusterId, execution.tasks) : undefined
  if (unroutable !== undefined) say('.clusterId', `cannot be routed (${unroutable}): Scheduled refuses it`)
  return problems
}

/** The problems of the finished blocks at `path`, for a window at `now`. */
export const blockProblems = (
  blocks: ReadonlyArray<{ readonly start: Instant; readonly counts: readonly CountRow[] }>,
  now: Instant,
  path: string,
): Problem[] => {
  const problems: Problem[] = []
  const totals = new Map<string, number>()
  blocks.forEach((block, i) => {
    const at = `${path}.${i}`
    if (block.start % BLOCK_LENGTH !== 0) problems.push({ path: at, message: 'does not start on a 5-minute boundary' })
    if (!isBlockInWindow(block.start, now)) problems.push({ path: at, message: 'has left the window' })
    const previous = blocks[i - 1]
    if (previous !== undefined && previous.start >= block.start) problems.push({ path: at, message: 'is out of order' })
    if (block.counts.length === 0) problems.push({ path: at, message: 'is empty' })
    block.counts.forEach((row, j) => {
      if (row[1] === 'running')
        problems.push({ path: `${at}.counts.${j}.1`, message: 'a finished block counts no running' })
      const key = JSON.stringify(row.slice(0, 3))
      const total = (totals.get(key) ?? 0) + row[3]
      if (!Number.isSafeInteger(total))
        problems.push({ path: `${at}.counts.${j}.3`, message: 'makes the total beyond a safe integer' })
      totals.set(key, total)
    })
  })
  return problems
}

/** The problems of the running executions as a set: ids that appear twice. */
export const uniquenessProblems = (executions: readonly ListedExecution[], path: string): Problem[] => {
  const problems: Problem[] = []
  const clusterIds = new Map<ClusterId, number>()
  const executionIds = new Map<number, number>()
  executions.forEach((execution, i) => {
    if (clusterIds.has(execution.clusterId)) {
      problems.push({ path: `${path}.${i}.clusterId`, message: 'appears twice' })
      return
    }
    clusterIds.set(execution.clusterId, i)
    const sibling = executionIds.get(execution.id)
    if (sibling !== undefined)
      problems.push({ path: `${path}.${i}.id`, message: `is the execution id of ${path}.${sibling} too` })
    else executionIds.set(execution.id, i)
  })
  return problems
}

/** The problems of the remembered ids at `path`, for a window at `now`. */
export const rememberedProblems = (
  rows: readonly Row[],
  now: Instant,
  isRunning: (id: ClusterId) => boolean,
  path: string,
): Problem[] => {
  const problems: Problem[] = []
  const seen = new Set<ClusterId>()
  rows.forEach((row, i) => {
    const at = `${path}.${i}`
    if (row.start % BLOCK_LENGTH !== 0) problems.push({ path: at, message: 'does not start on a 5-minute boundary' })
    if (!isBlockInWindow(row.start, now)) problems.push({ path: at, message: 'has left the window' })
    const previous = rows[i - 1]
    if (previous !== undefined && previous.start >= row.start) problems.push({ path: at, message: 'is out of order' })
    if (row.clusterIds.length === 0) problems.push({ path: at, message: 'is empty' })
    row.clusterIds.forEach((id, j) => {
      const before = row.clusterIds[j - 1]
      if (before !== undefined && before >= id)
        problems.push({ path: `${at}.clusterIds.${j}`, message: 'is out of order' })
      if (seen.has(id)) problems.push({ path: `${at}.clusterIds.${j}`, message: 'is remembered twice' })
      seen.add(id)
      if (isRunning(id)) problems.push({ path: `${at}.clusterIds.${j}`, message: 'is running, so not finished' })
    })
  })
  return problems
}
