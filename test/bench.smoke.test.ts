// Smoke test of the benchmark (bench/): its measuring functions run with tiny
// sizes and give finite positive figures, and the floors (the indexed lean one
// and the old one), the batched manager and the XState designs end in the same
// outcome as the real manager for the same lifecycle and for the same cold
// workload. No timing is asserted: figures depend on the machine.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as v8 from 'node:v8'
import * as vm from 'node:vm'
import { beforeAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/Either'
import { decodeInputs, measureDecode } from '../bench/decode'
import { measureHostPath } from '../bench/hostPath'
import type { Engine } from '../bench/engine'
import { batchedEngine, immutableEngine } from '../bench/immutable'
import { indexSizes, leanEngine } from '../bench/lean'
import { mutableEngine } from '../bench/mutable'
import type { Results } from '../bench/report'
import { render } from '../bench/report'
import { runBench, setLog, type BenchConfig } from '../bench/run'
import { coldWorkload } from '../bench/fixtures'
import {
  BUILT_AT,
  buildBackground,
  coldOutcomeOf,
  coldRunner,
  measureHeap,
  measureLifecycle,
  measureNextDeadline,
  measureNodeLost,
  measureRemembered,
  measureSnapshot,
  measureStatusJson,
  outcomeOf,
  withHistory,
  type LifecycleFigures,
} from '../bench/suite'
import { xstateActorEngine, xstatePureEngine } from '../bench/xstate'
import type { Sample } from '../bench/timing'
import { Manager, TaskUpdate } from '../src/index'
import { toInternal } from '../src/internal/managerState'

const TINY = { batch: 100, reps: 2, warmup: 1, minMs: 0 } as const
const QUERY = { reps: 2, warmup: 0, minMs: 1 } as const

const positive = (x: number): void => {
  expect(Number.isFinite(x)).toBe(true)
  expect(x).toBeGreaterThan(0)
}

// A repetition this small can read 0 µs of CPU time when the machine is busy
// (the thread's clock is only booked at scheduler events): a sample is sound
// when no figure is negative, the slowest is positive and the order holds.
const soundSample = (s: Sample): void => {
  for (const x of [s.median, s.min, s.max]) expect(Number.isFinite(x) && x >= 0).toBe(true)
  positive(s.max)
  expect(s.min).toBeLessThanOrEqual(s.median)
  expect(s.median).toBeLessThanOrEqual(s.max)
  expect(s.runs).toBeGreaterThan(0)
}

const positiveLifecycle = (f: LifecycleFigures): void => {
  soundSample(f.microsPerEvent)
  soundSample(f.microsPerScheduled)
  expect(f.eventsPerSecond).toBeGreaterThan(0)
  for (const value of Object.values(f.byKind)) expect(Number.isFinite(value) && value >= 0).toBe(true)
  expect(f.eventsPerRep).toBe(TINY.batch * 16)
}

// The heap figure needs a garbage collector; expose one inside this worker.
beforeAll(() => {
  if (typeof globalThis.gc === 'function') return
  v8.setFlagsFromString('--expose-gc')
  const gc: unknown = vm.runInNewContext('gc')
  if (typeof gc === 'function') globalThis.gc = gc as NodeJS.GCFunction
})

describe('the implementations compared do the same work', () => {
  const reference = outcomeOf(immutableEngine, 300, 40)

  it('the real manager completes the batch and keeps the background running', () => {
    expect(reference.running).toBe(300)
    expect(reference.completed).toBe(40)
    expect(reference.failed).toBe(0)
    expect(reference.runningOnNode1).toBe(3)
  })

  const peers: ReadonlyArray<readonly [string, () => ReturnType<typeof outcomeOf>]> = [
    ['indexed lean floor', () => outcomeOf(leanEngine, 300, 40)],
    ['old floor', () => outcomeOf(mutableEngine, 300, 40)],
    ['Manager.reduceMany in batches of 100', () => outcomeOf(batchedEngine, 300, 40)],
    ['XState actors', () => outcomeOf(xstateActorEngine, 300, 40)],
    ['XState pure transition()', () => outcomeOf(xstatePureEngine, 300, 40)],
  ]
  it.each(peers)('%s ends as the real manager: same counts, same end records', (_name, run) => {
    const outcome = run()
    expect(outcome.running).toBe(reference.running)
    expect(outcome.completed).toBe(reference.completed)
    expect(outcome.failed).toBe(reference.failed)
    expect(outcome.runningOnNode1).toBe(reference.runningOnNode1)
    expect(outcome.records).toBe(reference.records)
  })

  // The cold workload: 4,000 events to random executions among 300, so that
  // each goes round its lifecycle many times and is replaced when it finishes.
  const coldReference = coldOutcomeOf(immutableEngine, 300, 4, 1_000)

  it('the real manager finishes and replaces executions under the cold workload, keeping 300 running', () => {
    expect(coldReference.running).toBe(300)
    expect(coldReference.completed).toBeGreaterThan(100)
    expect(coldReference.failed).toBe(0)
    expect(coldReference.runningOnNode1).toBe(3)
  })

  const coldPeers: ReadonlyArray<readonly [string, () => ReturnType<typeof coldOutcomeOf>]> = [
    ['indexed lean floor', () => coldOutcomeOf(leanEngine, 300, 4, 1_000)],
    ['old floor', () => coldOutcomeOf(mutableEngine, 300, 4, 1_000)],
    ['Manager.reduceMany in batches of 100', () => coldOutcomeOf(batchedEngine, 300, 4, 1_000)],
    ['XState actors', () => coldOutcomeOf(xstateActorEngine, 300, 4, 1_000)],
    ['XState pure transition()', () => coldOutcomeOf(xstatePureEngine, 300, 4, 1_000)],
  ]
  it.each(coldPeers)('%s ends the cold workload as the real manager: same counts, same end records', (_name, run) => {
    const outcome = run()
    expect(outcome.running).toBe(coldReference.running)
    expect(outcome.completed).toBe(coldReference.completed)
    expect(outcome.failed).toBe(coldReference.failed)
    expect(outcome.runningOnNode1).toBe(coldReference.runningOnNode1)
    expect(outcome.records).toBe(coldReference.records)
  })

  it('the indexed lean floor keeps the indexes the manager keeps', () => {
    const built = buildBackground(immutableEngine, 300)
    const manager = toInternal(built)
    const lean = buildBackground(leanEngine, 300)
    const sizes = indexSizes(lean)
    expect(sizes.executionIds).toBe(manager.byExecutionId.size)
    expect(sizes.ready).toBe(manager.ready.size)
    expect(sizes.deadlines).toBe(manager.deadlines.keys.size)
    expect(sizes.nodes).toBe(100)
    expect(sizes.jobs).toBe(300)
    const next = Manager.nextDeadline(built)
    expect(next._tag === 'Some' ? next.value : undefined).toBe(lean.deadlines[0]?.deadlineKey)
  })
})

describe('measuring functions give finite positive figures (quick sizes)', () => {
  const lifecycleOf = <S>(engine: Engine<S>): LifecycleFigures =>
    measureLifecycle(engine, buildBackground(engine, 200), TINY)

  it('lifecycle through Manager.reduce', () => {
    const f = lifecycleOf(immutableEngine)
    positiveLifecycle(f)
    expect(f.completed).toBe(TINY.batch * (TINY.reps + TINY.warmup))
  })
  it('lifecycle on the indexed lean floor', () => positiveLifecycle(lifecycleOf(leanEngine)))
  it('lifecycle on the old floor', () => positiveLifecycle(lifecycleOf(mutableEngine)))
  it('lifecycle through Manager.reduceMany', () => positiveLifecycle(lifecycleOf(batchedEngine)))
  it('lifecycle in the steady state (no forced gc)', () =>
    positiveLifecycle(
      measureLifecycle(immutableEngine, buildBackground(immutableEngine, 200), { ...TINY, forcedGc: false }),
    ))

  it('the cold workload', () => {
    const stream = coldWorkload(200, BUILT_AT)
    const reps: Array<{ at: number; events: ReturnType<typeof stream.next> }> = []
    const runner = coldRunner(
      immutableEngine,
      buildBackground(immutableEngine, 200),
      (r) => {
        while (reps.length <= r)
          reps.push({ at: BUILT_AT + 3_600_000 + reps.length, events: stream.next(2_000, BUILT_AT) })
        return reps[r] ?? { at: 0, events: [] }
      },
      TINY,
    )
    for (let r = 0; r < TINY.warmup + TINY.reps; r++) runner.rep()
    const f = runner.figures()
    soundSample(f.microsPerEvent)
    expect(f.eventsPerRep).toBeGreaterThanOrEqual(2_000)
    expect(f.completed).toBeGreaterThan(0)
  })

  it('a snapshot saved and restored', () => {
    const f = measureSnapshot(buildBackground(immutableEngine, 500), 2)
    expect(f.restored).toBe(true)
    expect(f.running).toBe(500)
    positive(f.megabytes)
    soundSample(f.total)
    soundSample(f.fromSnapshot)
    positive(f.restoredBytes)
  })
  it('lifecycle on XState actors', () => positiveLifecycle(lifecycleOf(xstateActorEngine)))
  it('lifecycle on XState pure transition()', () => positiveLifecycle(lifecycleOf(xstatePureEngine)))

  it('statusJson, NodeLost and nextDeadline', () => {
    const background = buildBackground(immutableEngine, 500)
    const status = measureStatusJson(withHistory(background, 500), QUERY)
    soundSample(status.microsPerCall)
    expect(status.running).toBe(500)
    expect(status.finished).toBe(500)
    expect(status.rows).toBeGreaterThan(0)

    const lost = measureNodeLost(background, QUERY)
    soundSample(lost.microsPerEvent)
    positive(lost.microsPerExecution)
    expect(lost.perNode).toBe(5)
    expect(lost.runningAfter).toBeLessThan(500)

    const deadline = measureNextDeadline(background, QUERY)
    soundSample(deadline.microsPerCall)
    expect(deadline.deadlineAfterBuild).toBeDefined()
  })

  it('decoding a pod and a Mesos status of the same outcomes', () => {
    const figures = measureDecode(QUERY)
    soundSample(figures.mesos)
    soundSample(figures.pod)
    expect(figures.inputs).toBeGreaterThan(0)
    expect(figures.decoded).toBe(2 * figures.inputs)
    const { statuses, pods } = decodeInputs()
    const same = statuses.map((s, i) => {
      const a = TaskUpdate.fromMesos(s)
      const b = TaskUpdate.fromKubernetesPod(pods[i])
      return E.isRight(a) && E.isRight(b) ? [a.right.taskId, a.right.status] : ['mesos', 'pod']
    })
    expect(same).toEqual(
      pods.map((p) => {
        const b = TaskUpdate.fromKubernetesPod(p)
        return E.isRight(b) ? [b.right.taskId, b.right.status] : ['pod']
      }),
    )
  })

  it('the host path: logged Mesos status lines decoded, reduced and drained', () => {
    const f = measureHostPath(buildBackground(immutableEngine, 300), { batch: 20, reps: 2, warmup: 1 })
    soundSample(f.decode)
    soundSample(f.decodeByCodec)
    soundSample(f.reduce)
    soundSample(f.ratio)
    // 4 tasks, a RUNNING and a FINISHED line each.
    expect(f.lines).toBe(20 * 8)
    positive(f.meanLength)
  })

  it('remembered finished executions: heap, a redelivered Scheduled, forgetting', () => {
    const f = measureRemembered(1_500, QUERY)
    expect(f.remembered).toBe(1_500)
    expect(f.exact).toBe(true)
    positive(f.bytesPerRemembered)
    soundSample(f.microsPerRedelivered)
    positive(f.microsPerForgotten)
  })

  it('retained heap per execution', () => {
    const heap = measureHeap(immutableEngine, 2_000)
    expect(heap.exact).toBe(true)
    positive(heap.bytesPerExecution)
    expect(immutableEngine.running(heap.state)).toBe(2_000)
  })
})

const finiteResults = (results: Results): void => {
  const keys = ['immutable', 'batched', 'lean', 'mutable']
  expect(results.lifecycle.map((row) => row.key).sort()).toEqual(
    [...keys, ...keys, 'xstate-actors', 'xstate-pure'].sort(),
  )
  for (const row of results.lifecycle) positive(row.microsPerEvent.median)
  expect((results.steady ?? []).map((row) => row.key).sort()).toEqual([...keys, ...keys].sort())
  expect((results.cold ?? []).map((row) => row.key).sort()).toEqual(
    [...keys, ...keys, 'xstate-actors', 'xstate-pure'].sort(),
  )
  for (const row of [...(results.steady ?? []), ...(results.cold ?? [])]) positive(row.microsPerEvent.median)
  expect((results.snapshots ?? []).map((row) => row.n)).toEqual([400])
  expect(results.statusJson.length).toBe(2)
  expect(results.nodeLost.length).toBe(2)
  expect(results.nextDeadline.length).toBe(2)
  expect(results.heap.length).toBeGreaterThan(0)
  // Every row of issue 14's table has its figure.
  expect(results.ratios.filter((ratio) => ratio.measured === false).map((ratio) => ratio.name)).toEqual([])
  expect(results.hostPath?.map((row) => row.n)).toEqual([200, 400])
  for (const ratio of results.ratios) if (ratio.measured !== false) positive(ratio.value)
  for (const goal of [
    'lean floor',
    'reduceMany',
    'XState v5 actors',
    'retained heap',
    'snapshot save',
    'NodeLost',
    'host path',
  ]) {
    expect(results.ratios.some((ratio) => ratio.name.includes(goal))).toBe(true)
  }
}

describe('the whole run', () => {
  it('runBench at tiny sizes gives every figure and ratio, and renders them', () => {
    const tiny: BenchConfig = {
      mode: 'quick',
      ns: [200, 400],
      queryNs: [200, 400],
      xstateNs: [400],
      xstatePureNs: [200],
      heapN: 400,
      snapshotNs: [400],
      snapshotRounds: 1,
      lifecycle: TINY,
      query: QUERY,
    }
    setLog(() => undefined)
    const results = runBench(tiny, false)
    finiteResults(results)
    const text = render(results)
    expect(text).toContain('Ratios and goals')
    expect(text).toMatch(/PASS|MISS/)
  })

  // A child process doing the whole quick run (about 40 s of CPU): on a shared machine its wall time is several times that.
  it('`bench/main.ts --quick --json FILE` writes the same figures as JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'))
    try {
      const file = join(dir, 'bench.json')
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/main.ts', '--quick', '--json', file], {
        cwd: join(__dirname, '..'),
        encoding: 'utf8',
      })
      expect(child.status, child.stderr).toBe(0)
      expect(child.stdout).toContain('Ratios and goals')
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
      const results = parsed as Results
      expect(results.mode).toBe('quick')
      expect(results.machine.gcExposed).toBe(true)
      expect(results.lifecycle.length).toBeGreaterThanOrEqual(6)
      for (const row of results.lifecycle) positive(row.microsPerEvent.median)
      for (const ratio of results.ratios) if (ratio.measured !== false) positive(ratio.value)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 600_000)
})
