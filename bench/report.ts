// The figures of one run, the ratios derived from them, and their rendering
// as text tables.
import type { DecodeFigures } from './decode'
import type { HostPathFigures } from './hostPath'
import type {
  ColdFigures,
  DeadlineFigures,
  LifecycleFigures,
  NodeLostFigures,
  RememberedFigures,
  SnapshotFigures,
  StatusFigures,
} from './suite'
import type { Sample } from './timing'

export interface MachineInfo {
  readonly cpu: string
  readonly cores: number
  readonly node: string
  readonly platform: string
  readonly gcExposed: boolean
  /** What the timed figures measure (absent in results written before it existed: wall time). */
  readonly clock?: string | undefined
  readonly loadAverageAtStart: readonly number[]
  readonly loadAverageAtEnd: readonly number[]
}

export interface LifecycleRow extends LifecycleFigures {
  readonly engine: string
  readonly key: EngineKey
  readonly n: number
}

export interface HeapRow {
  readonly engine: string
  readonly key: EngineKey
  readonly n: number
  readonly bytesPerExecution: number
  readonly exact: boolean
}

export interface ColdRow extends ColdFigures {
  readonly engine: string
  readonly key: EngineKey
  readonly n: number
}

export interface SnapshotRow extends SnapshotFigures {
  readonly n: number
  /** Retained heap of the original state (from its heap measurement), in bytes. */
  readonly originalBytes: number
}

/** 'immutable': `Manager.reduce` one event at a time; 'batched': `Manager.reduceMany`; 'lean': the indexed lean floor; 'mutable': the old floor. */
export type EngineKey = 'immutable' | 'batched' | 'lean' | 'mutable' | 'xstate-actors' | 'xstate-pure'

const ENGINE_ORDER: readonly EngineKey[] = ['immutable', 'batched', 'lean', 'mutable', 'xstate-actors', 'xstate-pure']

export interface Ratio {
  readonly name: string
  readonly value: number
  /** How the goal reads, e.g. `<= 1.5`. */
  readonly goal: string
  readonly pass: boolean
  /** What was divided by what. */
  readonly detail: string
  /** False for a row kept in its place whose figures this run does not have. */
  readonly measured?: boolean | undefined
}

export interface Results {
  readonly machine: MachineInfo
  readonly mode: 'full' | 'quick'
  readonly config: Readonly<Record<string, unknown>>
  /** The hot lifecycle, a minor gc before each repetition. */
  readonly lifecycle: readonly LifecycleRow[]
  /** The same without forced collections (absent in results written before it existed). */
  readonly steady?: readonly LifecycleRow[] | undefined
  /** The cold workload: events to random executions among the N. */
  readonly cold?: readonly ColdRow[] | undefined
  /** Snapshot save and restore of the manager's background. */
  readonly snapshots?: readonly SnapshotRow[] | undefined
  readonly statusJson: ReadonlyArray<StatusFigures & { readonly n: number }>
  readonly nodeLost: ReadonlyArray<NodeLostFigures & { readonly n: number }>
  readonly nextDeadline: ReadonlyArray<DeadlineFigures & { readonly n: number }>
  readonly heap: readonly HeapRow[]
  /** Decoding a pod against decoding a Mesos status (absent in results written before it existed). */
  readonly decode?: DecodeFigures | undefined
  /** What remembering finished executions costs, at each query size. */
  readonly remembered: ReadonlyArray<RememberedFigures & { readonly n: number }>
  /** The host path: logged Mesos status lines to a drained state (absent in results written before it existed). */
  readonly hostPath?: ReadonlyArray<HostPathFigures & { readonly n: number }> | undefined
  readonly ratios: readonly Ratio[]
  readonly seconds: number
}

const atMost = (name: string, value: number, goal: number, detail: string): Ratio => ({
  name,
  value,
  goal: `<= ${goal}`,
  pass: Number.isFinite(value) && value <= goal,
  detail,
})

