// The measuring functions: each builds or takes a state, times one thing, and
// returns plain figures. main.ts runs them in order; the smoke test runs them
// with tiny sizes.
import * as O from 'fp-ts/Option'
import { Execution, Manager, Metrics } from '../src/index'
import * as E from 'fp-ts/Either'
import { toInternal } from '../src/internal/managerState'
import { ROUND_STEP, type Engine } from './engine'
import {
  type BenchEvent,
  ALL_NODES,
  EVENTS_PER_LIFECYCLE,
  NODES,
  T0,
  batchRounds,
  coldWorkload,
  historyOf,
  lifecycleOf,
  phaseOf,
  specOf,
} from './fixtures'
import {
  clock,
  collect,
  wallClock,
  heapUsed,
  settle,
  tidy,
  microsPerCall,
  sink,
  summarize,
  type Repetitions,
  type Sample,
} from './timing'

/** Executions of the timed batches are numbered from here, apart from any background. */
export const BATCH_BASE = 50_000_000

/** When the background is built. */
export const BUILT_AT = T0

/** Executions scheduled per Scheduled event while building a background. */
const SCHEDULE_CHUNK = 1_000

/**
 * `n` executions running in `state`, spread over 100 nodes and 20 job types,
 * each at its phase (0..15 of its 16 lifecycle events applied). Not timed.
 */
export const buildBackground = <S>(engine: Engine<S>, n: number, state: S = engine.create(BUILT_AT)): S => {
  let next = state
  for (let first = 0; first < n; first += SCHEDULE_CHUNK) {
    const specs = []
    for (let i = first; i < Math.min(n, first + SCHEDULE_CHUNK); i++) specs.push(specOf(i, BUILT_AT))
    next = engine.schedule(next, specs, BUILT_AT)
  }
  for (let i = 0; i < n; i++) {
    const events = lifecycleOf(i, BUILT_AT).slice(0, phaseOf(i))
    for (const event of events) next = engine.apply(next, event, BUILT_AT)
  }
  if (engine.running(next) !== n) {
    throw new Error(`${engine.name}: background has ${engine.running(next)} running executions, not ${n}`)
  }
  return next
}

export interface LifecycleOptions extends Repetitions {
  /** Fresh executions per repetition, driven round-robin through their 16 events. */
  readonly batch: number
  /**
   * Whether a minor gc runs before each repetition (the default). Without it,
   * the steady state: the heap is settled once before the first repetition,
   * then every collection falls where the engine's own allocation puts it.
   */
  readonly forcedGc?: boolean
}

export interface LifecycleFigures {
  /** Microseconds per lifecycle event (median of repetitions). */
  readonly microsPerEvent: Sample
  /** Lifecycle events per second, from the median. */
  readonly eventsPerSecond: number
  /** Microseconds per execution to schedule the batch (one Scheduled event), not in the figure above. */
  readonly microsPerScheduled: Sample
  /** Executions that completed over all repetitions (warm-up included). */
  readonly completed: number
  /** Events timed per repetition. */
  readonly eventsPerRep: number
  /**
   * Microseconds per event of each kind (median over repetitions of the sum of
   * its 4 rounds, one per task); `finished` includes finishing the execution
   * after its post task (end record, outbox, metrics).
   */
  readonly byKind: Readonly<Record<EventKind, number>>
}

/** The four kinds of lifecycle event, in the order of an execution's rounds. */
export const EVENT_KINDS = ['started', 'launched', 'running', 'finished'] as const
export type EventKind = (typeof EVENT_KINDS)[number]

/** One lifecycle measurement whose repetitions can be interleaved with others'. */
export interface LifecycleRunner {
  /** Runs one repetition (the first settles the heap, later ones tidy it); warm-up repetitions are not recorded. */
  readonly rep: () => void
  /** The figures of the recorded repetitions so far. */
  readonly figures: () => LifecycleFigures
}

/**
 * The lifecycle cost with `n` executions already running in `background`
 * (which it does not change, or, for a mutable engine, leaves as it found it):
 * per repetition, `batch` fresh executions are scheduled (timed apart), then
 * driven round-robin through their 16 events (timed), then drained (not timed).
 */
