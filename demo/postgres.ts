/**
 * The demo on PostgreSQL (`--engine postgres`): the simulated cluster and host
 * run as usual; every event they send is encoded as a log line, routed by
 * `routeLine` and appended to its shard's log with an idempotency key. K shard
 * owners, each a child process running `runShard` against `PgStore`, reduce
 * their logs; with `killShard`, that shard's owner is killed with SIGKILL
 * midway and a standby process (waiting on the shard's lock from the start)
 * takes over. At the end the owners' metrics are merged (`Metrics.merge`) and
 * their outbox entries, kept once per (shard, offset), counted by type: the
 * same status JSON and message counts as one manager fed everything.
 *
 * The server is the one of `DATABASE_URL` or the `PG*` variables, else a
 * throwaway local cluster (scripts/db.sh) started and stopped here. The tables
 * go to a schema of this run, dropped at the end.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/Either'
import pg from 'pg'
import { EventLog, type Manager, Metrics } from '../src/index'
import { PgStore, routeLine, type NewEntry } from '../src/postgres'
import type { OwnerReport, OwnerRequest } from './postgresShard'
import type { Sink } from './hostLoop'
import { simulate, type OnProgress, type SimulationOptions, type SimulationResult } from './simulation'
import { fromWire, sumCounts } from './wireMetrics'

/** A run on PostgreSQL: the simulation's own result, and what the shard owners made of it. */
export interface PostgresResult {
  readonly simulation: SimulationResult
  readonly shards: number
  readonly statusJson: ReturnType<typeof Manager.statusJson>
  readonly messageCounts: Readonly<Record<string, number>>
  /** Log entries appended, over all shards. */
  readonly entries: number
  /** Where the server came from. */
  readonly server: 'configured' | 'throwaway'
  /** The killed shard, the entries of its log appended before the kill, and the failover time. */
  readonly failover?: {
    readonly shard: number
    readonly appendedBefore: number
    readonly total: number
    /** From the SIGKILL to the standby's first applied entry, in ms. */
    readonly ms: number
  }
  /** Wall clock from the start of the simulation until every owner answered. */
  readonly elapsedMs: number
}

const VARIABLES = ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGSERVICE']

/** Whether the environment names a server. */
export const serverConfigured = (env: NodeJS.ProcessEnv = process.env): boolean =>
  VARIABLES.some((name) => (env[name] ?? '') !== '')

const CHUNK = 500

interface Server {
  readonly env: NodeJS.ProcessEnv
  readonly stop: () => void
  readonly kind: PostgresResult['server']
}

const DB_SCRIPT = fileURLToPath(new URL('../scripts/db.sh', import.meta.url))

