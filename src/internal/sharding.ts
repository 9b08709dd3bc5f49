/**
 * Sharding: which of `k` managers owns a cluster id, and which shards must see
 * an event. Published as `Manager.shardOf` and `Manager.route`.
 *
 * @internal
 * @module
 */
import type { Execution, ExecutionSpec } from '../execution'
import { clusterIdOfTask, type ClusterId, type TaskId } from '../ids'
import type { ManagerEvent } from '../manager'
import { checkedManagerEvent } from './eventGuards'
import { fnv1a32 } from './fnv1a'

/**
 * A stable shard number in `0 .. k-1` for a cluster id, the same in every
 * process, version and language: the standard 32-bit FNV-1a hash of the id's
 * UTF-8 bytes, modulo `k` (test vectors in the scale-out guide). `k` below 1
 * counts as 1.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * Manager.shardOf('scale_job_fw1_42x3', 4) // always the same number in 0..3
 *
 * @category sharding
 * @since 0.1.0
 */
export const shardOf = (clusterId: ClusterId, k: number): number => {
  const shards = Number.isSafeInteger(k) && k > 1 ? k : 1
  // Total on what a JavaScript host may pass: what is not a string goes to shard 0.
  return typeof clusterId === 'string' ? fnv1a32(clusterId) % shards : 0
}

type Routed = Array<readonly [number, ManagerEvent]>

// One router per event type, in a table typed by the union: a new event
// variant does not compile until it is routed (a `switch` with a `default`
// would send it nowhere, silently).
type Routers = {
  readonly [K in ManagerEvent['type']]: (event: Extract<ManagerEvent, { readonly type: K }>, shards: number) => Routed
}

const everyShard = (shards: number): number[] => Array.from({ length: shards }, (_, shard) => shard)

const toEveryShard = (event: ManagerEvent, shards: number): Routed =>
  everyShard(shards).map((shard) => [shard, event] as const)

const toShardZero = (event: ManagerEvent): Routed => [[0, event]]

const shardOfTask = (taskId: TaskId, shards: number): number => {
  const id = clusterIdOfTask(taskId)
  return id === undefined ? 0 : shardOf(id, shards)
}

const ROUTERS: Routers = {
  Scheduled: (event, shards) => {
    const all = everyShard(shards)
    const groups = all.map(() => [] as Array<Execution | ExecutionSpec>)
    for (const x of event.executions) groups[shardOf(x.clusterId, shards)]?.push(x)
    return all.flatMap((shard) => {
      const executions = groups[shard] ?? []
      const messages = shard === 0 ? (event.messages ?? []) : []
      return executions.length === 0 && messages.length === 0
        ? []
        : [[shard, { type: 'Scheduled', executions, ...(messages.length > 0 ? { messages } : {}) }] as const]
    })
  },
  NextTaskStarted: (event, shards) => [[shardOf(event.clusterId, shards), event]],
  TaskLaunched: (event, shards) => [[shardOfTask(event.taskId, shards), event]],
  TaskTimedOut: (event, shards) => [[shardOfTask(event.taskId, shards), event]],
  TaskUpdated: (event, shards) => [[shardOfTask(event.update.taskId, shards), event]],
  ExecutionsLost: (event, shards) =>
    everyShard(shards).flatMap((shard) => {
      const ids = event.ids.filter((id) => typeof id !== 'string' || shardOf(id, shards) === shard)
      return ids.length === 0 ? [] : [[shard, { type: 'ExecutionsLost', ids }] as const]
    }),
  NodeLost: toEveryShard,
  JobsSynced: toEveryShard,
  TimeoutsChecked: toEveryShard,
  StarvationChecked: toEveryShard,
  CanceledOffQueue: toShardZero,
  HistoryLoaded: toShardZero,
}

/**
 * Which shards must see an event, when executions are split over `k` managers
 * by {@link shardOf}: events about one execution or task go to its shard;
 * `NodeLost`, `JobsSynced`, `TimeoutsChecked` and `StarvationChecked` go to
 * every shard (each acts on its own executions); `ExecutionsLost` sends cluster
 * ids to their shard and execution ids (which carry no cluster id) to every
 * shard; host messages, canceled-off-queue records and history go to shard 0
 * only, so that they are sent and counted once. The merged metrics of the
 * shards then equal those of one manager fed everything. What `reduce` would
 * refuse goes nowhere (an empty list), and so does a list's malformed element.
 * An execution `Scheduled` would refuse as unroutable goes to the shard of its
 * cluster id, a host message typed as one of the manager's to shard 0 with the
 * other host messages: each shard reports the refusals it makes. The events
 * keep the host's message type `M`.
 *
 * @example
 * import { Manager } from 'job-execution-core'
 * Manager.route({ type: 'TimeoutsChecked' }, 3).map(([shard]) => shard) // [0, 1, 2]
 *
 * @category sharding
 * @since 0.1.0
 */
export const route = <M = unknown>(input: ManagerEvent<M>, k: number): Array<readonly [number, ManagerEvent<M>]> => {
  const event = checkedManagerEvent(input)
  if (event === undefined) return []
  const shards = Number.isSafeInteger(k) && k > 1 ? k : 1
  // The table is keyed by the union, so the router of `event.type` takes that variant.
  const router = ROUTERS[event.type] as (event: ManagerEvent, shards: number) => Routed
  // A router only splits the event's lists: the host's messages are those of the input, of type `M`.
  return router(event, shards) as Array<readonly [number, ManagerEvent<M>]>
}