export const lifecycleRunner = <S>(engine: Engine<S>, background: S, opts: LifecycleOptions): LifecycleRunner => {
  const n = engine.running(background)
  const eventTimes: number[] = []
  const scheduleTimes: number[] = []
  const kindTimes: Record<EventKind, number[]> = { started: [], launched: [], running: [], finished: [] }
  let completed = 0
  let state = background
  let r = 0
  const rep = (): void => {
    const at = BUILT_AT + 60_000 + r * EVENTS_PER_LIFECYCLE * ROUND_STEP
    // Fresh executions each repetition: the manager remembers finished ones and
    // would not run the same cluster ids again (delivery is at least once).
    const first = BATCH_BASE + r * opts.batch
    const specs = Array.from({ length: opts.batch }, (_, b) => specOf(first + b, BUILT_AT))
    const rounds = batchRounds(first, opts.batch, at)
    const roundTimes: number[] = []
    if (r === 0) settle()
    else if (opts.forcedGc !== false) tidy()
    const t0 = clock()
    state = engine.schedule(state, specs, at)
    const t1 = clock()
    // One round at a time (each at its own instant), to time each kind of
    // event: by the wall clock, which is cheap to read, as shares of the
    // repetition's CPU time (a reading of the CPU clock costs about 0.2 ms).
    for (let k = 0; k < rounds.length; k++) {
      const round = rounds[k]
      if (round === undefined) continue
      const start = wallClock()
      state = engine.drive(state, [round], at + k * ROUND_STEP)
      roundTimes.push(wallClock() - start)
    }
    const t2 = clock()
    let wallTotal = 0
    for (const ms of roundTimes) wallTotal += ms
    const share = wallTotal > 0 ? (t2 - t1) / wallTotal : 0
    for (let k = 0; k < roundTimes.length; k++) roundTimes[k] = (roundTimes[k] ?? 0) * share
    const [drained, next] = engine.drain(state, at + EVENTS_PER_LIFECYCLE * ROUND_STEP)
    state = next
    completed += drained.completed
    if (engine.running(state) !== n || drained.completed !== opts.batch) {
      throw new Error(
        `${engine.name}: after a batch ${engine.running(state)} running (expected ${n}), ` +
          `${drained.completed} completed (expected ${opts.batch})`,
      )
    }
    if (r >= opts.warmup) {
      scheduleTimes.push(((t1 - t0) * 1_000) / opts.batch)
      eventTimes.push(((t2 - t1) * 1_000) / (opts.batch * EVENTS_PER_LIFECYCLE))
      EVENT_KINDS.forEach((kind, j) => {
        let ms = 0
        for (let k = j; k < roundTimes.length; k += EVENT_KINDS.length) ms += roundTimes[k] ?? 0
        kindTimes[kind].push((ms * 1_000) / (opts.batch * (EVENTS_PER_LIFECYCLE / EVENT_KINDS.length)))
      })
    }
    r++
  }
  const figures = (): LifecycleFigures => {
    const microsPerEvent = summarize(eventTimes)
    return {
      microsPerEvent,
      eventsPerSecond: 1e6 / microsPerEvent.median,
      microsPerScheduled: summarize(scheduleTimes),
      completed,
      eventsPerRep: opts.batch * EVENTS_PER_LIFECYCLE,
      byKind: {
        started: summarize(kindTimes.started).median,
        launched: summarize(kindTimes.launched).median,
        running: summarize(kindTimes.running).median,
        finished: summarize(kindTimes.finished).median,
      },
    }
  }
  return { rep, figures }
}

/** All repetitions of one lifecycle measurement, in a row. */
export const measureLifecycle = <S>(engine: Engine<S>, background: S, opts: LifecycleOptions): LifecycleFigures => {
  const runner = lifecycleRunner(engine, background, opts)
  for (let r = 0; r < opts.warmup + opts.reps; r++) runner.rep()
  return runner.figures()
}

/** The background's instant for the queries: after it was built. */
export const QUERY_AT = BUILT_AT + 30_000

/** The manager with `n` finished executions spread over the 3-hour window before `QUERY_AT` added. */
export const withHistory = (state: Manager.Manager, n: number): Manager.Manager =>
  Manager.reduce(state, { type: 'HistoryLoaded', records: historyOf(n, QUERY_AT, Metrics.WINDOW_LENGTH) }, QUERY_AT)

export interface StatusFigures {
  /** Microseconds per statusJson call for the 100 nodes. */
  readonly microsPerCall: Sample
  /** Running, completed and failed totals over all nodes, as the status JSON says. */
  readonly running: number
  readonly finished: number
  /** by_job_type rows in one answer (its size). */
  readonly rows: number
}