const atLeast = (name: string, value: number, goal: number, detail: string): Ratio => ({
  name,
  value,
  goal: `>= ${goal}`,
  pass: Number.isFinite(value) && value >= goal,
  detail,
})

const kilo = (n: number): string => (n >= 1_000 && n % 1_000 === 0 ? `${n / 1_000}k` : String(n))

const record = (name: string, value: number, detail: string): Ratio => ({
  name,
  value,
  goal: '(record)',
  pass: true,
  detail,
})

const largest = (rows: ReadonlyArray<{ readonly n: number }>): number => Math.max(...rows.map((row) => row.n))
const smallest = (rows: ReadonlyArray<{ readonly n: number }>): number => Math.min(...rows.map((row) => row.n))

/**
 * The ratios of issue 14's goals table, in its order, from the figures of one
 * run (then a few rows for the record and the goals of earlier issues). The
 * host-path row is measured by another bench file: without its figures it
 * keeps its place, marked not measured.
 */
export const ratiosOf = (r: Omit<Results, 'ratios' | 'seconds'>): Ratio[] => {
  const ratios: Ratio[] = []
  const find = <T extends { readonly key: EngineKey; readonly n: number }>(
    rows: readonly T[] | undefined,
    key: EngineKey,
    n: number,
  ): T | undefined => rows?.find((row) => row.key === key && row.n === n)
  const us = (row: { readonly microsPerEvent: Sample } | undefined): number => row?.microsPerEvent.median ?? Number.NaN
  const top = largest(r.lifecycle.filter((row) => row.key === 'immutable'))
  const bottom = smallest(r.lifecycle.filter((row) => row.key === 'immutable'))
  const floorRatio = (
    key: EngineKey,
    label: string,
    goal: number,
    rows: ReadonlyArray<{ readonly key: EngineKey; readonly n: number; readonly microsPerEvent: Sample }> | undefined,
    how: string,
  ): void => {
    const engine = find(rows, key, top)
    const floor = find(rows, 'lean', top)
    if (engine === undefined || floor === undefined) return
    ratios.push(
      atMost(
        `${label} at ${kilo(top)} / indexed lean floor, ${how}`,
        us(engine) / us(floor),
        goal,
        `${fmt(us(engine))} / ${fmt(us(floor))} us per event`,
      ),
    )
  }
  floorRatio('immutable', 'single reduce', 2.5, r.lifecycle, 'hot, minor gc per repetition')
  floorRatio('immutable', 'single reduce', 2.5, r.steady, 'hot, steady state (no forced gc)')
  floorRatio('immutable', 'single reduce', 2.5, r.cold, 'cold (random executions)')
  floorRatio('batched', 'reduceMany (batches of 100)', 1.5, r.lifecycle, 'hot, minor gc per repetition')
  floorRatio('batched', 'reduceMany (batches of 100)', 1.5, r.steady, 'hot, steady state (no forced gc)')
  floorRatio('batched', 'reduceMany (batches of 100)', 1.5, r.cold, 'cold (random executions)')

  const actorsN = largest(
    r.lifecycle.filter((row) => row.key === 'xstate-actors' && find(r.lifecycle, 'immutable', row.n)),
  )
  const actors = find(r.lifecycle, 'xstate-actors', actorsN)
  for (const [key, label, goal] of [
    ['immutable', 'single', 4],
    ['batched', 'batched', 6],
  ] as const) {
    const ours = find(r.lifecycle, key, actorsN)
    if (actors !== undefined && ours !== undefined) {
      ratios.push(
        atLeast(
          `XState v5 actors / ${label} (${key === 'batched' ? 'reduceMany' : 'reduce'}) at ${kilo(actorsN)}, hot`,
          us(actors) / us(ours),
          goal,
          `${fmt(us(actors))} / ${fmt(us(ours))} us per event`,
        ),
      )
    }
    const coldActors = find(r.cold, 'xstate-actors', actorsN)
    const coldOurs = find(r.cold, key, actorsN)
    if (coldActors !== undefined && coldOurs !== undefined) {
      ratios.push(
        atLeast(
          `XState v5 actors / ${label} at ${kilo(actorsN)}, cold`,
          us(coldActors) / us(coldOurs),
          goal,
          `${fmt(us(coldActors))} / ${fmt(us(coldOurs))} us per event`,
        ),
      )
    }
  }

  const growth = (rows: ReadonlyArray<LifecycleRow | ColdRow> | undefined, key: EngineKey, how: string): void => {
    const high = find(rows, key, top)
    const low = find(rows, key, bottom)
    if (high === undefined || low === undefined || top === bottom) return
    ratios.push(
      atMost(
        `${key === 'batched' ? 'reduceMany' : 'reduce'} cost at ${kilo(top)} / at ${kilo(bottom)}, ${how}`,
        us(high) / us(low),
        2,
        `${fmt(us(high))} / ${fmt(us(low))} us per event`,
      ),
    )
  }
  growth(r.lifecycle, 'immutable', 'hot')
  growth(r.steady, 'immutable', 'hot, steady state')
  growth(r.cold, 'immutable', 'cold')

  const heap = r.heap.find(
    (row) => row.key === 'immutable' && row.n === largest(r.heap.filter((h) => h.key === 'immutable')),
  )
  if (heap !== undefined) {
    ratios.push(
      atMost(
        `retained heap per running execution (4 tasks) at ${kilo(heap.n)}, bytes`,
        heap.bytesPerExecution,
        750,
        heap.exact ? 'after full gc' : 'WITHOUT --expose-gc: rough',
      ),
    )
  }

  const snapshots = r.snapshots ?? []
  const snapshot = snapshots.find((row) => row.n === largest(snapshots))
  if (snapshot !== undefined) {
    ratios.push(
      atMost(
        `snapshot save + restore at ${kilo(snapshot.n)}, seconds`,
        snapshot.total.median / 1_000,
        2,
        `toSnapshot ${fmt(snapshot.toSnapshot.median)} + stringify ${fmt(snapshot.stringify.median)} + parse ${fmt(snapshot.parse.median)} + fromSnapshot ${fmt(snapshot.fromSnapshot.median)} ms${snapshot.restored ? '' : ' (NOT RESTORED)'}`,
      ),
      atMost(`snapshot size at ${kilo(snapshot.n)}, MB`, snapshot.megabytes, 20, 'JSON text, 10^6 characters'),
      atMost(
        `restored heap / original heap at ${kilo(snapshot.n)}`,
        snapshot.restoredBytes / snapshot.originalBytes,
        1.05,
        `${fmt(snapshot.restoredBytes / 1e6)} / ${fmt(snapshot.originalBytes / 1e6)} MB`,
      ),
    )
  }

  const host = [...(r.hostPath ?? [])].sort((a, b) => a.n - b.n)
  const hostLast = host[host.length - 1]
  ratios.push(
    hostLast === undefined
      ? {
          name: 'host path: decode of a logged Mesos status / the reduce it feeds',
          value: Number.NaN,
          goal: '<= 1',
          pass: false,
          detail: 'not measured in this run',
          measured: false,
        }
      : atMost(
          `host path at ${kilo(hostLast.n)}: decode of a logged Mesos status / the reduce and drain it feeds`,
          hostLast.ratio.median,
          1,
          `${fmt(hostLast.decode.median)} / ${fmt(hostLast.reduce.median)} us CPU per line, ratio ${spread(hostLast.ratio)} over ${hostLast.ratio.runs} runs`,
        ),
  )

  const lost = [...r.nodeLost].sort((a, b) => a.n - b.n)
  const l0 = lost[0]
  const l1 = lost[lost.length - 1]
  if (l0 !== undefined && l1 !== undefined && l1.n !== l0.n) {
    ratios.push(
      atMost(
        `NodeLost per execution on the node, ${kilo(l1.n)} / ${kilo(l0.n)}`,
        l1.microsPerExecution / l0.microsPerExecution,
        2,
        `${fmt(l1.microsPerExecution)} / ${fmt(l0.microsPerExecution)} us per execution on the node`,
      ),
    )
  }

  // For the record: the old floor, which the goals of issue 8 were measured against.
  const old = find(r.lifecycle, 'mutable', top)
  const lean = find(r.lifecycle, 'lean', top)
  const single = find(r.lifecycle, 'immutable', top)
  if (old !== undefined && single !== undefined) {
    ratios.push(
      record(
        `single reduce at ${kilo(top)} / old floor (split/join, joined strings), hot`,
        us(single) / us(old),
        `${fmt(us(single))} / ${fmt(us(old))} us per event`,
      ),
    )
  }
  if (old !== undefined && lean !== undefined) {
    ratios.push(
      record(
        `indexed lean floor / old floor at ${kilo(top)}, hot`,
        us(lean) / us(old),
        `${fmt(us(lean))} / ${fmt(us(old))} us per event`,
      ),
    )
  }

  // Goals of earlier issues that the run still measures.
  const status = [...r.statusJson].sort((a, b) => a.n - b.n)
  const s0 = status[0]
  const s1 = status[status.length - 1]
  if (s0 !== undefined && s1 !== undefined && s1.n !== s0.n) {
    ratios.push(
      atMost(
        `statusJson ${kilo(s1.n)} / ${kilo(s0.n)} (issue 8)`,
        s1.microsPerCall.median / s0.microsPerCall.median,
        1.5,
        `${fmt(s1.microsPerCall.median)} / ${fmt(s0.microsPerCall.median)} us per call`,
      ),
    )
  }
  const deadlines = [...r.nextDeadline].sort((a, b) => a.n - b.n)
  const d0 = deadlines[0]
  const d1 = deadlines[deadlines.length - 1]
  if (d0 !== undefined && d1 !== undefined && d1.n !== d0.n) {
    ratios.push(
      atMost(
        `nextDeadline ${kilo(d1.n)} / ${kilo(d0.n)} (contract §12: must not grow with N)`,
        d1.microsPerCall.median / d0.microsPerCall.median,
        1.5,
        `${fmt(d1.microsPerCall.median * 1_000)} / ${fmt(d0.microsPerCall.median * 1_000)} ns per call`,
      ),
    )
  }
  if (r.decode !== undefined) {
    ratios.push(
      atMost(
        'decode pod / decode Mesos status (issue 17: a pod costs no more)',
        r.decode.pod.median / r.decode.mesos.median,
        1,
        `${fmt(r.decode.pod.median)} / ${fmt(r.decode.mesos.median)} us per update`,
      ),
    )
  }
  return ratios
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const a = Math.abs(x)
  if (a >= 1_000_000) return `${(x / 1_000_000).toFixed(2)}M`
  if (a >= 10_000) return `${(x / 1_000).toFixed(1)}k`
  if (a >= 100) return x.toFixed(0)
  if (a >= 10) return x.toFixed(1)
  if (a >= 1) return x.toFixed(2)
  return x.toFixed(3)
}

