/**
 * Shard throughput: the demo workload's event log, recorded once (not timed),
 * routed by `Manager.route` / `shardOf` into K shards of JSON lines, then
 * replayed by K managers in worker threads. Events per second = lines of the
 * log / wall time from the first chunk sent until every shard is done.
 */
import { cpus } from 'node:os'
import { Worker } from 'node:worker_threads'
import { EventLog } from '../../src/index'
import { routeLogged } from '../../demo/shards'
import { simulate } from '../../demo/simulation'

export interface ShardFigure {
  readonly shards: number
  readonly events: number
  readonly seconds: number
  readonly eventsPerSecond: number
  readonly cores: number
}

const CHUNK_LINES = 2_000

/** Records the demo workload's log, as (now, event) pairs. */
export const recordWorkload = (
  jobs: number,
  nodes = 100,
  seed = 42,
): Array<readonly [number, EventLog.LoggedEvent]> => {
  const log: Array<readonly [number, EventLog.LoggedEvent]> = []
  simulate({ nodes, jobs, seed }, (now, event) => void log.push([now, event]))
  return log
}

const chunksFor = (log: ReadonlyArray<readonly [number, EventLog.LoggedEvent]>, k: number): string[][] => {
  const lines: string[][] = Array.from({ length: k }, () => [])
  for (const [now, event] of log) {
    for (const [shard, routed] of routeLogged(event, k)) lines[shard]?.push(EventLog.encodeLine(now, routed))
  }
  return lines.map((shardLines) => {
    const chunks: string[] = []
    for (let i = 0; i < shardLines.length; i += CHUNK_LINES)
      chunks.push(shardLines.slice(i, i + CHUNK_LINES).join('\n'))
    return chunks
  })
}

const answer = (worker: Worker): Promise<{ events: number; refused: number }> =>
  new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })

/** Replays the log through K shard workers and times it. */
export const measureShards = async (
  log: ReadonlyArray<readonly [number, EventLog.LoggedEvent]>,
  k: number,
): Promise<ShardFigure> => {
  const chunks = chunksFor(log, k)
  const workers = Array.from({ length: k }, () => new Worker(new URL('./worker.mjs', import.meta.url)))
  try {
    // Warm each worker (module loading, JIT) on a small slice before timing.
    await Promise.all(
      workers.map((worker, shard) => {
        worker.postMessage({ kind: 'lines', text: chunks[shard]?.[0] ?? '' })
        const done = answer(worker)
        worker.postMessage({ kind: 'done' })
        return done
      }),
    )
    const start = performance.now()
    const answers = workers.map((worker, shard) => {
      const done = answer(worker)
      for (const text of chunks[shard] ?? []) worker.postMessage({ kind: 'lines', text })
      worker.postMessage({ kind: 'done' })
      return done
    })
    const results = await Promise.all(answers)
    const seconds = (performance.now() - start) / 1000
    const refused = results.reduce((sum, r) => sum + r.refused, 0)
    if (refused > 0) throw new Error(`${refused} lines refused by the shards`)
    return { shards: k, events: log.length, seconds, eventsPerSecond: log.length / seconds, cores: cpus().length }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}