// The configured server, or a throwaway cluster of scripts/db.sh (its state in a folder of ours).
const startServer = (): E.Either<string, Server> => {
  if (serverConfigured()) return E.right({ env: process.env, stop: () => undefined, kind: 'configured' })
  const folder = mkdtempSync(join(tmpdir(), 'jec-demo-'))
  const env = { ...process.env, JEC_DB_STATE: join(folder, 'cluster') }
  const started = spawnSync('bash', [DB_SCRIPT, 'start'], { env, encoding: 'utf8' })
  if (started.status !== 0) {
    rmSync(folder, { recursive: true, force: true })
    return E.left(`cannot start a throwaway PostgreSQL: ${(started.stderr || started.stdout).trim()}`)
  }
  const exported: Record<string, string> = {}
  for (const pair of started.stdout
    .replace(/^export\s+/, '')
    .trim()
    .split(/\s+/)) {
    const eq = pair.indexOf('=')
    if (eq > 0) exported[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return E.right({
    env: { ...env, ...exported },
    stop: () => {
      spawnSync('bash', [DB_SCRIPT, 'stop'], { env, encoding: 'utf8' })
      rmSync(folder, { recursive: true, force: true })
    },
    kind: 'throwaway',
  })
}

const OWNER = fileURLToPath(new URL('./postgresShard.mjs', import.meta.url))

interface Owner {
  readonly child: ChildProcess
  readonly shard: number
  /** Resolves with the owner's metrics when it is done. */
  readonly done: Promise<Metrics.Metrics>
  applied: number
  connected: boolean
}

/**
 * Runs the simulation with its events appended to `k` shard logs on
 * PostgreSQL, reduced by `k` owner processes (and a standby for `killShard`,
 * whose owner is killed midway); merges what they made of it.
 */
export const simulatePostgres = async (
  options: SimulationOptions,
  k: number,
  killShard: number | undefined,
  sink?: Sink,
  onProgress?: OnProgress,
): Promise<E.Either<string, PostgresResult>> => {
  const started = performance.now()
  // The workload first (the simulation is synchronous), as lines per shard.
  const lines: NewEntry[][] = Array.from({ length: k }, () => [])
  let first: number | undefined
  let index = 0
  const simulation = simulate(
    options,
    (now, event) => {
      first ??= now
      sink?.(now, event)
      const line = EventLog.encodeLine(now, event)
      const routed = routeLine(line, k)
      const key = `demo:${index++}`
      // A line that does not decode (a status the decoder refuses) is reduced by no manager.
      if (E.isRight(routed)) for (const [shard, text] of routed.right) lines[shard]?.push({ key, line: text })
    },
    onProgress,
  )
  if (killShard !== undefined && (lines[killShard]?.length ?? 0) < 2) {
    return E.left(`shard ${killShard} has too few log entries to kill its owner midway`)
  }
  const server = startServer()
  if (E.isLeft(server)) return server
  const env = server.right.env
  const schema = `jec_demo_${process.pid}_${Math.floor(Math.random() * 1e6)}`
  const children: ChildProcess[] = []
  let store: PgStore.PgStore | undefined
  try {
    const connected = await PgStore.connect({ schema, connection: connectionOf(env) })
    if (E.isLeft(connected)) return E.left(`cannot reach PostgreSQL: ${JSON.stringify(connected.left)}`)
    store = connected.right
    const outbox = new Map<string, Readonly<Record<string, number>>>()
    const onApplied: Array<(owner: Owner) => void> = []
    const onConnected: Array<(owner: Owner) => void> = []
    const spawnOwner = (shard: number): Owner => {
      const child = fork(OWNER, [JSON.stringify({ shard, schema, start: first ?? 0 })], {
        env,
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      children.push(child)
      let resolveDone: (metrics: Metrics.Metrics) => void = () => undefined
      let rejectDone: (error: Error) => void = () => undefined
      const done = new Promise<Metrics.Metrics>((resolve, reject) => {
        resolveDone = resolve
        rejectDone = reject
      })
      const owner: Owner = { child, shard, done, applied: -1, connected: false }
      child.on('message', (report: OwnerReport) => {
        switch (report.kind) {
          case 'connected':
            owner.connected = true
            for (const listener of onConnected) listener(owner)
            return
          case 'applied':
            owner.applied = report.offset
            for (const listener of onApplied) listener(owner)
            return
          case 'outbox':
            for (const [offset, counts] of report.entries) outbox.set(`${shard}:${offset}`, counts)
            return
          case 'done':
            resolveDone(fromWire(report.metrics))
            return
          case 'failed':
            rejectDone(new Error(`shard ${shard}: ${report.reason}`))
            return
        }
      })
      child.on('exit', (code, signal) => rejectDone(new Error(`shard ${shard}'s owner exited (${signal ?? code})`)))
      return owner
    }
    const owners = Array.from({ length: k }, (_, shard) => spawnOwner(shard))
    const appendChunk = async (shard: number, chunk: readonly NewEntry[]): Promise<E.Either<string, void>> => {
      if (store === undefined || chunk.length === 0) return E.right(undefined)
      const appended = await store.append(shard, chunk)
      return E.isLeft(appended)
        ? E.left(`append to shard ${shard}: ${JSON.stringify(appended.left)}`)
        : E.right(undefined)
    }
    const longest = Math.max(...lines.map((shardLines) => shardLines.length))
    const appendRange = async (from: number, to: number): Promise<E.Either<string, void>> => {
      for (let at = from; at < to; at += CHUNK) {
        for (let shard = 0; shard < k; shard++) {
          const shardLines = lines[shard] ?? []
          const end = Math.min(to, at + CHUNK)
          // Shards advance in proportion, so that each is midway when the longest is.
          const scale = shardLines.length / Math.max(1, longest)
          const chunk = shardLines.slice(Math.round(at * scale), Math.round(end * scale))
          const appended = await appendChunk(shard, chunk)
          if (E.isLeft(appended)) return appended
        }
      }
      return E.right(undefined)
    }
    const half = Math.floor(longest / 2)
    const before = await appendRange(0, half)
    if (E.isLeft(before)) return before
    let failover: PostgresResult['failover']
    const victim = killShard === undefined ? undefined : owners[killShard]
    let standby: Owner | undefined
    if (victim !== undefined && killShard !== undefined) {
      // Kill it once it has applied something (it holds the shard, midway through its log).
      await new Promise<void>((resolve) => {
        if (victim.applied >= 0) resolve()
        else onApplied.push((owner) => owner === victim && resolve())
      })
      // The standby, connected and waiting on the shard's lock before the kill.
      const waiting = spawnOwner(killShard)
      standby = waiting
      await new Promise<void>((resolve) => onConnected.push((owner) => owner === waiting && resolve()))
      victim.done.catch(() => undefined)
      const appliedByStandby = new Promise<number>((resolve) =>
        onApplied.push((owner) => owner === waiting && resolve(performance.now())),
      )
      const killedAt = performance.now()
      victim.child.kill('SIGKILL')
      const total = lines[killShard]?.length ?? 0
      const appendedBefore = Math.round(half * (total / Math.max(1, longest)))
      // An at-least-once producer re-sends its last chunk after a failure: the keys make it a no-op.
      const resent = await appendChunk(
        killShard,
        (lines[killShard] ?? []).slice(Math.max(0, appendedBefore - CHUNK), appendedBefore),
      )
      if (E.isLeft(resent)) return resent
      const after = await appendRange(half, longest)
      if (E.isLeft(after)) return after
      failover = { shard: killShard, appendedBefore, total, ms: (await appliedByStandby) - killedAt }
    } else {
      const after = await appendRange(half, longest)
      if (E.isLeft(after)) return after
    }
    const live = owners.map((owner) => (owner.shard === killShard && standby !== undefined ? standby : owner))
    for (const owner of live) {
      owner.child.send({ kind: 'finish', offset: lines[owner.shard]?.length ?? 0 } satisfies OwnerRequest)
    }
    const metrics = await Promise.all(live.map((owner) => owner.done))
    const merged = metrics.reduce(Metrics.merge)
    return E.right({
      simulation,
      shards: k,
      statusJson: Metrics.statusJson(merged, simulation.nodeIds, simulation.finalNow),
      messageCounts: sumCounts(outbox.values()),
      entries: lines.reduce((sum, shardLines) => sum + shardLines.length, 0),
      server: server.right.kind,
      ...(failover === undefined ? {} : { failover }),
      elapsedMs: performance.now() - started,
    })
  } catch (error) {
    return E.left(error instanceof Error ? error.message : String(error))
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    if (store !== undefined) await store.close()
    await dropSchema(env, schema)
    server.right.stop()
  }
}

const connectionOf = (env: NodeJS.ProcessEnv): pg.ClientConfig => {
  const url = env['DATABASE_URL']
  if (url !== undefined && url !== '') return { connectionString: url }
  const port = env['PGPORT']
  return {
    ...(env['PGHOST'] === undefined ? {} : { host: env['PGHOST'] }),
    ...(port === undefined ? {} : { port: Number(port) }),
    ...(env['PGUSER'] === undefined ? {} : { user: env['PGUSER'] }),
    ...(env['PGDATABASE'] === undefined ? {} : { database: env['PGDATABASE'] }),
    ...(env['PGPASSWORD'] === undefined ? {} : { password: env['PGPASSWORD'] }),
  }
}

const dropSchema = async (env: NodeJS.ProcessEnv, schema: string): Promise<void> => {
  const client = new pg.Client(connectionOf(env))
  try {
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } catch {
    // A throwaway server goes anyway; a configured one keeps a schema named for this run.
  } finally {
    await client.end().catch(() => undefined)
  }
}