/** statusJson for all 100 nodes of a manager (typically with history added). */
export const measureStatusJson = (state: Manager.Manager, opts: Repetitions): StatusFigures => {
  const answer = Manager.statusJson(state, ALL_NODES, QUERY_AT)
  let running = 0
  let finished = 0
  let rows = 0
  for (const node of answer) {
    const { running: r, completed, failed } = node.job_executions
    running += r.total
    finished += completed.total + failed.total
    rows += r.by_job_type.length + completed.by_job_type.length
    rows += failed.algorithm.by_job_type.length + failed.data.by_job_type.length + failed.system.by_job_type.length
  }
  const sample = microsPerCall(() => Manager.statusJson(state, ALL_NODES, QUERY_AT).length, opts)
  return { microsPerCall: sample, running, finished, rows }
}

export interface NodeLostFigures {
  /** Microseconds per NodeLost event. */
  readonly microsPerEvent: Sample
  /** Executions on the node (N/100). */
  readonly perNode: number
  /** Microseconds per execution on the node, from the median. */
  readonly microsPerExecution: number
  /** Executions still running after one NodeLost (failed ones wait for their task's final update). */
  readonly runningAfter: number
}

/**
 * NodeLost for one node at a time (cycling through the 100 nodes), each time
 * from the very same state: the manager is immutable, so each call starts
 * from `state`.
 */
export const measureNodeLost = (state: Manager.Manager, opts: Repetitions): NodeLostFigures => {
  const perNode = Manager.runningCount(state) / NODES
  const runningAfter = Manager.runningCount(Manager.reduce(state, { type: 'NodeLost', nodeId: 1 }, QUERY_AT))
  const sample = microsPerCall(
    (i) => Manager.runningCount(Manager.reduce(state, { type: 'NodeLost', nodeId: (i % NODES) + 1 }, QUERY_AT)),
    opts,
  )
  return { microsPerEvent: sample, perNode, microsPerExecution: sample.median / perNode, runningAfter }
}

export interface DeadlineFigures {
  readonly microsPerCall: Sample
  /** The deadline found, ms after the background was built. */
  readonly deadlineAfterBuild: number | undefined
}

export const measureNextDeadline = (state: Manager.Manager, opts: Repetitions): DeadlineFigures => {
  const deadline = Manager.nextDeadline(state)
  const sample = microsPerCall(() => {
    const next = Manager.nextDeadline(state)
    return O.isSome(next) ? next.value : 0
  }, opts)
  return { microsPerCall: sample, deadlineAfterBuild: O.isSome(deadline) ? deadline.value - BUILT_AT : undefined }
}

export interface HeapFigures<S> {
  /** Retained heap per running execution, in bytes. */
  readonly bytesPerExecution: number
  readonly executions: number
  /** Whether a full gc ran before each reading (`--expose-gc`); without it the figure is rough. */
  readonly exact: boolean
  /** The state built, still referenced, so that it stays retained until the caller drops it. */
  readonly state: S
}

/**
 * Builds a background of `n` executions between two heap readings after full
 * collections, and divides the difference by `n`. The state is returned (and
 * so retained across the second reading).
 */
export const measureHeap = <S>(engine: Engine<S>, n: number): HeapFigures<S> => {
  const empty = engine.create(BUILT_AT)
  collect()
  const before = heapUsed()
  const state = buildBackground(engine, n, empty)
  const after = heapUsed()
  sink(engine.running(state))
  return {
    bytesPerExecution: (after - before) / n,
    executions: n,
    exact: typeof globalThis.gc === 'function',
    state,
  }
}

/** What an engine ends with after the same background and the same batch lifecycles. */
export interface Outcome {
  readonly running: number
  readonly completed: number
  readonly failed: number
  readonly runningOnNode1: number
  /** The end records of the batch, sorted by cluster id, as JSON. */
  readonly records: string
}

/**
 * Builds a background of `n`, schedules `batch` fresh executions, drives them
 * through their lifecycles, drains: what came out. Equal outcomes mean the
 * implementations did the same work.
 */
export const outcomeOf = <S>(engine: Engine<S>, n: number, batch: number): Outcome => {
  let state = buildBackground(engine, n)
  const at = BUILT_AT + 60_000
  const specs = Array.from({ length: batch }, (_, b) => specOf(BATCH_BASE + b, BUILT_AT))
  state = engine.schedule(state, specs, at)
  state = engine.drive(state, batchRounds(BATCH_BASE, batch, at), at)
  const [drained, next] = engine.drain(state, at + EVENTS_PER_LIFECYCLE * ROUND_STEP)
  const records = [...drained.records].sort((a, b) =>
    a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0,
  )
  return {
    running: engine.running(next),
    completed: drained.completed,
    failed: drained.failed,
    runningOnNode1: engine.runningByNode(next, 1),
    records: JSON.stringify(records),
  }
}

