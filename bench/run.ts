// The whole benchmark as one function: runs every measurement of a
// configuration in order and derives the ratios. bench/main.ts is its command line.
import * as os from 'node:os'
import type { Engine } from './engine'
import { measureDecode } from './decode'
import { measureHostPath, type HostPathFigures, type HostPathOptions } from './hostPath'
import { immutableEngine } from './immutable'
import { mutableEngine } from './mutable'
import { ratiosOf, type EngineKey, type HeapRow, type LifecycleRow, type Results } from './report'
import type { Manager } from '../src/index'
import {
  buildBackground,
  measureHeap,
  measureLifecycle,
  measureNextDeadline,
  measureNodeLost,
  measureRemembered,
  measureStatusJson,
  withHistory,
  type DeadlineFigures,
  type LifecycleOptions,
  type NodeLostFigures,
  type RememberedFigures,
  type StatusFigures,
} from './suite'
import { clock, gcExposed, type Repetitions } from './timing'
import { xstateActorEngine, xstatePureEngine } from './xstate'

export interface BenchConfig {
  readonly mode: 'full' | 'quick'
  /** Sizes of the running background. */
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
  /** Size at which the retained heap is measured (while building that background). */
  readonly heapN: number
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
  xstatePureNs: [1_000, 10_000],
  heapN: 100_000,
  lifecycle: { batch: 2_000, reps: 9, warmup: 1, minMs: 0 },
  query: { reps: 7, warmup: 1, minMs: 100 },
  hostPath: { batch: 2_000, reps: 9, warmup: 1 },
}

export const QUICK: BenchConfig = {
  mode: 'quick',
  ns: [500, 2_000],
  queryNs: [500, 2_000],
  xstateNs: [500, 2_000],
  xstatePureNs: [500, 2_000],
  heapN: 2_000,
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

interface Built<S> {
  readonly background: S
  readonly heap: HeapRow | undefined
}

const seconds = (since: number): string => `${((clock() - since) / 1_000).toFixed(1)} s`

// Builds a background of n, measuring the retained heap while doing so when asked.
const build = <S>(key: EngineKey, engine: Engine<S>, n: number, withHeap: boolean): Built<S> => {
  const started = clock()
  const measured = withHeap ? measureHeap(engine, n) : undefined
  const background = measured === undefined ? buildBackground(engine, n) : measured.state
  log(`  ${engine.name}: background of ${n} built in ${seconds(started)}`)
  return {
    background,
    heap:
      measured === undefined
        ? undefined
        : { engine: engine.name, key, n, bytesPerExecution: measured.bytesPerExecution, exact: measured.exact },
  }
}

// The size at which an engine's heap is measured: heapN, or its largest size below it.
const heapSizeOf = (sizes: readonly number[], config: BenchConfig): number =>
  Math.max(...sizes.filter((size) => size <= config.heapN))

/** A small untimed pass over every code path first, so that the first size measured is not the one that warms up the JIT. */
export const WARM_UP: BenchConfig = {
  mode: 'quick',
  ns: [2_000],
  queryNs: [2_000],
  xstateNs: [2_000],
  xstatePureNs: [2_000],
  heapN: 0,
  lifecycle: { batch: 500, reps: 2, warmup: 0, minMs: 0 },
  query: { reps: 1, warmup: 0, minMs: 5 },
  hostPath: { batch: 100, reps: 1, warmup: 0 },
}

/**
 * Runs everything in `config` (after an untimed warm-up pass unless told
 * not to); the figures and ratios of the run. Size after size, each engine on
 * its own (its background is the only large thing in the heap): build the
 * background (measuring the retained heap at heapN), time the lifecycle, and
 * for the real manager the queries; then drop it.
 */
export const runBench = (config: BenchConfig, warmUp = true): Results => {
  if (warmUp) {
    const warmUpStarted = clock()
    const saved = log
    log = () => undefined
    try {
      runBench(WARM_UP, false)
    } finally {
      log = saved
    }
    log(`warm-up pass: ${seconds(warmUpStarted)}`)
  }
  const started = clock()
  const loadAverageAtStart = os.loadavg()
  const lifecycle: LifecycleRow[] = []
  const heap: HeapRow[] = []
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

  const queries = (background: Manager.Manager, n: number): void => {
    if (!config.queryNs.includes(n)) return
    const at = clock()
    nodeLost.push({ ...measureNodeLost(background, config.query), n })
    nextDeadline.push({ ...measureNextDeadline(background, config.query), n })
    statusJson.push({ ...measureStatusJson(withHistory(background, n), config.query), n })
    hostPath.push({ ...measureHostPath(background, hostPathOptions), n })
    log(`  queries at ${n} in ${seconds(at)}`)
  }
  const engines = [
    { sizes: config.ns, run: (n: number, h: boolean) => one('immutable', immutableEngine, n, config, h, queries) },
    { sizes: config.ns, run: (n: number, h: boolean) => one('mutable', mutableEngine, n, config, h) },
    { sizes: config.xstateNs, run: (n: number, h: boolean) => one('xstate-actors', xstateActorEngine, n, config, h) },
    { sizes: config.xstatePureNs, run: (n: number, h: boolean) => one('xstate-pure', xstatePureEngine, n, config, h) },
  ]
  const sizes = [...new Set(engines.flatMap((e) => e.sizes))].sort((x, y) => x - y)
  for (const n of sizes) {
    log(`N = ${n} (at ${seconds(started)})`)
    for (const e of engines) {
      if (!e.sizes.includes(n)) continue
      const result = e.run(n, n === heapSizeOf(e.sizes, config))
      lifecycle.push(result.lifecycle)
      if (result.heap !== undefined) heap.push(result.heap)
    }
  }

  const decodeStarted = clock()
  const decode = measureDecode(config.query)
  log(
    `decoding: ${decode.pod.median.toFixed(3)} us per pod, ${decode.mesos.median.toFixed(3)} us per Mesos status (${seconds(decodeStarted)})`,
  )
  for (const n of config.queryNs) {
    const at = clock()
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
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg(),
    },
    mode: config.mode,
    config: { ...config },
    lifecycle,
    statusJson,
    nodeLost,
    nextDeadline,
    remembered,
    heap,
    decode,
    hostPath,
  }
  return { ...partial, ratios: ratiosOf(partial), seconds: (clock() - started) / 1_000 }
}

// One engine at one size: build (measuring the heap when asked), all lifecycle
// repetitions, then `after` on the background.
const one = <S>(
  key: EngineKey,
  engine: Engine<S>,
  n: number,
  config: BenchConfig,
  withHeap: boolean,
  after?: (background: S, n: number) => void,
): { lifecycle: LifecycleRow; heap: HeapRow | undefined } => {
  const built = build(key, engine, n, withHeap)
  const f = measureLifecycle(engine, built.background, config.lifecycle)
  log(`  ${engine.name} at ${n}: ${f.microsPerEvent.median.toFixed(3)} us/event`)
  after?.(built.background, n)
  return { lifecycle: { ...f, engine: engine.name, key, n }, heap: built.heap }
}
