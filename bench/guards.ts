// The cost of the guards at the reducers' entry: what Manager.reduce checks of
// a Scheduled event (specs, whole executions) and of a CanceledOffQueue event
// (end records) before applying it, and the job error check they share.
//
//   npx tsx bench/guards.ts                  the guards of this tree
//   npx tsx bench/guards.ts /tmp/base/src    and those of another tree, interleaved
//
// With a second tree (say `git archive <commit> src | tar -x -C /tmp/base`),
// each round times every guard of both trees in turn, alternating which goes
// first, so that both see the same machine; the figures are main-thread CPU
// nanoseconds per checked value: median and range over the rounds.
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import { Execution } from '../src/index'
import { T0, specOf } from './fixtures'
import { microsPerCall, sinkValue, type Sample } from './timing'

type Guard = (value: unknown) => unknown

interface Guards {
  readonly spec: Guard
  readonly execution: Guard
  readonly endRecord: Guard
  readonly jobError: Guard
  readonly scheduled: Guard
}

const load = async (src: string): Promise<Guards> => {
  const at = (path: string): string => pathToFileURL(resolve(src, path)).href
  const executionGuard = (await import(at('internal/executionGuard.ts'))) as Record<string, Guard>
  const recordGuards = (await import(at('internal/recordGuards.ts'))) as Record<string, Guard>
  const shapes = (await import(at('internal/shapes.ts'))) as Record<string, Guard>
  const eventGuards = (await import(at('internal/eventGuards.ts'))) as Record<string, Guard>
  // Absent from trees before the guards were generated from the field tables.
  const records = async (): Promise<Record<string, Guard>> =>
    (await import(at('internal/fieldGuards.ts'))) as Record<string, Guard>
  const pick = (from: Record<string, Guard>, name: string): Guard => {
    const guard = from[name]
    if (typeof guard !== 'function') throw new Error(`${src}: no ${name}`)
    return guard
  }
  return {
    spec: pick(executionGuard, 'isExecutionSpec'),
    execution: pick(executionGuard, 'isRunningExecution'),
    endRecord: pick(recordGuards, 'isEndRecord'),
    // Moved from shapes.ts to the generated fieldGuards.ts.
    jobError: typeof shapes.isJobError === 'function' ? shapes.isJobError : pick(await records(), 'isJobError'),
    scheduled: pick(eventGuards, 'checkedManagerEvent'),
  }
}

const N = 256
const specs = Array.from({ length: N }, (_, i) => specOf(i, T0))
// Executions as the reducers make them: created, then their first task started.
const executions = specs.map((spec) => Execution.reduce(Execution.create(spec), { type: 'NextTaskStarted' }, T0))
const endRecords = executions.map((execution) =>
  Execution.endRecord(Execution.reduce(execution, { type: 'Canceled' }, T0 + 1)),
)
const jobErrors = executions.map((_, i) => ({ name: `e${i}`, category: 'DATA', title: `Error ${i}` }))
// One Scheduled event of 64 specs: the per-spec cost as the manager pays it.
const BATCH = 64
const events = Array.from({ length: N / BATCH }, (_, b) => ({
  type: 'Scheduled',
  executions: specs.slice(b * BATCH, (b + 1) * BATCH),
}))

const CASES: ReadonlyArray<{
  readonly name: string
  readonly per: number
  readonly run: (g: Guards, i: number) => unknown
}> = [
  { name: 'execution spec', per: 1, run: (g, i) => g.spec(specs[i % N]) },
  { name: 'running execution', per: 1, run: (g, i) => g.execution(executions[i % N]) },
  { name: 'end record', per: 1, run: (g, i) => g.endRecord(endRecords[i % N]) },
  { name: 'job error', per: 1, run: (g, i) => g.jobError(jobErrors[i % N]) },
  { name: 'Scheduled (per spec)', per: BATCH, run: (g, i) => g.scheduled(events[i % events.length]) },
]

const main = async (): Promise<void> => {
  const trees = [{ label: 'this tree', guards: await load(resolve(import.meta.dirname, '../src')) }]
  const other = process.argv[2]
  if (other !== undefined) trees.push({ label: other, guards: await load(resolve(other)) })
  for (const { label, guards } of trees) {
    for (const c of CASES) {
      for (let i = 0; i < N; i++) {
        if (!c.run(guards, i)) throw new Error(`${label}: ${c.name} ${i} refused`)
      }
    }
  }
  const rounds = Number(process.env.ROUNDS ?? 15)
  const times = new Map<string, number[]>()
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? trees : [...trees].reverse()
    for (const c of CASES) {
      for (const { label, guards } of order) {
        const sample = microsPerCall((i) => c.run(guards, i), { reps: 1, warmup: 1, minMs: 20 })
        const key = `${c.name}\t${label}`
        times.set(key, [...(times.get(key) ?? []), (sample.median * 1_000) / c.per])
      }
    }
  }
  const fmt = (s: Sample): string => `${s.median.toFixed(1)} ns  (${s.min.toFixed(1)} .. ${s.max.toFixed(1)})`
  const { summarize } = await import('./timing')
  console.log(`ns per checked value, ${rounds} interleaved rounds, median (min .. max)`)
  for (const c of CASES) {
    for (const { label } of trees)
      console.log(`${c.name.padEnd(22)} ${label.padEnd(18)} ${fmt(summarize(times.get(`${c.name}\t${label}`) ?? []))}`)
  }
  if (sinkValue() === 0.5) console.log('')
}

void main()
