// The workload every benchmark shares: execution specs spread over 100 nodes
// and 20 job types, and the 16-event lifecycle of one execution.
import type { Execution, Manager, TaskUpdate } from '../src/index'

/** The instant every benchmark starts at (2026-01-01T00:00:00Z). */
export const T0 = Date.UTC(2026, 0, 1)

export const NODES = 100
export const JOB_TYPES = 20
export const TASK_TYPES = ['pull', 'pre', 'main', 'post'] as const

/** One job type object per job type id, shared by all its executions (as a host would). */
const JOB_TYPE_DEFS: readonly Execution.JobType[] = Array.from({ length: JOB_TYPES }, (_, i) => ({
  name: `job-type-${i + 1}`,
  isSystem: false,
  isLongRunning: false,
  timeout: 3_600_000,
}))

/** The node of execution `i`: 1..100, round-robin. */
export const nodeOf = (i: number): number => (i % NODES) + 1

/**
 * The job type of execution `i`: 1..20. Each node runs 5 of the 20 types
 * (node n: types n, n+4, n+8, n+12, n+16 modulo 20), every type runs on 25
 * nodes, and the same (node, job type) pairs occur at N = 1,000 and at
 * N = 100,000, so that the status JSON has the same shape at both sizes.
 */
export const jobTypeOf = (i: number): number => (((i % NODES) + 4 * (Math.floor(i / NODES) % 5)) % JOB_TYPES) + 1

/** The cluster id of execution `i` (job id = `i + 1`, execution number 1). */
export const clusterIdOf = (i: number): string => `scale_job_bench_${i + 1}x1`

/** The spec of execution `i`, scheduled at `now`. */
export const specOf = (i: number, now: number): Execution.ExecutionSpec => {
  const jobTypeId = jobTypeOf(i)
  const jobType = JOB_TYPE_DEFS[jobTypeId - 1]
  if (jobType === undefined) throw new Error(`no job type ${jobTypeId}`)
  const nodeId = nodeOf(i)
  return {
    id: i + 1,
    clusterId: clusterIdOf(i),
    jobId: i + 1,
    exeNum: 1,
    jobTypeId,
    nodeId,
    agentId: `agent-${nodeId}`,
    queued: now - 60_000,
    started: now,
    jobType,
  }
}

/** The lifecycle events the benchmark drives: a subset of the manager's events. */
export type LifecycleEvent = Extract<
  Manager.ManagerEvent,
  { readonly type: 'NextTaskStarted' } | { readonly type: 'TaskLaunched' } | { readonly type: 'TaskUpdated' }
>

/** A lifecycle event, or scheduling executions: what the cold workload sends. */
export type BenchEvent =
  LifecycleEvent | { readonly type: 'Scheduled'; readonly executions: readonly Execution.ExecutionSpec[] }

/** Events per execution: for each of 4 tasks, started, launched, RUNNING, FINISHED. */
export const EVENTS_PER_LIFECYCLE = 16

const update = (
  taskId: string,
  nodeId: number,
  status: TaskUpdate.TaskStatus,
  timestamp: number,
): TaskUpdate.TaskUpdate =>
  status === 'FINISHED'
    ? { taskId, agentId: `agent-${nodeId}`, status, timestamp, exitCode: 0 }
    : { taskId, agentId: `agent-${nodeId}`, status, timestamp }

/**
 * The 16 events of one execution's lifecycle: for each of pull, pre, main,
 * post: NextTaskStarted, TaskLaunched, TaskUpdated RUNNING, TaskUpdated
 * FINISHED. Update timestamps start at `at`, one second apart.
 */
export const lifecycleOf = (i: number, at: number): LifecycleEvent[] => {
  const clusterId = clusterIdOf(i)
  const nodeId = nodeOf(i)
  const events: LifecycleEvent[] = []
  TASK_TYPES.forEach((type, k) => {
    const taskId = `${clusterId}_${type}`
    events.push({ type: 'NextTaskStarted', clusterId })
    events.push({ type: 'TaskLaunched', taskId })
    events.push({ type: 'TaskUpdated', update: update(taskId, nodeId, 'RUNNING', at + 4_000 * k + 1_000) })
    events.push({ type: 'TaskUpdated', update: update(taskId, nodeId, 'FINISHED', at + 4_000 * k + 2_000) })
  })
  return events
}

