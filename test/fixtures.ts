// The one place for what several test files build: instants, execution specs
// and job types, a manager with executions running, Either unwrapping, frozen
// values, and the status JSON written out by hand. (JSON fixtures of real
// payloads, such as pods, live under test/fixtures/.)
import * as E from 'fp-ts/Either'
import { type Execution, Manager, Metrics } from '../src/index'
import type { EventStream } from '../src/testing'

/** 2026-01-01T00:00:00Z: a block boundary of the metrics window. */
export const T0 = Date.UTC(2026, 0, 1)

/** A job type that is neither a system nor a long-running one. */
export const jobType = (timeout = 3_600_000, name = 'job'): Execution.JobType => ({
  name,
  isSystem: false,
  isLongRunning: false,
  timeout,
})

/**
 * The spec of execution `n` of job `n` (`scale_job_fw_{n}x1`, one `main` task,
 * queued and started at T0); `changes` replaces any field.
 */
export const executionSpec = (n = 1, changes: Partial<Execution.ExecutionSpec> = {}): Execution.ExecutionSpec => ({
  id: n,
  clusterId: `scale_job_fw_${n}x1`,
  jobId: n,
  exeNum: 1,
  jobTypeId: 1,
  nodeId: 1,
  agentId: 'agent-1',
  queued: T0,
  started: T0,
  taskTypes: ['main'],
  jobType: jobType(),
  ...changes,
})

/**
 * The end record of execution `n` of job `n` (`scale_job_fw_{n}x1`), CANCELED
 * at T0 with no task results; `changes` replaces any field.
 */
export const endRecord = (n = 1, changes: Partial<Execution.EndRecord> = {}): Execution.EndRecord => ({
  id: n,
  clusterId: `scale_job_fw_${n}x1`,
  jobId: n,
  exeNum: 1,
  jobTypeId: 1,
  nodeId: 1,
  status: 'CANCELED',
  queued: T0,
  started: T0,
  finished: T0,
  taskResults: { version: '1.0', tasks: [] },
  ...changes,
})

/** A manager holding the given specs, their main tasks launched and RUNNING at `at`. */
export const withRunning = (specs: readonly Execution.ExecutionSpec[], at = T0): Manager.Manager =>
  specs.reduce(
    (state, spec) => {
      const taskId = `${spec.clusterId}_main`
      let next = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, at)
      next = Manager.reduce(next, { type: 'TaskLaunched', taskId }, at)
      return Manager.reduce(next, { type: 'TaskUpdated', update: { taskId, status: 'RUNNING', timestamp: at } }, at)
    },
    Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: specs }, at),
  )

/** The Right of a decoding, or a throw that says what was refused. */
export const rightOf = <A>(result: E.Either<Error, A>): A => {
  if (E.isLeft(result)) throw new Error(`expected a Right, got: ${result.left.message}`)
  return result.right
}

/** The Left of a decoding, or a throw that shows what was accepted. */
export const leftOf = <L>(result: E.Either<L, unknown>): L => {
  if (E.isRight(result)) throw new Error(`expected a Left, got ${JSON.stringify(result.right)}`)
  return result.left
}

// What deepFreeze has frozen whole: a state stepped again and again shares most
// of its structure with the last, which need not be walked again.
const deeplyFrozen = new WeakSet<object>()

/** Freezes a value and everything reachable from it, so that a reducer writing to its input throws. */
/**
 * The generated cases of a property that asks for `n`: all of them, but at
 * most 5 under mutation testing (test/mutation.setup.ts sets
 * JEC_MUTATION_RUNS), where each mutant reruns the properties that cover it and
 * an explicit `numRuns` would override the run's global 5.
 */
export const runs = (n: number): number => {
  const cap = Number(process.env['JEC_MUTATION_RUNS'])
  return Number.isSafeInteger(cap) && cap > 0 ? Math.min(n, cap) : n
}

export const deepFreeze = <T>(value: T, seen = new Set<unknown>()): T => {
  if (typeof value !== 'object' || value === null || seen.has(value) || deeplyFrozen.has(value)) return value
  seen.add(value)
  for (const key of Reflect.ownKeys(value)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key], seen)
  }
  deeplyFrozen.add(value)
  return Object.freeze(value)
}

/** A JSON rendering that keeps `undefined` fields visible, for before/after comparisons. */
export const fingerprint = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v === undefined ? '<undefined>' : v))

/** Runs a stream through a fresh manager, calling `visit` after each event. */
export const runStream = (
  stream: EventStream,
  visit?: (state: Manager.Manager, index: number, before: Manager.Manager) => void,
): Manager.Manager => {
  let state = Manager.create(stream.start)
  stream.events.forEach(({ now, event }, index) => {
    const before = state
    state = Manager.reduce(state, event, now)
    visit?.(state, index, before)
  })
  return state
}

/** The kind a finished execution counts as in the metrics, if any. */
export const kindOf = (record: Execution.EndRecord | Metrics.Counted): Metrics.Kind | undefined =>
  Metrics.finishedKind(record)

export type Rows = ReadonlyArray<readonly [number, number]>

/** Expected counts of one node: `[jobTypeId, count]` rows per kind. */
export interface ExpectedNode {
  readonly running?: Rows
  readonly completed?: Rows
  readonly algorithm?: Rows
  readonly data?: Rows
  readonly system?: Rows
}

const countJson = (rows: Rows = []) => ({
  total: rows.reduce((sum, [, n]) => sum + n, 0),
  by_job_type: rows.map(([job_type_id, count]) => ({ job_type_id, count })),
})

/** The status JSON one node should have, written out independently of the library. */
export const nodeJson = (id: number | string, e: ExpectedNode = {}) => {
  const algorithm = countJson(e.algorithm)
  const data = countJson(e.data)
  const system = countJson(e.system)
  return {
    id,
    job_executions: {
      running: countJson(e.running),
      completed: countJson(e.completed),
      failed: { total: algorithm.total + data.total + system.total, algorithm, data, system },
    },
  }
}