const spread = (s: Sample): string => `${fmt(s.min)}..${fmt(s.max)}`

const table = (title: string, header: readonly string[], rows: ReadonlyArray<readonly string[]>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')
  return [`\n${title}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** The whole run as text. */
export const render = (r: Results): string => {
  const out: string[] = []
  const m = r.machine
  out.push(
    `job-execution-core benchmark (${r.mode}) on ${m.cpu}, ${m.cores} cores, Node ${m.node} (${m.platform}); ` +
      `gc exposed: ${m.gcExposed}; clock: ${m.clock ?? 'wall time'}; load average ${m.loadAverageAtStart.map((x) => x.toFixed(2)).join(' ')} at start, ` +
      `${m.loadAverageAtEnd.map((x) => x.toFixed(2)).join(' ')} at end; ${r.seconds.toFixed(0)} s`,
  )
  out.push(
    'Figures are medians of repetitions (min..max shown), the engines of a size interleaved (one repetition of each in turn); ' +
      'before each series a full gc and a pause, before each repetition a minor gc (except in the steady-state table).',
  )
  out.push(
    table(
      '1. Hot lifecycle: 16 events per execution (4 tasks x started, launched, RUNNING, FINISHED), a batch driven round-robin beside N running',
      [
        'engine',
        'N',
        'us/event',
        'min..max',
        'events/s',
        'started',
        'launched',
        'RUNNING',
        'FINISHED',
        'schedule us/exe',
      ],
      r.lifecycle.map((row) => [
        row.engine,
        kilo(row.n),
        fmt(row.microsPerEvent.median),
        spread(row.microsPerEvent),
        fmt(row.eventsPerSecond),
        fmt(row.byKind.started),
        fmt(row.byKind.launched),
        fmt(row.byKind.running),
        fmt(row.byKind.finished),
        fmt(row.microsPerScheduled.median),
      ]),
    ),
  )
  const steady = r.steady ?? []
  if (steady.length > 0) {
    out.push(
      table(
        '1b. The same lifecycle in the steady state: no forced collection between repetitions',
        ['engine', 'N', 'us/event', 'min..max', 'events/s'],
        steady.map((row) => [
          row.engine,
          kilo(row.n),
          fmt(row.microsPerEvent.median),
          spread(row.microsPerEvent),
          fmt(row.eventsPerSecond),
        ]),
      ),
    )
  }
  const cold = r.cold ?? []
  if (cold.length > 0) {
    out.push(
      table(
        '1c. Cold workload: each event to an execution picked at random among the N (its next lifecycle event; a finished one replaced by a fresh one)',
        ['engine', 'N', 'us/event', 'min..max', 'events/rep'],
        cold.map((row) => [
          row.engine,
          kilo(row.n),
          fmt(row.microsPerEvent.median),
          spread(row.microsPerEvent),
          String(row.eventsPerRep),
        ]),
      ),
    )
  }
  out.push(
    table(
      '2. Manager.statusJson for 100 nodes, N running and N finished in the window',
      ['N', 'running', 'finished', 'rows', 'us/call', 'min..max'],
      r.statusJson.map((row) => [
        kilo(row.n),
        String(row.running),
        String(row.finished),
        String(row.rows),
        fmt(row.microsPerCall.median),
        spread(row.microsPerCall),
      ]),
    ),
  )
  out.push(
    table(
      '3. NodeLost for one node (it holds N/100), from the same state each time',
      ['N', 'on node', 'us/event', 'min..max', 'us/exe on node', 'running after'],
      r.nodeLost.map((row) => [
        kilo(row.n),
        String(row.perNode),
        fmt(row.microsPerEvent.median),
        spread(row.microsPerEvent),
        fmt(row.microsPerExecution),
        String(row.runningAfter),
      ]),
    ),
  )
  out.push(
    table(
      '4. Manager.nextDeadline',
      ['N', 'ns/call', 'min..max (ns)', 'deadline (ms after build)'],
      r.nextDeadline.map((row) => [
        kilo(row.n),
        fmt(row.microsPerCall.median * 1_000),
        `${fmt(row.microsPerCall.min * 1_000)}..${fmt(row.microsPerCall.max * 1_000)}`,
        row.deadlineAfterBuild === undefined ? 'none' : String(row.deadlineAfterBuild),
      ]),
    ),
  )
  out.push(
    table(
      '5. Retained heap per running execution (4 tasks each; state, indexes and counters included)',
      ['engine', 'N', 'bytes/exe', 'exact'],
      [...r.heap]
        .sort((a, b) => ENGINE_ORDER.indexOf(a.key) - ENGINE_ORDER.indexOf(b.key))
        .map((row) => [row.engine, kilo(row.n), fmt(row.bytesPerExecution), row.exact ? 'yes' : 'NO (no gc)']),
    ),
  )
  const snapshots = r.snapshots ?? []
  if (snapshots.length > 0) {
    out.push(
      table(
        '5b. Snapshots of the manager with N running: ms per step (median of rounds), size, retained heap of the restored state',
        [
          'N',
          'MB',
          'toSnapshot',
          'stringify',
          'parse',
          'fromSnapshot',
          'total ms',
          'min..max',
          'restored MB',
          'original MB',
          'restored/original',
        ],
        snapshots.map((row) => [
          kilo(row.n),
          fmt(row.megabytes),
          fmt(row.toSnapshot.median),
          fmt(row.stringify.median),
          fmt(row.parse.median),
          fmt(row.fromSnapshot.median),
          fmt(row.total.median),
          spread(row.total),
          fmt(row.restoredBytes / 1e6),
          fmt(row.originalBytes / 1e6),
          row.restored ? fmt(row.restoredBytes / row.originalBytes) : 'NOT RESTORED',
        ]),
      ),
    )
  }
  if (r.decode !== undefined) {
    const d = r.decode
    out.push(
      table(
        '6. Decoding a task update: a Mesos TaskStatus (fromMesos) and the pod watch event of the same outcome (fromKubernetesPod)',
        ['input', 'us/update', 'min..max'],
        [
          ['Mesos TaskStatus', fmt(d.mesos.median), spread(d.mesos)],
          ['Kubernetes Pod', fmt(d.pod.median), spread(d.pod)],
        ],
      ),
    )
  }
  out.push(
    table(
      '8. Remembered finished executions (at-least-once delivery): N finished in the window',
      ['N', 'bytes/remembered', 'exact', 'redelivered Scheduled us', 'min..max', 'us/forgotten'],
      r.remembered.map((row) => [
        kilo(row.n),
        fmt(row.bytesPerRemembered),
        row.exact ? 'yes' : 'NO (no gc)',
        fmt(row.microsPerRedelivered.median),
        spread(row.microsPerRedelivered),
        fmt(row.microsPerForgotten),
      ]),
    ),
  )
  if (r.hostPath !== undefined && r.hostPath.length > 0) {
    out.push(
      table(
        '9. Host path: a logged Mesos status line (text) to a drained state, beside N running; main-thread CPU us per line',
        [
          'N',
          'lines',
          'chars',
          'decodeLine',
          'min..max',
          'io-ts path',
          'min..max',
          'reduce+drain',
          'min..max',
          'ratio',
          'min..max',
        ],
        r.hostPath.map((row) => [
          kilo(row.n),
          String(row.lines),
          fmt(row.meanLength),
          fmt(row.decode.median),
          spread(row.decode),
          fmt(row.decodeByCodec.median),
          spread(row.decodeByCodec),
          fmt(row.reduce.median),
          spread(row.reduce),
          fmt(row.ratio.median),
          spread(row.ratio),
        ]),
      ),
    )
  }
  out.push(
    table(
      'Ratios and goals (issue 14 goals first, in its order; then for the record; then earlier issues)',
      ['ratio', 'value', 'goal', 'result', 'from'],
      r.ratios.map((ratio) => [
        ratio.name,
        ratio.measured === false ? 'n/a' : fmt(ratio.value),
        ratio.goal,
        ratio.measured === false ? 'NOT MEASURED' : ratio.goal === '(record)' ? '' : ratio.pass ? 'PASS' : 'MISS',
        ratio.detail,
      ]),
    ),
  )
  return out.join('\n')
}
