// The whole benchmark as one function: runs every measurement of a
// configuration and derives the ratios. bench/main.ts is its command line.
//
// Size after size, every engine's background is built and kept, then the
// engines' repetitions are interleaved (one repetition of each in turn, the
// order rotating), so that whatever the shared machine does in a minute falls
// on all of them alike: the hot lifecycle with a minor gc before each
// repetition, the same without forced collections (the steady state), and the
// cold workload. Then the queries and the snapshots on the manager's background.
import * as os from 'node:os'
import type { Engine } from './engine'
import { measureDecode } from './decode'
import { BUILT_AT } from './suite'
import { coldWorkload, EVENTS_PER_LIFECYCLE, type BenchEvent } from './fixtures'
import { measureHostPath, type HostPathFigures, type HostPathOptions } from './hostPath'
import { batchedEngine, immutableEngine } from './immutable'
import { leanEngine } from './lean'
import { mutableEngine } from './mutable'
import {
  ratiosOf,
  type ColdRow,
  type EngineKey,
  type HeapRow,
  type LifecycleRow,
  type Results,
  type SnapshotRow,
} from './report'
import type { Manager } from '../src/index'
import {
  buildBackground,
  coldRunner,
  lifecycleRunner,
  measureHeap,
  measureNextDeadline,
  measureNodeLost,
  measureRemembered,
  measureSnapshot,
  measureStatusJson,
  withHistory,
  type ColdRunner,
  type DeadlineFigures,
  type LifecycleOptions,
  type LifecycleRunner,
  type NodeLostFigures,
  type RememberedFigures,
  type StatusFigures,
} from './suite'
import { CLOCK_KIND, gcExposed, wallClock, type Repetitions } from './timing'
import { xstateActorEngine, xstatePureEngine } from './xstate'

export interface BenchConfig {
  readonly mode: 'full' | 'quick'
  /** Sizes of the running background (the manager, single and batched, and both floors). */
  readonly ns: readonly number[]
  /** Sizes at which statusJson, NodeLost and nextDeadline are measured. */
  readonly queryNs: readonly number[]
  /** Sizes at which the XState actor design runs. */
  readonly xstateNs: readonly number[]
  /**
   * Sizes at which XState's pure transition() design runs: it is 2 to 3 times
   * slower than the actors at every size, so building its 100k background
   * (about 20 s) would buy no information.
   */
  readonly xstatePureNs: readonly number[]
  /** Size at which the retained heap of every engine is measured (while building its background). */
  readonly heapN: number
  /** Sizes at which a snapshot of the manager is saved and restored (its heap is measured there too). */
  readonly snapshotNs: readonly number[]
  /** Rounds of save and restore at each snapshot size. */
  readonly snapshotRounds: number
  readonly lifecycle: LifecycleOptions
  readonly query: Repetitions
  /** The host path, at every query size (default: the lifecycle's batch and repetitions). */
  readonly hostPath?: HostPathOptions
}

export const FULL: BenchConfig = {
  mode: 'full',
  ns: [1_000, 10_000, 100_000],
  queryNs: [1_000, 10_000, 100_000],
  xstateNs: [1_000, 10_000, 100_000],
  // Its 73 us per event make it the longest part of a run on a shared machine;
  // one size shows where it stands.
  xstatePureNs: [1_000],
  heapN: 100_000,
  snapshotNs: [10_000, 100_000],
  snapshotRounds: 3,
  lifecycle: { batch: 1_000, reps: 5, warmup: 1, minMs: 0 },
  query: { reps: 5, warmup: 1, minMs: 100 },
  hostPath: { batch: 1_000, reps: 5, warmup: 1 },
}

export const QUICK: BenchConfig = {
  mode: 'quick',
  ns: [500, 2_000],
  queryNs: [500, 2_000],
  xstateNs: [500, 2_000],
  xstatePureNs: [500],
  heapN: 2_000,
  snapshotNs: [2_000],
  snapshotRounds: 1,
  lifecycle: { batch: 200, reps: 3, warmup: 1, minMs: 0 },
  query: { reps: 3, warmup: 1, minMs: 5 },
}

let log = (message: string): void => {
  process.stderr.write(`${message}\n`)
}

/** Where progress lines go (standard error by default). */
export const setLog = (to: (message: string) => void): void => {
  log = to
}

const seconds = (since: number): string => `${((wallClock() - since) / 1_000).toFixed(1)} s`