/**
 * How far background execution `i` has got: the number of its lifecycle events
 * already applied, 0..15 (never 16: background executions stay running). Each
 * node gets every phase: some executions wait for their first task, some
 * stage, some run, some wait for their next task.
 */
export const phaseOf = (i: number): number => Math.floor(i / NODES) % EVENTS_PER_LIFECYCLE

/**
 * The events of a batch of executions `first .. first + count - 1`, as 16
 * rounds: round k holds event k of every execution of the batch, so that
 * driving the rounds in order interleaves the lifecycles round-robin and only
 * `count` extra executions are ever running.
 */
export const batchRounds = (first: number, count: number, at: number): LifecycleEvent[][] => {
  const rounds: LifecycleEvent[][] = Array.from({ length: EVENTS_PER_LIFECYCLE }, () => [])
  for (let b = 0; b < count; b++) {
    lifecycleOf(first + b, at).forEach((event, k) => rounds[k]?.push(event))
  }
  return rounds
}

/** A finished execution for the history: the same node and job type spread, completed or failed. */
export interface HistoryRecord {
  readonly nodeId: number
  readonly jobTypeId: number
  readonly status: 'COMPLETED' | 'FAILED'
  readonly error?: { readonly category: 'ALGORITHM' | 'DATA' | 'SYSTEM' } | undefined
  readonly finished: number
}

const CATEGORIES = ['ALGORITHM', 'DATA', 'SYSTEM'] as const

/**
 * `n` executions that finished in the 3-hour window before `now`, spread
 * evenly over it. Per node they fall into the same 10 (job type, outcome)
 * pairs at any n ≥ 1,000: each of the node's 5 job types completed, and
 * failed with one error category per node.
 */
export const historyOf = (n: number, now: number, windowLength: number): HistoryRecord[] =>
  Array.from({ length: n }, (_, j) => {
    const round = Math.floor(j / NODES)
    const nodeId = nodeOf(j)
    const finished = now - Math.floor(((j + 0.5) / n) * (windowLength - 1))
    const failed = Math.floor(round / 5) % 2 === 1
    const category = CATEGORIES[nodeId % 3] ?? 'SYSTEM'
    return failed
      ? { nodeId, jobTypeId: jobTypeOf(j), status: 'FAILED', error: { category }, finished }
      : { nodeId, jobTypeId: jobTypeOf(j), status: 'COMPLETED', finished }
  })

/** The node ids 1..100. */
export const ALL_NODES: readonly number[] = Array.from({ length: NODES }, (_, i) => i + 1)

/** Executions that replace finished ones in the cold workload are numbered from here. */
export const COLD_BASE = 800_000_000

/** A small deterministic generator (mulberry32): the same picks for every engine. */
export const randomFrom = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * The cold workload beside a background of `n` (as `buildBackground` builds
 * it): each event goes to an execution picked at random among the `n` slots,
 * and is that execution's next lifecycle event; an execution that finishes is
 * replaced in its slot by a fresh one (a `Scheduled` of one spec, in the
 * stream), so that `n` stay running and the event mix is the lifecycle's.
 * `next(count, at)` gives the next `count` events, the replacements scheduled
 * at `at`. Every engine gets the same stream from the same seed.
 */
export const coldWorkload = (
  n: number,
  builtAt: number,
  seed = 14,
): { readonly next: (count: number, at: number) => BenchEvent[]; readonly replaced: () => number } => {
  const random = randomFrom(seed)
  const ids = Array.from({ length: n }, (_, i) => i)
  const phases = Array.from({ length: n }, (_, i) => phaseOf(i))
  const births = Array.from({ length: n }, () => builtAt)
  let replaced = 0
  const next = (count: number, at: number): BenchEvent[] => {
    const events: BenchEvent[] = []
    while (events.length < count) {
      const slot = Math.floor(random() * n)
      const id = ids[slot] ?? slot
      const phase = phases[slot] ?? 0
      const event = lifecycleOf(id, births[slot] ?? builtAt)[phase]
      if (event === undefined) continue
      events.push(event)
      if (phase + 1 < EVENTS_PER_LIFECYCLE) {
        phases[slot] = phase + 1
        continue
      }
      // On the same node as the one it replaces (node = id modulo 100, plus one).
      const fresh = COLD_BASE + replaced++ * NODES + (id % NODES)
      ids[slot] = fresh
      phases[slot] = 0
      births[slot] = at
      events.push({ type: 'Scheduled', executions: [specOf(fresh, at)] })
    }
    return events
  }
  return { next, replaced: () => replaced }
}
