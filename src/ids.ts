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
 * The key of the optional marker property that tells the id kinds apart. It
 * exists only in types: no id carries it at run time.
 */
declare const idKind: unique symbol

/**
 * The unique id of a job execution in the cluster, built by {@link clusterId}
 * and read from a task id by {@link clusterIdOfTask}.
 *
 * A *flavoured* string: every string is accepted where a `ClusterId` belongs
 * (ids come from the host's database, JSON and logs), but a {@link TaskId} is
 * not, so passing a task's id where its execution's cluster id belongs (or the
 * reverse) fails to compile.
 *
 * @example
 * import { Ids, Manager } from 'job-execution-core'
 * const id: Ids.ClusterId = Ids.clusterId('fw1', 42, 3)
 * Manager.runningExecution(Manager.create(0), id) // undefined
 * Manager.runningExecution(Manager.create(0), 'scale_job_fw1_42x3') // a plain string is a cluster id too
 * // @ts-expect-error: a task id is not a cluster id
 * Manager.runningExecution(Manager.create(0), Ids.taskId(id, 'main'))
 *
 * @category model
 * @since 0.1.0
 */
export type ClusterId = string & { readonly [idKind]?: 'ClusterId' }

/**
 * The id of one cluster task, `{clusterId}_{taskType}[_lost-{n}]`, built by
 * {@link taskId} and {@link lostTaskId}.
 *
 * Flavoured as {@link ClusterId} is: every string is a `TaskId`, but a
 * `ClusterId` is not.
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * const id: Ids.TaskId = Ids.taskId(Ids.clusterId('fw1', 42, 3), 'main')
 * // @ts-expect-error: a task id is not a cluster id
 * const wrong: Ids.ClusterId = id
 *
 * @category model
 * @since 0.1.0
 */
export type TaskId = string & { readonly [idKind]?: 'TaskId' }

/**
 * The id of a node (a cluster agent as the scheduler knows it): a number, as
 * Scale's node ids are, or a string (a host name).
 *
 * There is one node for each id however it is spelt: a string that spells a
 * safe integer in its canonical decimal form (`'1'`, `'-7'`; not `'01'`,
 * `'+1'`, `'1.0'` or `'-0'`) names the same node as that number, everywhere
 * the library compares node ids (`NodeLost`, the metrics and their status
 * JSON, the replay's nodes), because the same id often reaches a host as a
 * number from one source and as a string from another (a URL, a JSON key, a
 * header). The library counts and lists a node by {@link canonicalNodeId};
 * an execution keeps the node id it was given, in its end record too.
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.sameNode(1, '1') // true
 * Ids.sameNode(1, '01') // false: '01' is a name, not the number 1
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
 * The id of the task of type `taskType` of an execution, before it is ever
 * lost: `{clusterId}_{taskType}` (see {@link lostTaskId} for the ids after).
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.taskId(Ids.clusterId('fw1', 42, 3), 'main') // 'scale_job_fw1_42x3_main'
 *
 * @category constructors
 * @since 0.2.0
 */
export const taskId = (clusterId: ClusterId, taskType: string): TaskId => clusterId + taskSuffix(taskType)

// The four task types' suffixes as literals: `clusterId + '_main'` is one
// concatenation onto a shared constant, where `${clusterId}_${taskType}` makes
// two (a string for `{clusterId}_` kept alive inside each task id). A manager
// holds four task ids per running execution.
const taskSuffix = (taskType: string): string => {
  switch (taskType) {
    case 'pull':
      return '_pull'
    case 'pre':
      return '_pre'
    case 'main':
      return '_main'
    case 'post':
      return '_post'
    default:
      return `_${taskType}`
  }
}

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
 * The one spelling of a node id that the library counts and lists the node by:
 * a string that spells a safe integer in its canonical decimal form becomes
 * that number; every other id is returned as it is (see {@link NodeId}).
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.canonicalNodeId('12') // 12
 * Ids.canonicalNodeId('012') // '012'
 * Ids.canonicalNodeId('agent-3') // 'agent-3'
 * Ids.canonicalNodeId(7) // 7
 *
 * @category constructors
 * @since 0.2.0
 */
export const canonicalNodeId = (nodeId: NodeId): NodeId => {
  if (typeof nodeId !== 'string') return nodeId
  // Most string ids are names: one character code tells them apart before a parse.
  const first = nodeId.charCodeAt(0)
  if (!(first === 45 || (first >= 48 && first <= 57)) || nodeId.length > 17) return nodeId
  const n = Number(nodeId)
  return Number.isSafeInteger(n) && String(n) === nodeId ? n : nodeId
}

/**
 * Whether two node ids name the same node (see {@link NodeId}).
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.sameNode('3', 3) // true
 * Ids.sameNode('3 ', 3) // false
 *
 * @category refinements
 * @since 0.2.0
 */
export const sameNode = (a: NodeId, b: NodeId): boolean => canonicalNodeId(a) === canonicalNodeId(b)

/**
 * Orders ids the way every listing of this library does: numbers numerically and
 * before strings, strings by code unit, and a node id as its
 * {@link canonicalNodeId} (so `'2'` sorts as `2`, and equal to it). It gives
 * the same order after a snapshot round trip, which is what makes replays and
 * restores reproducible.
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * [10, '2', 'b', 'a'].sort(Ids.compareIds) // ['2', 10, 'a', 'b']
 *
 * @category ordering
 * @since 0.1.0
 */
export const compareIds = (a: NodeId, b: NodeId): number => compareCanonicalIds(canonicalNodeId(a), canonicalNodeId(b))

/**
 * {@link compareIds} of ids already in their canonical spelling (the keys the
 * library stores), without spelling them again.
 *
 * @example
 * import { Ids } from 'job-execution-core'
 * Ids.compareCanonicalIds(2, 'a') // -1
 *
 * @category ordering
 * @since 0.2.0
 */
export const compareCanonicalIds = (a: NodeId, b: NodeId): number => {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
    return -1
  }
  if (typeof b === 'number') return 1
  return a < b ? -1 : a > b ? 1 : 0
}
