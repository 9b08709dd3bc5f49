/**
 * Identifiers of job executions and their tasks in the cluster.
 *
 * A job execution is known to the cluster manager by its *cluster id*,
 * `scale_job_{frameworkId}_{jobId}x{exeNum}`, and each of its tasks by
 * `{clusterId}_{taskType}` (plus `_lost-{n}` once the task has been lost `n`
 * times). These helpers build and parse them without ever throwing.
 *
 * An absent value is `undefined` throughout the library, in records (which
 * are JSON as they stand: an omitted key) and in what functions return (a
 * cluster id a task id does not hold, an error an exit code does not map to),
 * so that `?.` and `??` read it and no field read is wrapped. fp-ts `Option`
 * is kept only where the contract binds it: `Manager.nextDeadline` and its
 * drop-in replacement `Manager.nextWakeUp`.
 *
 * @since 0.1.0
 * @module
 */

/**
 * Integer milliseconds since the Unix epoch. Every instant in the library is one.
 *
 * @category model
 * @since 0.1.0
 */
export type Instant = number

/**
 * Integer milliseconds.
 *
 * @category model
 * @since 0.1.0
 */
export type Duration = number

/**
 * The unique id of a job execution in the cluster, see {@link clusterId}.
 *
 * @category model
 * @since 0.1.0
 */
export type ClusterId = string

/**
 * The id of one cluster task, `{clusterId}_{taskType}[_lost-{n}]`.
 *
 * @category model
 * @since 0.1.0
 */
export type TaskId = string

/**
 * The id of a node (a cluster agent as the scheduler knows it).
 *
 * @category model
 * @since 0.1.0
 */
export type NodeId = number | string

/**
 * The id of a job, a job type or a job execution in the host's database.
 *
 * @category model
 * @since 0.1.0
 */
export type RecordId = number

/**
 * Every task id of a job execution starts with this prefix; the manager ignores
 * updates for any other task id.
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.JOB_TASK_ID_PREFIX // 'scale_job'
 *
 * @category constants
 * @since 0.1.0
 */
export const JOB_TASK_ID_PREFIX = 'scale_job'

/**
 * The cluster id of execution `exeNum` of job `jobId`, run by framework `frameworkId`.
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.clusterId('fw1', 42, 3) // 'scale_job_fw1_42x3'
 *
 * @category constructors
 * @since 0.1.0
 */
export const clusterId = (frameworkId: string, jobId: RecordId, exeNum: number): ClusterId =>
  `${JOB_TASK_ID_PREFIX}_${frameworkId}_${jobId}x${exeNum}`

/**
 * The cluster id inside a task id: its first four `_`-separated segments.
 * `undefined` when the id is not a job task id or has fewer than four segments
 * (an `Option` in 0.1.0).
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.clusterIdOfTask('scale_job_fw1_42x3_main_lost-2') // 'scale_job_fw1_42x3'
 * Ids.clusterIdOfTask('cleanup_7') // undefined
 *
 * @category destructors
 * @since 0.1.0
 */
export const clusterIdOfTask = (taskId: TaskId): ClusterId | undefined => {
  if (typeof taskId !== 'string' || !isJobTaskId(taskId)) return undefined
  // The first four `_`-separated segments, found without splitting the whole id.
  const first = taskId.indexOf('_')
  const second = first < 0 ? -1 : taskId.indexOf('_', first + 1)
  const third = second < 0 ? -1 : taskId.indexOf('_', second + 1)
  if (third < 0) return undefined
  const fourth = taskId.indexOf('_', third + 1)
  const end = fourth < 0 ? taskId.length : fourth
  if (third === second + 1 || end === third + 1) return undefined
  return taskId.slice(0, end)
}

/**
 * Whether a task id belongs to a job execution (starts with {@link JOB_TASK_ID_PREFIX}).
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.isJobTaskId('scale_job_fw1_42x3_pull') // true
 *
 * @category refinements
 * @since 0.1.0
 */
export const isJobTaskId = (taskId: string): boolean => taskId.startsWith(JOB_TASK_ID_PREFIX)

/**
 * The id a task takes after it has been lost for the `lostCount`-th time.
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.lostTaskId('scale_job_fw1_42x3_main', 2) // 'scale_job_fw1_42x3_main_lost-2'
 *
 * @category constructors
 * @since 0.1.0
 */
export const lostTaskId = (baseTaskId: TaskId, lostCount: number): TaskId =>
  lostCount === 0 ? baseTaskId : `${baseTaskId}_lost-${lostCount}`

/**
 * Orders ids the way every listing of this library does: numbers numerically and
 * before strings, strings by code unit. It gives the same order after a snapshot
 * round trip, which is what makes replays and restores reproducible.
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * [10, 2, 'b', 'a'].sort(Ids.compareIds) // [2, 10, 'a', 'b']
 *
 * @category ordering
 * @since 0.1.0
 */
export const compareIds = (a: NodeId, b: NodeId): number => {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
    return -1
  }
  if (typeof b === 'number') return 1
  return a < b ? -1 : a > b ? 1 : 0
}