/** A small untimed pass over every code path first, so that the first size measured is not the one that warms up the JIT. */
export const WARM_UP: BenchConfig = {
  mode: 'quick',
  ns: [1_000],
  queryNs: [1_000],
  xstateNs: [1_000],
  xstatePureNs: [1_000],
  heapN: 0,
  snapshotNs: [1_000],
  snapshotRounds: 1,
  lifecycle: { batch: 200, reps: 2, warmup: 0, minMs: 0 },
  query: { reps: 1, warmup: 0, minMs: 5 },
  hostPath: { batch: 100, reps: 1, warmup: 0 },
}

// One engine in the comparison. The batched manager shares the manager's
// background (an immutable value); the others build their own.
interface Contender<S> {
  readonly key: EngineKey
  readonly engine: Engine<S>
  readonly sizes: readonly number[]
  /** Whether it runs in the steady-state (no forced gc) series too. */
  readonly steady: boolean
}

// A contender with its state type hidden: what the interleaving loop needs.
interface Entrant {
  readonly key: EngineKey
  readonly name: string
  readonly steady: boolean
  readonly hot: LifecycleRunner
  readonly steadyRunner: LifecycleRunner | undefined
  readonly cold: ColdRunner
}

const entrant = <S>(
  c: Contender<S>,
  background: S,
  config: BenchConfig,
  coldEvents: (r: number) => { readonly at: number; readonly events: readonly BenchEvent[] },
): Entrant => ({
  key: c.key,
  name: c.engine.name,
  steady: c.steady,
  hot: lifecycleRunner(c.engine, background, config.lifecycle),
  steadyRunner: c.steady ? lifecycleRunner(c.engine, background, { ...config.lifecycle, forcedGc: false }) : undefined,
  cold: coldRunner(c.engine, background, coldEvents, config.lifecycle),
})

// Every runner's repetitions in turn, the first runner of a turn rotating.
const interleave = (runs: ReadonlyArray<() => void>, repetitions: number): void => {
  for (let r = 0; r < repetitions; r++) {
    for (let j = 0; j < runs.length; j++) runs[(r + j) % runs.length]?.()
  }
}

/**
 * Runs everything in `config` (after an untimed warm-up pass unless told
 * not to); the figures and ratios of the run.
 */
