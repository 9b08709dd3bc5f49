// npm run bench:postgres [-- --quick] [-- --runs N] [-- --jobs N] [-- --snapshot-every N] [-- --snapshot-share X]
//
// The durable engine on PostgreSQL (the server of DATABASE_URL / PG*; start a
// throwaway one with `eval "$(bash scripts/db.sh start)"`), in this process:
// - the cost per log entry for K = 1, 2, 4: the demo workload's log lines
//   routed by routeLine and appended by the producer (timed apart), then
//   read, decoded, reduced, drained, committed (outbox, offset, snapshots) and
//   handed out by K runShard drivers at once (untilCaughtUp); beside it, in the
//   same run, the in-memory path of the same lines (decodeLine, reduce, drain,
//   JSON of the messages). Each as main-thread CPU time and wall time per
//   entry; the server's CPU (its backends of this store, when it runs on this
//   machine) apart;
// - takeover: the demo on PostgreSQL (K = 2, shard 1 killed with SIGKILL), from
//   the kill to the standby's first applied entry;
// - restore time (snapshot read, digest, parse, Manager.fromSnapshot) and
//   snapshot size at 10,000 and 100,000 running executions.
// Each figure is repeated --runs times (default 3) and given as median [min-max].
import * as E from 'fp-ts/Either'
import { readFileSync } from 'node:fs'
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
const jobsAt = args.indexOf('--jobs')
const JOBS = jobsAt === -1 ? (quick ? 500 : 5_000) : Number(args[jobsAt + 1])
const shareAt = args.indexOf('--snapshot-share')
const SNAPSHOT_SHARE = shareAt === -1 ? undefined : Number(args[shareAt + 1])
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

const adminConfig = (): pg.ClientConfig => {
  const url = process.env['DATABASE_URL']
  return url !== undefined && url !== '' ? { connectionString: url } : {}
}

const drop = async (schema: string): Promise<void> => {
  const client = new pg.Client(adminConfig())
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

// CPU time of one thread, in µs: utime + stime of /proc/<pid>/task/<tid>/stat (clock ticks).
const TICK_US = 10_000
const threadCpu = (pid: number, tid = pid): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_US
  } catch {
    return undefined
  }
}
// This process's main thread; the whole process (GC threads too) where /proc is missing.
const mainCpu = (): number => threadCpu(process.pid) ?? process.cpuUsage().user + process.cpuUsage().system

// The server's CPU time for this store's connections (its backends, by
// application_name), when they are processes of this machine; undefined otherwise.
const serverCpu = async (store: PgStore.PgStore): Promise<Map<number, number> | undefined> => {
  const client = new pg.Client(adminConfig())
  await client.connect()
  try {
    const rows = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
      store.applicationName,
    ])
    const cpu = new Map<number, number>()
    for (const { pid } of rows.rows) {
      const used = threadCpu(pid)
      if (used === undefined) return undefined
      cpu.set(pid, used)
    }
    return cpu
  } finally {
    await client.end()
  }
}
const serverSpent = (before: Map<number, number> | undefined, after: Map<number, number> | undefined): number =>
  before === undefined || after === undefined
    ? Number.NaN
    : [...after].reduce((sum, [pid, used]) => sum + used - (before.get(pid) ?? 0), 0)

interface Cost {
  readonly cpu: number
  readonly wall: number
}

// The in-memory path of the same lines: decode, reduce, drain, JSON of the messages; µs per entry.
const inMemory = (lines: readonly NewEntry[][]): Cost => {
  const total = lines.reduce((sum, shardLines) => sum + shardLines.length, 0)
  const cpu = mainCpu()
  const started = performance.now()
  let kept = 0
  for (const shardLines of lines) {
    let state = Manager.create(T0)
    for (const { line } of shardLines) {
      const entry = EventLog.decodeLine(line)
      if (E.isLeft(entry)) continue
      const [messages, next] = Manager.drain(Manager.reduce(state, entry.right.event, entry.right.now), entry.right.now)
      state = next
      if (messages.length > 0) kept += JSON.stringify(messages).length
    }
  }
  if (kept < 0) log('')
  return { cpu: (mainCpu() - cpu) / total, wall: ((performance.now() - started) * 1000) / total }
}

interface Throughput {
  readonly perShard: number
  readonly engine: Cost
  readonly server: number
  readonly append: Cost
}

const throughput = async (lines: readonly NewEntry[][]): Promise<Throughput> => {
  const k = lines.length
  const total = lines.reduce((sum, shardLines) => sum + shardLines.length, 0)
  const schema = schemaName()
  const store = await open(schema)
  try {
    const appendCpu = mainCpu()
    const appendStart = performance.now()
    for (let shard = 0; shard < k; shard++) {
      const shardLines = lines[shard] ?? []
      for (let at = 0; at < shardLines.length; at += 1_000) {
        const appended = await store.append(shard, shardLines.slice(at, at + 1_000))
        if (E.isLeft(appended)) throw new Error(JSON.stringify(appended.left))
      }
    }
    const append = {
      cpu: (mainCpu() - appendCpu) / total,
      wall: ((performance.now() - appendStart) * 1000) / total,
    }
    const serverBefore = await serverCpu(store)
    const cpu = mainCpu()
    const started = performance.now()
    const stops = await Promise.all(
      lines.map((_, shard) =>
        runShard(store, shard, {
          signal: never,
          start: T0,
          untilCaughtUp: true,
          ...(SNAPSHOT_EVERY === undefined ? {} : { snapshotEvery: SNAPSHOT_EVERY, snapshotAfterMs: 1e9 }),
          ...(SNAPSHOT_SHARE === undefined ? {} : { snapshotShare: SNAPSHOT_SHARE }),
        }),
      ),
    )
    const wall = performance.now() - started
    const engine = { cpu: (mainCpu() - cpu) / total, wall: (wall * 1000) / total }
    const server = serverSpent(serverBefore, await serverCpu(store)) / total
    for (const stop of stops) if (stop.type !== 'Stopped') throw new Error(`a shard stopped: ${stop.type}`)
    return { perShard: total / k / (wall / 1000), engine, server, append }
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
  out.push(
    'per log entry, µs: engine = runShard (read, decode, reduce, drain, commit, snapshots, outbox);',
    'in memory = decodeLine, reduce, drain, JSON of the messages, same lines, same run; append = the producer',
    'K  entries/s per shard  engine CPU  in-memory CPU  engine/in-memory CPU  engine wall  in-memory wall  server CPU  append CPU  append wall',
  )
  for (const k of [1, 2, 4]) {
    const lines = linesFor(k)
    const figures: Throughput[] = []
    const memory: Cost[] = []
    // Interleaved, so that both paths see the same load of the machine.
    for (let r = 0; r < RUNS; r++) {
      memory.push(inMemory(lines))
      figures.push(await throughput(lines))
    }
    const ratios = figures.map((f, i) => f.engine.cpu / (memory[i]?.cpu ?? Number.NaN))
    out.push(
      [
        `${k}`,
        spread(figures.map((f) => f.perShard)),
        spread(
          figures.map((f) => f.engine.cpu),
          1,
        ),
        spread(
          memory.map((m) => m.cpu),
          1,
        ),
        spread(ratios, 2),
        spread(
          figures.map((f) => f.engine.wall),
          1,
        ),
        spread(
          memory.map((m) => m.wall),
          1,
        ),
        spread(
          figures.map((f) => f.server),
          1,
        ),
        spread(
          figures.map((f) => f.append.cpu),
          1,
        ),
        spread(
          figures.map((f) => f.append.wall),
          1,
        ),
      ].join('  '),
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
