// npm run bench:postgres [-- --quick] [-- --runs N] [-- --snapshot-every N]
//
// The durable engine on PostgreSQL (the server of DATABASE_URL / PG*; start a
// throwaway one with `eval "$(bash scripts/db.sh start)"`), in this process:
// - entries per second per shard for K = 1, 2, 4: the demo workload's log lines
//   routed by routeLine, appended (timed apart), then reduced, logged and
//   committed by K runShard drivers at once (untilCaughtUp), beside the
//   in-memory per-entry cost of the same lines (decodeLine, reduce, drain);
// - takeover: the demo on PostgreSQL (K = 2, shard 1 killed with SIGKILL), from
//   the kill to the standby's first applied entry;
// - restore time (snapshot read, digest, parse, Manager.fromSnapshot) and
//   snapshot size at 10,000 and 100,000 running executions.
// Each figure is repeated --runs times (default 3) and given as median [min-max].
import * as E from 'fp-ts/Either'
import pg from 'pg'
import { EventLog, Manager } from '../src/index'
import { PgStore, routeLine, runShard, type NewEntry } from '../src/postgres'
import { sha256Hex } from '../src/internal/digest'
import { simulatePostgres } from '../demo/postgres'
import { recordWorkload } from './shards/measure'
import { specOf, T0 } from './fixtures'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const runsAt = args.indexOf('--runs')
const RUNS = runsAt === -1 ? 3 : Math.max(1, Number(args[runsAt + 1] ?? 3))
const everyAt = args.indexOf('--snapshot-every')
// runShard's default (1,000) unless given: a snapshot of the whole shard every N entries.
const SNAPSHOT_EVERY = everyAt === -1 ? undefined : Number(args[everyAt + 1])
const JOBS = quick ? 500 : 5_000
const RUNNING = quick ? [10_000] : [10_000, 100_000]

const log = (message: string): void => void process.stderr.write(`${message}\n`)
const never = new AbortController().signal

const spread = (values: readonly number[], digits = 0): string => {
  const sorted = [...values].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0
  const f = (n: number): string =>
    n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })
  return `${f(median)} [${f(sorted[0] ?? 0)}-${f(sorted[sorted.length - 1] ?? 0)}]`
}

let schemas = 0
const schemaName = (): string => `jec_bench_${process.pid}_${schemas++}`

const open = async (schema: string): Promise<PgStore.PgStore> => {
  const store = await PgStore.connect({ schema, poolSize: 8 })
  if (E.isLeft(store)) throw new Error(`cannot reach PostgreSQL: ${JSON.stringify(store.left)}`)
  return store.right
}

const drop = async (schema: string): Promise<void> => {
  const url = process.env['DATABASE_URL']
  const client = new pg.Client(url !== undefined && url !== '' ? { connectionString: url } : {})
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await client.end()
}

const linesFor = (k: number): NewEntry[][] => {
  const lines: NewEntry[][] = Array.from({ length: k }, () => [])
  recordWorkload(JOBS).forEach(([now, event], i) => {
    const routed = routeLine(EventLog.encodeLine(now, event), k)
    if (E.isRight(routed)) for (const [shard, line] of routed.right) lines[shard]?.push({ key: `b:${i}`, line })
  })
  return lines
}

// The in-memory path of the same lines: decode, reduce, drain; microseconds per entry.
const inMemory = (lines: readonly NewEntry[]): number => {
  const started = performance.now()
  let state = Manager.create(T0)
  let kept = 0
  for (const { line } of lines) {
    const entry = EventLog.decodeLine(line)
    if (E.isLeft(entry)) continue
    const [messages, next] = Manager.drain(Manager.reduce(state, entry.right.event, entry.right.now), entry.right.now)
    state = next
    if (messages.length > 0) kept += JSON.stringify(messages).length
  }
  if (kept < 0) log('')
  return ((performance.now() - started) * 1000) / lines.length
}