export const runBench = (config: BenchConfig, warmUp = true): Results => {
  if (warmUp) {
    const warmUpStarted = wallClock()
    const saved = log
    log = () => undefined
    try {
      runBench(WARM_UP, false)
    } finally {
      log = saved
    }
    log(`warm-up pass: ${seconds(warmUpStarted)}`)
  }
  const started = wallClock()
  const loadAverageAtStart = os.loadavg()
  const lifecycle: LifecycleRow[] = []
  const steady: LifecycleRow[] = []
  const cold: ColdRow[] = []
  const heap: HeapRow[] = []
  const snapshots: SnapshotRow[] = []
  const statusJson: Array<StatusFigures & { n: number }> = []
  const nodeLost: Array<NodeLostFigures & { n: number }> = []
  const nextDeadline: Array<DeadlineFigures & { n: number }> = []
  const remembered: Array<RememberedFigures & { n: number }> = []
  const hostPath: Array<HostPathFigures & { n: number }> = []
  const hostPathOptions = config.hostPath ?? {
    batch: config.lifecycle.batch,
    reps: config.lifecycle.reps,
    warmup: config.lifecycle.warmup,
  }

  const sizes = [...new Set([...config.ns, ...config.xstateNs, ...config.xstatePureNs])].sort((x, y) => x - y)
  for (const n of sizes) {
    log(`N = ${n} (at ${seconds(started)})`)
    const entrants: Entrant[] = []
    // The cold stream: the same events for every engine, made once per repetition.
    const stream = coldWorkload(n, BUILT_AT)
    const coldReps: Array<{ readonly at: number; readonly events: readonly BenchEvent[] }> = []
    const eventsPerRep = config.lifecycle.batch * EVENTS_PER_LIFECYCLE
    const coldEvents = (r: number): { readonly at: number; readonly events: readonly BenchEvent[] } => {
      while (coldReps.length <= r) {
        const at = BUILT_AT + 3_600_000 + coldReps.length * 1_000
        coldReps.push({ at, events: stream.next(eventsPerRep, at) })
      }
      const found = coldReps[r]
      if (found === undefined) throw new Error(`no cold repetition ${r}`)
      return found
    }
    const add = <S>(c: Contender<S>, reuse?: S): S | undefined => {
      if (!c.sizes.includes(n)) return undefined
      const at = wallClock()
      const withHeap = n === config.heapN || (c.key === 'immutable' && config.snapshotNs.includes(n))
      let background = reuse
      if (background === undefined) {
        if (withHeap) {
          const measured = measureHeap(c.engine, n)
          background = measured.state
          heap.push({
            engine: c.engine.name,
            key: c.key,
            n,
            bytesPerExecution: measured.bytesPerExecution,
            exact: measured.exact,
          })
        } else background = buildBackground(c.engine, n)
        log(`  ${c.engine.name}: background of ${n} built in ${seconds(at)}`)
      }
      entrants.push(entrant(c, background, config, coldEvents))
      return background
    }
    const manager: Manager.Manager | undefined = add({
      key: 'immutable',
      engine: immutableEngine,
      sizes: config.ns,
      steady: true,
    })
    add({ key: 'batched', engine: batchedEngine, sizes: config.ns, steady: true }, manager)
    add({ key: 'lean', engine: leanEngine, sizes: config.ns, steady: true })
    add({ key: 'mutable', engine: mutableEngine, sizes: config.ns, steady: true })
    add({ key: 'xstate-actors', engine: xstateActorEngine, sizes: config.xstateNs, steady: false })
    add({ key: 'xstate-pure', engine: xstatePureEngine, sizes: config.xstatePureNs, steady: false })

    const repetitions = config.lifecycle.warmup + config.lifecycle.reps
    let at = wallClock()
    interleave(
      entrants.map((e) => e.hot.rep),
      repetitions,
    )
    for (const e of entrants) lifecycle.push({ ...e.hot.figures(), engine: e.name, key: e.key, n })
    log(`  hot lifecycle, interleaved, in ${seconds(at)}`)
    at = wallClock()
    interleave(
      entrants.flatMap((e) => (e.steadyRunner === undefined ? [] : [e.steadyRunner.rep])),
      repetitions,
    )
    for (const e of entrants) {
      if (e.steadyRunner !== undefined) steady.push({ ...e.steadyRunner.figures(), engine: e.name, key: e.key, n })
    }
    log(`  steady state (no forced gc), interleaved, in ${seconds(at)}`)
    at = wallClock()
    interleave(
      entrants.map((e) => e.cold.rep),
      repetitions,
    )
    for (const e of entrants) cold.push({ ...e.cold.figures(), engine: e.name, key: e.key, n })
    log(`  cold workload, interleaved, in ${seconds(at)} (${stream.replaced()} executions replaced)`)
    for (const e of entrants) {
      const row = lifecycle.find((x) => x.key === e.key && x.n === n)
      const c = cold.find((x) => x.key === e.key && x.n === n)
      log(
        `  ${e.name} at ${n}: ${row?.microsPerEvent.median.toFixed(3)} us/event hot, ${c?.microsPerEvent.median.toFixed(3)} cold`,
      )
    }
    // Only the manager's background stays for the queries and the snapshots.
    entrants.length = 0
    coldReps.length = 0
    if (manager !== undefined && config.queryNs.includes(n)) {
      at = wallClock()
      nodeLost.push({ ...measureNodeLost(manager, config.query), n })
      nextDeadline.push({ ...measureNextDeadline(manager, config.query), n })
      statusJson.push({ ...measureStatusJson(withHistory(manager, n), config.query), n })
      hostPath.push({ ...measureHostPath(manager, hostPathOptions), n })
      log(`  queries at ${n} in ${seconds(at)}`)
    }
    if (manager !== undefined && config.snapshotNs.includes(n) && config.snapshotRounds > 0) {
      at = wallClock()
      const original = heap.find((row) => row.key === 'immutable' && row.n === n)
      const figures = measureSnapshot(manager, config.snapshotRounds)
      snapshots.push({ ...figures, n, originalBytes: (original?.bytesPerExecution ?? Number.NaN) * n })
      log(`  snapshots at ${n} in ${seconds(at)}`)
    }
  }

  const decodeStarted = wallClock()
  const decode = measureDecode(config.query)
  log(
    `decoding: ${decode.pod.median.toFixed(3)} us per pod, ${decode.mesos.median.toFixed(3)} us per Mesos status (${seconds(decodeStarted)})`,
  )
  for (const n of config.queryNs) {
    const at = wallClock()
    remembered.push({ ...measureRemembered(n, config.query), n })
    log(`  remembered finished executions at ${n} in ${seconds(at)}`)
  }

  const partial = {
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      gcExposed: gcExposed(),
      clock: CLOCK_KIND,
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg(),
    },
    mode: config.mode,
    config: { ...config },
    lifecycle,
    steady,
    cold,
    statusJson,
    nodeLost,
    nextDeadline,
    remembered,
    heap,
    snapshots,
    decode,
    hostPath,
  }
  return { ...partial, ratios: ratiosOf(partial), seconds: (wallClock() - started) / 1_000 }
}
