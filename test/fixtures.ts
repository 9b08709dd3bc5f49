// Shared helpers for the property tests.
import { type Execution, Manager, Metrics } from '../src/index'
import type { EventStream } from '../src/testing'

/** Freezes a value and everything reachable from it. */
export const deepFreeze = <T>(value: T, seen = new Set<unknown>()): T => {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value
  seen.add(value)
  for (const key of Reflect.ownKeys(value)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key], seen)
  }
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