const throughput = async (k: number): Promise<{ perShard: number; appendPerSecond: number; micros: number }> => {
  const lines = linesFor(k)
  const schema = schemaName()
  const store = await open(schema)
  try {
    const appendStart = performance.now()
    for (let shard = 0; shard < k; shard++) {
      const shardLines = lines[shard] ?? []
      for (let at = 0; at < shardLines.length; at += 1_000) {
        const appended = await store.append(shard, shardLines.slice(at, at + 1_000))
        if (E.isLeft(appended)) throw new Error(JSON.stringify(appended.left))
      }
    }
    const total = lines.reduce((sum, shardLines) => sum + shardLines.length, 0)
    const appendPerSecond = total / ((performance.now() - appendStart) / 1000)
    const started = performance.now()
    const stops = await Promise.all(
      lines.map((_, shard) =>
        runShard(store, shard, {
          signal: never,
          start: T0,
          untilCaughtUp: true,
          ...(SNAPSHOT_EVERY === undefined ? {} : { snapshotEvery: SNAPSHOT_EVERY, snapshotAfterMs: 1e9 }),
        }),
      ),
    )
    const seconds = (performance.now() - started) / 1000
    for (const stop of stops) if (stop.type !== 'Stopped') throw new Error(`a shard stopped: ${stop.type}`)
    return { perShard: total / k / seconds, appendPerSecond, micros: (seconds * 1e6 * k) / total }
  } finally {
    await store.close()
    await drop(schema)
  }
}

const restore = async (running: number): Promise<{ ms: number; bytes: number }> => {
  const specs = Array.from({ length: running }, (_, i) => specOf(i, T0))
  const state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: specs }, T0)
  const body = JSON.stringify(Manager.toSnapshot(state))
  const schema = schemaName()
  const store = await open(schema)
  try {
    const lease = await store.acquire(0, { signal: never, pollMs: 50 })
    if (E.isLeft(lease) || lease.right === undefined) throw new Error('cannot own shard 0')
    const committed = await store.commit(lease.right, {
      offset: 0,
      outbox: [],
      snapshot: { offset: 0, body, digest: sha256Hex(body) },
    })
    if (E.isLeft(committed)) throw new Error(JSON.stringify(committed.left))
    await store.release(lease.right)
    const started = performance.now()
    const stop = await runShard(store, 0, { signal: never, untilCaughtUp: true })
    const ms = performance.now() - started
    if (stop.type !== 'Stopped' || Manager.runningCount(stop.state) !== Manager.runningCount(state)) {
      throw new Error(`restore at ${running} gave ${stop.type}`)
    }
    return { ms, bytes: Buffer.byteLength(body) }
  } finally {
    await store.close()
    await drop(schema)
  }
}

const main = async (): Promise<void> => {
  log(`bench:postgres: ${JOBS.toLocaleString('en')} jobs, ${RUNS} runs${quick ? ' (quick)' : ''}`)
  const out: string[] = [
    `On PostgreSQL: the demo workload of ${JOBS.toLocaleString('en')} jobs, ${RUNS} runs, median [min-max]`,
  ]
  out.push('K  entries/s per shard  engine us/entry  in-memory us/entry (one manager)  appends/s')
  for (const k of [1, 2, 4]) {
    const figures = []
    for (let r = 0; r < RUNS; r++) figures.push(await throughput(k))
    const memory = Array.from({ length: RUNS }, () => inMemory(linesFor(1)[0] ?? []))
    out.push(
      `${k}  ${spread(figures.map((f) => f.perShard))}  ${spread(
        figures.map((f) => f.micros),
        1,
      )}  ${spread(memory, 1)}  ${spread(figures.map((f) => f.appendPerSecond))}`,
    )
    log(out[out.length - 1] ?? '')
  }
  const takeovers: number[] = []
  for (let r = 0; r < RUNS; r++) {
    const run = await simulatePostgres({ nodes: 4, jobs: 500, seed: 11 + r }, 2, 1)
    if (E.isLeft(run) || run.right.failover === undefined) throw new Error(`takeover run: ${JSON.stringify(run)}`)
    takeovers.push(run.right.failover.ms)
  }
  out.push(`takeover (SIGKILL to the standby's first applied entry), ms: ${spread(takeovers)}`)
  log(out[out.length - 1] ?? '')
  for (const running of RUNNING) {
    const figures = []
    for (let r = 0; r < RUNS; r++) figures.push(await restore(running))
    out.push(
      `restore at ${running.toLocaleString('en')} running: ${spread(figures.map((f) => f.ms))} ms, snapshot ${(
        (figures[0]?.bytes ?? 0) / 1e6
      ).toFixed(1)} MB`,
    )
    log(out[out.length - 1] ?? '')
  }
  process.stdout.write(`${out.join('\n')}\n`)
}

void main().catch((error: unknown) => {
  log(`bench:postgres: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
