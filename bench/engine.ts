// What the benchmark asks of each implementation of the job-execution logic:
// the real (immutable) manager, the plain mutable floor, and the XState designs.
import type { Execution } from '../src/index'
import type { BenchEvent, LifecycleEvent } from './fixtures'

/** What a drain found in the outbox. */
export interface Drained {
  /** End records of executions that completed. */
  readonly completed: number
  /** End records of executions that failed. */
  readonly failed: number
  /** All end records. */
  readonly ended: number
  /** The end records themselves, for comparing implementations. */
  readonly records: readonly Execution.EndRecord[]
}

/**
 * One implementation. `S` is its state: an immutable value for the real
 * manager and for XState's pure `transition`, a mutable object (returned as it
 * is) for the others.
 */
export interface Engine<S> {
  readonly name: string
  readonly create: (now: number) => S
  /** One scheduling event with all `specs`. */
  readonly schedule: (state: S, specs: readonly Execution.ExecutionSpec[], now: number) => S
  /** One lifecycle event. */
  readonly apply: (state: S, event: LifecycleEvent, now: number) => S
  /**
   * Every event of every round, in order; round `k` at `now + k * ROUND_STEP`.
   * Each engine has its own loop so that its call sites stay monomorphic.
   */
  readonly drive: (state: S, rounds: ReadonlyArray<readonly LifecycleEvent[]>, now: number) => S
  /** Every event in order, all at `now` (the cold workload); each engine has its own loop. */
  readonly step: (state: S, events: readonly BenchEvent[], now: number) => S
  /** How many executions are running. */
  readonly running: (state: S) => number
  /** Running executions per node, from the implementation's counters. */
  readonly runningByNode: (state: S, nodeId: number) => number
  /** Empties the outbox. */
  readonly drain: (state: S, now: number) => readonly [Drained, S]
}

/** Milliseconds between two rounds of a batch. */
export const ROUND_STEP = 250

/** Counts the end records by status. */
export const drainedOf = (records: readonly Execution.EndRecord[]): Drained => {
  let completed = 0
  let failed = 0
  for (const record of records) {
    if (record.status === 'COMPLETED') completed++
    else if (record.status === 'FAILED') failed++
  }
  return { completed, failed, ended: records.length, records }
}