/** What remembering finished executions costs (for at-least-once delivery). */
export interface RememberedFigures {
  /** Executions remembered: finished within the window, their end records drained. */
  readonly remembered: number
  /** Retained heap per remembered execution, in bytes (its id map entry, its group's list cell, its cluster id). */
  readonly bytesPerRemembered: number
  /** Whether a full gc ran before each heap reading. */
  readonly exact: boolean
  /** Microseconds per `Scheduled` delivered again for a remembered execution (the very same state comes back). */
  readonly microsPerRedelivered: Sample
  /** Microseconds per execution forgotten, when the window moves past the block they are remembered in. */
  readonly microsPerForgotten: number
}

// An execution without tasks: it finishes as it is scheduled, so it is remembered at once.
// Scheduled already finished (canceled before it started): the manager finishes it at once.
const finishedSpecOf = (i: number): Execution.Execution =>
  Execution.reduce(
    Execution.create({ ...specOf(BATCH_BASE + i, BUILT_AT), taskTypes: ['main'] }),
    { type: 'Canceled' },
    BUILT_AT,
  )

/**
 * `n` executions finished (and drained) between two heap readings; then a
 * `Scheduled` of one of them again, timed (a lookup that changes nothing);
 * then one event 3 h 10 min later that moves the window past them all, timed
 * once and divided by `n`.
 */
export const measureRemembered = (n: number, opts: Repetitions): RememberedFigures => {
  const empty = Manager.create(BUILT_AT)
  collect()
  const before = heapUsed()
  let state = empty
  for (let first = 0; first < n; first += SCHEDULE_CHUNK) {
    const specs = []
    for (let i = first; i < Math.min(n, first + SCHEDULE_CHUNK); i++) specs.push(finishedSpecOf(i))
    state = Manager.drain(Manager.reduce(state, { type: 'Scheduled', executions: specs }, BUILT_AT), BUILT_AT)[1]
  }
  const after = heapUsed()
  const remembered = toInternal(state).remembered.byId.size
  const again = Array.from({ length: Math.min(n, 1_000) }, (_, i) => finishedSpecOf(i))
  const mover0 = finishedSpecOf(0)
  const microsPerRedelivered = microsPerCall((i) => {
    const next = Manager.reduce(state, { type: 'Scheduled', executions: [again[i % again.length] ?? mover0] }, BUILT_AT)
    return next === state ? 1 : 0
  }, opts)
  const later = BUILT_AT + Metrics.WINDOW_LENGTH + 2 * Metrics.BLOCK_LENGTH
  const mover = { ...finishedSpecOf(n), queued: later, started: later }
  const started = clock()
  const moved = Manager.reduce(state, { type: 'Scheduled', executions: [mover] }, later)
  const microsPerForgotten = ((clock() - started) * 1_000) / Math.max(1, remembered)
  sink(toInternal(moved).remembered.byId.size)
  return {
    remembered,
    bytesPerRemembered: (after - before) / Math.max(1, remembered),
    exact: typeof globalThis.gc === 'function',
    microsPerRedelivered,
    microsPerForgotten,
  }
}

/** The cold workload's figures for one engine. */
export interface ColdFigures {
  /** Microseconds per event (a replacement's `Scheduled` counted as one). */
  readonly microsPerEvent: Sample
  /** Events per repetition. */
  readonly eventsPerRep: number
  /** Executions finished over all repetitions (warm-up included). */
  readonly completed: number
}

/** One cold measurement whose repetitions can be interleaved with others'. */
export interface ColdRunner {
  readonly rep: () => void
  readonly figures: () => ColdFigures
}

/**
 * The cold workload on `background` (a mutable engine's is changed: its
 * executions move on): repetition `r` applies `eventsOf(r)` (every engine
 * gets the same), timed, at one instant, then drains (not timed) and checks
 * that `n` are still running.
 */
export const coldRunner = <S>(
  engine: Engine<S>,
  background: S,
  eventsOf: (r: number) => { readonly at: number; readonly events: readonly BenchEvent[] },
  opts: Repetitions,
): ColdRunner => {
  const n = engine.running(background)
  const times: number[] = []
  let state = background
  let completed = 0
  let eventsPerRep = 0
  let r = 0
  const rep = (): void => {
    const { at, events } = eventsOf(r)
    if (r === 0) settle()
    else tidy()
    const t0 = clock()
    state = engine.step(state, events, at)
    const t1 = clock()
    const [drained, next] = engine.drain(state, at)
    state = next
    completed += drained.completed
    if (engine.running(state) !== n) {
      throw new Error(`${engine.name}: after a cold repetition ${engine.running(state)} running, not ${n}`)
    }
    if (r >= opts.warmup) times.push(((t1 - t0) * 1_000) / events.length)
    eventsPerRep = events.length
    r++
  }
  return { rep, figures: () => ({ microsPerEvent: summarize(times), eventsPerRep, completed }) }
}

