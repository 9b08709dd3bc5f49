// The figures of one run, the ratios derived from them, and their rendering
// as text tables.
import type { DecodeFigures } from './decode'
import type { HostPathFigures } from './hostPath'
import type { LifecycleFigures, NodeLostFigures, StatusFigures, DeadlineFigures, RememberedFigures } from './suite'
import type { Sample } from './timing'

export interface MachineInfo {
  readonly cpu: string
  readonly cores: number
  readonly node: string
  readonly platform: string
  readonly gcExposed: boolean
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

export type EngineKey = 'immutable' | 'mutable' | 'xstate-actors' | 'xstate-pure'

const ENGINE_ORDER: readonly EngineKey[] = ['immutable', 'mutable', 'xstate-actors', 'xstate-pure']

export interface Ratio {
  readonly name: string
  readonly value: number
  /** How the goal reads, e.g. `<= 1.5`. */
  readonly goal: string
  readonly pass: boolean
  /** What was divided by what. */
  readonly detail: string
}

export interface Results {
  readonly machine: MachineInfo
  readonly mode: 'full' | 'quick'
  readonly config: Readonly<Record<string, unknown>>
  readonly lifecycle: readonly LifecycleRow[]
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

/** The ratios of the brief, from the figures of one run. */
export const ratiosOf = (r: Omit<Results, 'ratios' | 'seconds'>): Ratio[] => {
  const ratios: Ratio[] = []
  const immutable = r.lifecycle.filter((row) => row.key === 'immutable').sort((a, b) => a.n - b.n)
  const first = immutable[0]
  const last = immutable[immutable.length - 1]
  if (first !== undefined && last !== undefined) {
    ratios.push(
      atMost(
        `lifecycle us/event ${kilo(last.n)} / ${kilo(first.n)}`,
        last.microsPerEvent.median / first.microsPerEvent.median,
        1.5,
        `${fmt(last.microsPerEvent.median)} / ${fmt(first.microsPerEvent.median)} us`,
      ),
    )
  }
  const status = [...r.statusJson].sort((a, b) => a.n - b.n)
  const s0 = status[0]
  const s1 = status[status.length - 1]
  if (s0 !== undefined && s1 !== undefined) {
    ratios.push(
      atMost(
        `statusJson ${kilo(s1.n)} / ${kilo(s0.n)}`,
        s1.microsPerCall.median / s0.microsPerCall.median,
        1.5,
        `${fmt(s1.microsPerCall.median)} / ${fmt(s0.microsPerCall.median)} us per call`,
      ),
    )
  }
  const lost = [...r.nodeLost].sort((a, b) => a.n - b.n)
  const l0 = lost[0]
  const l1 = lost[lost.length - 1]
  if (l0 !== undefined && l1 !== undefined) {
    ratios.push(
      atMost(
        `NodeLost us per node execution ${kilo(l1.n)} / ${kilo(l0.n)} (goal: my reading, O(log n) per execution)`,
        l1.microsPerExecution / l0.microsPerExecution,
        1.5,
        `${fmt(l1.microsPerExecution)} / ${fmt(l0.microsPerExecution)} us per execution on the node`,
      ),
    )
  }
  const deadlines = [...r.nextDeadline].sort((a, b) => a.n - b.n)
  const d0 = deadlines[0]
  const d1 = deadlines[deadlines.length - 1]
  if (d0 !== undefined && d1 !== undefined) {
    ratios.push(
      atMost(
        `nextDeadline ${kilo(d1.n)} / ${kilo(d0.n)} (contract §12: must not grow with N)`,
        d1.microsPerCall.median / d0.microsPerCall.median,
        1.5,
        `${fmt(d1.microsPerCall.median * 1_000)} / ${fmt(d0.microsPerCall.median * 1_000)} ns per call`,
      ),
    )
  }
  const at = (key: EngineKey, n: number): LifecycleRow | undefined =>
    r.lifecycle.find((row) => row.key === key && row.n === n)
  const mutableNs = r.lifecycle.filter((row) => row.key === 'mutable' && at('immutable', row.n) !== undefined)
  const mutableN = Math.max(...mutableNs.map((row) => row.n))
  const im = at('immutable', mutableN)
  const mu = at('mutable', mutableN)
  if (im !== undefined && mu !== undefined) {
    ratios.push(
      atMost(
        `immutable / mutable floor, lifecycle at ${kilo(mutableN)}`,
        im.microsPerEvent.median / mu.microsPerEvent.median,
        3,
        `${fmt(im.microsPerEvent.median)} / ${fmt(mu.microsPerEvent.median)} us per event`,
      ),
    )
  }
  const xstateNs = r.lifecycle.filter(
    (row) => (row.key === 'xstate-actors' || row.key === 'xstate-pure') && at('immutable', row.n) !== undefined,
  )
  const xstateN = Math.max(...xstateNs.map((row) => row.n))
  const imX = at('immutable', xstateN)
  const fastest = xstateNs
    .filter((row) => row.n === xstateN)
    .sort((a, b) => a.microsPerEvent.median - b.microsPerEvent.median)[0]
  if (imX !== undefined && fastest !== undefined) {
    ratios.push(
      atLeast(
        `fastest XState (${fastest.key}) / immutable, lifecycle at ${kilo(xstateN)}`,
        fastest.microsPerEvent.median / imX.microsPerEvent.median,
        6,
        `${fmt(fastest.microsPerEvent.median)} / ${fmt(imX.microsPerEvent.median)} us per event`,
      ),
    )
  }
  const heap = r.heap.find((row) => row.key === 'immutable')
  if (heap !== undefined) {
    ratios.push({
      ...atMost(
        `heap bytes per running execution at ${kilo(heap.n)}`,
        heap.bytesPerExecution,
        1536,
        heap.exact ? 'after full gc' : 'WITHOUT --expose-gc: rough',
      ),
    })
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
  const host = [...(r.hostPath ?? [])].sort((a, b) => a.n - b.n)
  const hostLast = host[host.length - 1]
  if (hostLast !== undefined) {
    ratios.push(
      atMost(
        `host path at ${kilo(hostLast.n)}: decode of a logged Mesos status / the reduce and drain it feeds (issue 14)`,
        hostLast.ratio.median,
        1,
        `${fmt(hostLast.decode.median)} / ${fmt(hostLast.reduce.median)} us CPU per line, ratio ${spread(hostLast.ratio)} over ${hostLast.ratio.runs} runs`,
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
      `gc exposed: ${m.gcExposed}; load average ${m.loadAverageAtStart.map((x) => x.toFixed(2)).join(' ')} at start, ` +
      `${m.loadAverageAtEnd.map((x) => x.toFixed(2)).join(' ')} at end; ${r.seconds.toFixed(0)} s`,
  )
  out.push(
    'Figures are medians of repetitions (min..max shown); before each series a full gc and a pause, before each repetition a minor gc.',
  )
  out.push(
    table(
      '1/6/7. Lifecycle: 16 events per execution (4 tasks x started, launched, RUNNING, FINISHED), a batch driven round-robin beside N running',
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
      'Ratios and goals',
      ['ratio', 'value', 'goal', 'result', 'from'],
      r.ratios.map((ratio) => [ratio.name, fmt(ratio.value), ratio.goal, ratio.pass ? 'PASS' : 'MISS', ratio.detail]),
    ),
  )
  return out.join('\n')
}
