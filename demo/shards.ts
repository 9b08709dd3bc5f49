/**
 * The sharded demo: the simulated cluster and host run as usual, and every
 * event they send is also routed (by `Manager.route`, i.e. by `shardOf` of its
 * cluster id) to one of K managers, each in its own worker thread. At the end
 * the shards' metrics are merged (`Metrics.merge`) into the status JSON, which
 * equals that of one manager fed everything.
 */
import { Worker } from 'node:worker_threads'
import * as E from 'fp-ts/Either'
import { EventLog, Ids, Manager, Metrics, TaskUpdate } from '../src/index'
import type { Sink } from './hostLoop'
import { simulate, type OnProgress, type SimulationOptions, type SimulationResult } from './simulation'
import { fromWire, sumCounts, type WireMetrics } from './wireMetrics'

/** What the main thread sends a shard. */
export type ShardRequest =
  | { readonly kind: 'start'; readonly now: number }
  | { readonly kind: 'events'; readonly batch: ReadonlyArray<readonly [number, EventLog.LoggedEvent]> }
  | { readonly kind: 'finish' }

/** What a shard answers to `finish`. */
export interface ShardReply {
  readonly metrics: WireMetrics
  readonly messages: Readonly<Record<string, number>>
  readonly events: number
  readonly rejected: number
  readonly running: number
}

/** A sharded run: the simulation's own result, and what the shards made of it. */
export interface ShardedResult {
  readonly simulation: SimulationResult
  readonly shards: number
  readonly statusJson: ReturnType<typeof Manager.statusJson>
  readonly messageCounts: Readonly<Record<string, number>>
  /** Events the shards reduced, over all shards (shared events count once per shard). */
  readonly shardEvents: number
  /** Wall clock from the start of the simulation until every shard answered. */
  readonly elapsedMs: number
}

const BATCH = 4_096

const taskIdOfRaw = (status: unknown): string | undefined => {
  if (typeof status !== 'object' || status === null) return undefined
  const taskId = (status as { readonly task_id?: unknown }).task_id
  if (typeof taskId !== 'object' || taskId === null) return undefined
  const value = (taskId as { readonly value?: unknown }).value
  return typeof value === 'string' ? value : undefined
}

/** The shards a logged event goes to: a raw Mesos status or pod to the shard of its task. */
export const routeLogged = (event: EventLog.LoggedEvent, k: number): Array<readonly [number, EventLog.LoggedEvent]> => {
  if (EventLog.isMesosUpdate(event)) {
    const taskId = taskIdOfRaw(event.update.status)
    const clusterId = taskId === undefined ? undefined : Ids.clusterIdOfTask(taskId)
    return [[clusterId === undefined ? 0 : Manager.shardOf(clusterId, k), event]]
  }
  if (EventLog.isKubernetesPodUpdate(event)) {
    const decoded = TaskUpdate.fromKubernetesPod(event.update.pod)
    const clusterId = E.isLeft(decoded) ? undefined : Ids.clusterIdOfTask(decoded.right.taskId)
    return [[clusterId === undefined ? 0 : Manager.shardOf(clusterId, k), event]]
  }
  return Manager.route(event, k)
}

const startWorker = (): Worker => new Worker(new URL('./shardWorker.mjs', import.meta.url))

const answerOf = (worker: Worker): Promise<ShardReply> =>
  new Promise((resolve, reject) => {
    worker.once('message', (reply: ShardReply) => resolve(reply))
    worker.once('error', reject)
  })

/**
 * Runs the simulation with its events routed to `k` shard managers in worker
 * threads, and merges their metrics. `sink` also receives every event (for --record).
 */
export const simulateSharded = async (
  options: SimulationOptions,
  k: number,
  sink?: Sink,
  onProgress?: OnProgress,
): Promise<ShardedResult> => {
  const started = performance.now()
  const workers = Array.from({ length: k }, startWorker)
  const batches: Array<Array<readonly [number, EventLog.LoggedEvent]>> = workers.map(() => [])
  let started_ = false
  const flush = (shard: number): void => {
    const batch = batches[shard]
    const worker = workers[shard]
    if (batch === undefined || worker === undefined || batch.length === 0) return
    worker.postMessage({ kind: 'events', batch } satisfies ShardRequest)
    batches[shard] = []
  }
  const route = (now: number, event: EventLog.LoggedEvent): void => {
    if (!started_) {
      started_ = true
      for (const worker of workers) worker.postMessage({ kind: 'start', now } satisfies ShardRequest)
    }
    sink?.(now, event)
    for (const [shard, routed] of routeLogged(event, k)) {
      const batch = batches[shard]
      if (batch === undefined) continue
      batch.push([now, routed])
      if (batch.length >= BATCH) flush(shard)
    }
  }
  try {
    const simulation = simulate(options, route, onProgress)
    const replies = await Promise.all(
      workers.map((worker, shard) => {
        flush(shard)
        const answer = answerOf(worker)
        worker.postMessage({ kind: 'finish' } satisfies ShardRequest)
        return answer
      }),
    )
    const merged = replies.map((reply) => fromWire(reply.metrics)).reduce(Metrics.merge)
    return {
      simulation,
      shards: k,
      statusJson: Metrics.statusJson(merged, simulation.nodeIds, simulation.finalNow),
      messageCounts: sumCounts(replies.map((reply) => reply.messages)),
      shardEvents: replies.reduce((sum, reply) => sum + reply.events, 0),
      elapsedMs: performance.now() - started,
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}