/** Saving and restoring a snapshot of the manager. */
export interface SnapshotFigures {
  /** Running executions in the state saved. */
  readonly running: number
  /** Length of the JSON text, in MB (10^6 characters: it is ASCII). */
  readonly megabytes: number
  /** Milliseconds of `Manager.toSnapshot`, `JSON.stringify`, `JSON.parse`, `Manager.fromSnapshot`. */
  readonly toSnapshot: Sample
  readonly stringify: Sample
  readonly parse: Sample
  readonly fromSnapshot: Sample
  /** Milliseconds of save (toSnapshot + stringify) plus restore (parse + fromSnapshot), per round. */
  readonly total: Sample
  /** Retained heap of the restored state, in bytes (the original's is measured while building it). */
  readonly restoredBytes: number
  /** Whether every round restored. */
  readonly restored: boolean
}

/**
 * `rounds` times: toSnapshot, stringify, parse, fromSnapshot, each timed. In
 * the first round the restored state's retained heap is measured: a reading
 * after a full gc before saving, and one after restoring with the snapshot,
 * the text and the parsed JSON dropped.
 */
export const measureSnapshot = (state: Manager.Manager, rounds: number): SnapshotFigures => {
  const parts = { toSnapshot: [] as number[], stringify: [] as number[], parse: [] as number[], from: [] as number[] }
  const totals: number[] = []
  let megabytes = 0
  let restoredBytes = Number.NaN
  let restored = true
  const timed = <T>(into: number[], run: () => T): T => {
    const t0 = clock()
    const result = run()
    into.push(clock() - t0)
    return result
  }
  for (let round = 0; round < rounds; round++) {
    settle()
    const before = round === 0 ? heapUsed() : 0
    let snapshot: Manager.Snapshot | undefined = timed(parts.toSnapshot, () => Manager.toSnapshot(state))
    let text: string | undefined = timed(parts.stringify, () => JSON.stringify(snapshot))
    snapshot = undefined
    megabytes = text.length / 1e6
    let parsed: unknown = timed(parts.parse, (): unknown => JSON.parse(text ?? 'null'))
    text = undefined
    const back = timed(parts.from, () => Manager.fromSnapshot(parsed))
    parsed = undefined
    const i = parts.from.length - 1
    totals.push((parts.toSnapshot[i] ?? 0) + (parts.stringify[i] ?? 0) + (parts.parse[i] ?? 0) + (parts.from[i] ?? 0))
    if (E.isLeft(back)) restored = false
    else if (Manager.runningCount(back.right) !== Manager.runningCount(state)) restored = false
    if (round === 0) {
      // The snapshot, its text and the parsed JSON are dropped: the restored state is what stays.
      restoredBytes = heapUsed() - before
    }
    sink(E.isRight(back) ? Manager.runningCount(back.right) : 0)
  }
  return {
    running: Manager.runningCount(state),
    megabytes,
    toSnapshot: summarize(parts.toSnapshot),
    stringify: summarize(parts.stringify),
    parse: summarize(parts.parse),
    fromSnapshot: summarize(parts.from),
    total: summarize(totals),
    restoredBytes,
    restored,
  }
}

/**
 * Builds a background of `n`, then applies `reps` repetitions of `count`
 * events of the cold workload (the same stream for every engine), draining
 * after each: what came out, as {@link outcomeOf} gives it.
 */
export const coldOutcomeOf = <S>(engine: Engine<S>, n: number, reps: number, count: number): Outcome => {
  let state = buildBackground(engine, n)
  const stream = coldWorkload(n, BUILT_AT)
  const records: Execution.EndRecord[] = []
  let completed = 0
  let failed = 0
  for (let r = 0; r < reps; r++) {
    const at = BUILT_AT + 3_600_000 + r * 1_000
    state = engine.step(state, stream.next(count, at), at)
    const [drained, next] = engine.drain(state, at)
    state = next
    completed += drained.completed
    failed += drained.failed
    records.push(...drained.records)
  }
  records.sort((a, b) => (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0))
  return {
    running: engine.running(state),
    completed,
    failed,
    runningOnNode1: engine.runningByNode(state, 1),
    records: JSON.stringify(records),
  }
}
