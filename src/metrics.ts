/**
 * Live execution metrics: running executions per node and job type, and
 * finished ones (COMPLETED, and FAILED by error category) per node and job type
 * over a sliding window of 3 hours in 5-minute blocks.
 *
 * Counts form a group ({@link empty}, {@link add}, {@link subtract}): zero
 * entries are removed, never kept, and no count is ever negative. Blocks are
 * aligned to multiples of 5 minutes since the epoch, so the metrics of two
 * schedulers line up and can be added ({@link merge}).
 *
 * @since 0.1.0
 * @module
 */
import type { ErrorCategory } from './errors'
import { canonicalNodeId, compareCanonicalIds, type Instant, type NodeId, type RecordId } from './ids'
import * as SM from './internal/sortedMap'

/**
 * The length of one time block: 5 minutes.
 *
 * @category constants
 * @since 0.1.0
 */
export const BLOCK_LENGTH = 5 * 60_000

/**
 * The length of the sliding window of finished executions: 3 hours.
 *
 * @category constants
 * @since 0.1.0
 */
export const WINDOW_LENGTH = 3 * 60 * 60_000

/**
 * What a count counts: running executions, completed ones, or failed ones by
 * error category.
 *
 * @category model
 * @since 0.1.0
 */
export type Kind = 'running' | 'completed' | 'algorithm' | 'data' | 'system'

const KIND_ORDER: Readonly<Record<Kind, number>> = { running: 0, completed: 1, algorithm: 2, data: 3, system: 4 }

/**
 * The key of one count: node, kind, job type.
 *
 * @category model
 * @since 0.1.0
 */
export type CountKey = readonly [node: NodeId, kind: Kind, jobType: RecordId]

const compareKeys = (a: CountKey, b: CountKey): number =>
  compareCanonicalIds(a[0], b[0]) || KIND_ORDER[a[1]] - KIND_ORDER[b[1]] || compareCanonicalIds(a[2], b[2])

/**
 * Counts by node, kind and job type: an element of the counts group. Only
 * positive counts are stored. Compare two with {@link equals}; list one with
 * {@link toEntries}.
 *
 * @category model
 * @since 0.1.0
 */
export type Counts = SM.Tree<CountKey, number>

/**
 * The neutral element: no counts.
 *
 * @category group
 * @since 0.1.0
 */
export const empty: Counts = SM.empty

/**
 * Counts with one count changed by `delta`; a count that reaches zero (or would
 * go below it) is removed.
 *
 * @example
 * import { Metrics } from 'job-execution-core'
 * const one = Metrics.increment(Metrics.empty, [1, 'running', 5], 1)
 * Metrics.toEntries(one) // [[1, 'running', 5, 1]]
 * Metrics.increment(one, [1, 'running', 5], -1) === Metrics.empty // true
 *
 * @category group
 * @since 0.1.0
 */
export const increment = (counts: Counts, given: CountKey, delta: number): Counts => {
  if (delta === 0) return counts
  // Counts are kept by the node's canonical id, so that '1' and 1 are one node.
  const node = canonicalNodeId(given[0])
  const key: CountKey = node === given[0] ? given : [node, given[1], given[2]]
  const next = (SM.get(counts, key, compareKeys) ?? 0) + delta
  return next > 0 ? SM.set(counts, key, next, compareKeys) : SM.remove(counts, key, compareKeys)
}

// The group operations on counts; `add`, `subtract` and `equals` below also take metrics.
const addCounts = (a: Counts, b: Counts): Counts => {
  const [large, small] = SM.size(a) >= SM.size(b) ? [a, b] : [b, a]
  let sum = large
  for (const [key, n] of SM.entries(small)) sum = increment(sum, key, n)
  return sum
}

const subtractCounts = (a: Counts, b: Counts): Counts => {
  let difference = a
  for (const [key, n] of SM.entries(b)) difference = increment(difference, key, -n)
  return difference
}

/**
 * One count as a row: `[node, kind, jobType, count]`.
 *
 * @category model
 * @since 0.1.0
 */
export type CountRow = readonly [node: NodeId, kind: Kind, jobType: RecordId, count: number]

/**
 * The counts as `[node, kind, jobType, count]` rows, in ascending key order.
 *
 * @category destructors
 * @since 0.1.0
 */
export const toEntries = (counts: Counts): CountRow[] =>
  SM.entries(counts).map(([key, n]) => [key[0], key[1], key[2], n] as const)

/**
 * Counts built from `[node, kind, jobType, count]` rows (rows for one key add up).
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromEntries = (rows: Iterable<CountRow>): Counts => {
  let counts: Counts = empty
  for (const [node, kind, jobType, n] of rows) counts = increment(counts, [node, kind, jobType], n)
  return counts
}

const equalCounts = (a: Counts, b: Counts): boolean => {
  if (a === b) return true
  const left = toEntries(a)
  const right = toEntries(b)
  return (
    left.length === right.length &&
    left.every((row, i) => {
      const other = right[i]
      return other !== undefined && row.every((value, j) => value === other[j])
    })
  )
}

/**
 * One 5-minute block of finished counts.
 *
 * @category model
 * @since 0.1.0
 */
export interface Block {
  /** A multiple of {@link BLOCK_LENGTH}. */
  readonly start: Instant
  readonly counts: Counts
}

/**
 * The metrics of a manager.
 *
 * @category model
 * @since 0.1.0
 */
export interface Metrics {
  /** The latest instant the window was moved to; it never moves back. */
  readonly now: Instant
  /** Running executions, kind `running`. */
  readonly running: Counts
  /** Finished executions in the window: the sum of the blocks' counts. */
  readonly finished: Counts
  /** The blocks in the window, ascending by start. */
  readonly blocks: readonly Block[]
}

/**
 * Empty metrics whose window ends at `now`.
 *
 * @example
 * import { Metrics } from 'job-execution-core'
 * const metrics = Metrics.create(Date.UTC(2026, 0, 1))
 * Metrics.statusJson(metrics, [1], Date.UTC(2026, 0, 1))[0]?.job_executions.running.total // 0
 *
 * @category constructors
 * @since 0.1.0
 */
export const create = (now: Instant): Metrics => ({ now, running: empty, finished: empty, blocks: [] })

/**
 * The start of the block that contains `instant`.
 *
 * @example
 * import { Metrics } from 'job-execution-core'
 * Metrics.blockStart(7 * 60_000) // 300000
 *
 * @category queries
 * @since 0.1.0
 */
export const blockStart = (instant: Instant): Instant => Math.floor(instant / BLOCK_LENGTH) * BLOCK_LENGTH

/**
 * Whether a block is still in the window at `now`: its end is not earlier than
 * `now - 3h`.
 *
 * @category queries
 * @since 0.1.0
 */
export const isBlockInWindow = (start: Instant, now: Instant): boolean => start + BLOCK_LENGTH >= now - WINDOW_LENGTH

/**
 * The metrics with the window moved to `now`: blocks that left it are dropped
 * and their counts subtracted. The window never moves back; an earlier `now`
 * returns the very same metrics.
 *
 * @category reducers
 * @since 0.1.0
 */
export const advance = (metrics: Metrics, now: Instant): Metrics => {
  if (!(now > metrics.now)) return metrics
  let firstKept = 0
  let finished = metrics.finished
  while (firstKept < metrics.blocks.length) {
    const block = metrics.blocks[firstKept]
    if (block === undefined || isBlockInWindow(block.start, now)) break
    finished = subtractCounts(finished, block.counts)
    firstKept++
  }
  return {
    now,
    running: metrics.running,
    finished,
    blocks: firstKept === 0 ? metrics.blocks : metrics.blocks.slice(firstKept),
  }
}

/**
 * What the metrics need to know about an execution.
 *
 * @category model
 * @since 0.1.0
 */
export interface Counted {
  readonly nodeId: NodeId
  readonly jobTypeId: RecordId
  readonly status: string
  readonly error?: { readonly category: ErrorCategory } | undefined
  readonly finished?: Instant | undefined
}

const FAILED_KINDS: Readonly<Record<ErrorCategory, Kind>> = {
  ALGORITHM: 'algorithm',
  DATA: 'data',
  SYSTEM: 'system',
}

/**
 * The finished kind an execution counts as: `completed`, a failed kind by its
 * error category, or none (canceled, running, or failed without a category, or
 * with one that is not `SYSTEM`, `ALGORITHM` or `DATA`).
 *
 * @category queries
 * @since 0.1.0
 */
export const finishedKind = (execution: Counted): Kind | undefined => {
  if (execution.status === 'COMPLETED') return 'completed'
  if (execution.status !== 'FAILED' || typeof execution.error !== 'object' || execution.error === null) return undefined
  // An own property only: a category named `constructor` or `__proto__` is no kind.
  const category: unknown = execution.error.category
  return typeof category === 'string' && Object.prototype.hasOwnProperty.call(FAILED_KINDS, category)
    ? FAILED_KINDS[category as ErrorCategory]
    : undefined
}

/**
 * The metrics with a running execution added.
 *
 * @category reducers
 * @since 0.1.0
 */
export const addRunning = (metrics: Metrics, execution: Counted): Metrics => ({
  ...metrics,
  running: increment(metrics.running, [execution.nodeId, 'running', execution.jobTypeId], 1),
})

/**
 * The metrics with a running execution removed.
 *
 * @category reducers
 * @since 0.1.0
 */
export const removeRunning = (metrics: Metrics, execution: Counted): Metrics => {
  const running = increment(metrics.running, [execution.nodeId, 'running', execution.jobTypeId], -1)
  return running === metrics.running ? metrics : { ...metrics, running }
}

const addToBlock = (blocks: readonly Block[], start: Instant, key: CountKey): readonly Block[] => {
  let index = blocks.length
  while (index > 0 && (blocks[index - 1]?.start ?? -Infinity) >= start) index--
  const existing = blocks[index]
  const copy = blocks.slice()
  if (existing !== undefined && existing.start === start) {
    copy[index] = { start, counts: increment(existing.counts, key, 1) }
  } else {
    copy.splice(index, 0, { start, counts: increment(empty, key, 1) })
  }
  return copy
}

/**
 * The metrics with a finished execution counted in the block of its finished
 * instant: COMPLETED, or FAILED by error category. Canceled executions, and
 * ones that finished before the oldest block of the window, are not counted.
 *
 * @category reducers
 * @since 0.1.0
 */
export const addFinished = (metrics: Metrics, execution: Counted): Metrics => {
  const kind = finishedKind(execution)
  if (kind === undefined || execution.finished === undefined) return metrics
  const start = blockStart(execution.finished)
  if (!isBlockInWindow(start, metrics.now)) return metrics
  const key: CountKey = [execution.nodeId, kind, execution.jobTypeId]
  return {
    ...metrics,
    finished: increment(metrics.finished, key, 1),
    blocks: addToBlock(metrics.blocks, start, key),
  }
}

/**
 * The metrics of two managers as one: both windows moved to the later `now`,
 * then running counts, finished counts and blocks added.
 *
 * @example
 * import { Metrics } from 'job-execution-core'
 * const merged = Metrics.merge(Metrics.create(0), Metrics.create(0))
 *
 * @category group
 * @since 0.1.0
 */
export const merge = (a: Metrics, b: Metrics): Metrics => {
  const now = Math.max(a.now, b.now)
  const left = advance(a, now)
  const right = advance(b, now)
  const byStart = new Map<Instant, Counts>()
  for (const block of [...left.blocks, ...right.blocks]) {
    byStart.set(block.start, addCounts(byStart.get(block.start) ?? empty, block.counts))
  }
  const blocks = [...byStart.entries()].sort(([x], [y]) => x - y).map(([start, counts]) => ({ start, counts }))
  return {
    now,
    running: addCounts(left.running, right.running),
    finished: addCounts(left.finished, right.finished),
    blocks,
  }
}

/**
 * Counts for one job type, as the status JSON lists them.
 *
 * @category model
 * @since 0.1.0
 */
export interface JobTypeCount {
  readonly job_type_id: RecordId
  readonly count: number
}

/**
 * A total with its per-job-type counts, sorted by job type id.
 *
 * @category model
 * @since 0.1.0
 */
export interface CountJson {
  readonly total: number
  readonly by_job_type: readonly JobTypeCount[]
}

/**
 * The status JSON of one node, in Scale's format.
 *
 * @category model
 * @since 0.1.0
 */
export interface NodeStatusJson {
  readonly id: NodeId
  readonly job_executions: {
    readonly running: CountJson
    readonly completed: CountJson
    readonly failed: {
      readonly total: number
      readonly algorithm: CountJson
      readonly data: CountJson
      readonly system: CountJson
    }
  }
}

type KindCounts = Map<Kind, Map<RecordId, number>>

// `node` is canonical, as the counts' keys are.
const countsOfNode = (counts: Counts, node: NodeId, into: KindCounts, sign: 1 | -1): void => {
  SM.forEachFrom(counts, [node, 'running', -Infinity], compareKeys, (key, n) => {
    if (compareCanonicalIds(key[0], node) !== 0) return false
    const byType = into.get(key[1]) ?? new Map<RecordId, number>()
    byType.set(key[2], (byType.get(key[2]) ?? 0) + sign * n)
    into.set(key[1], byType)
    return true
  })
}

// The rows come in job type order: counts are sorted by node, kind, then job
// type, and each kind's map is filled in that order. Expired blocks can bring
// a count down to zero, and zeros are not listed.
const countJson = (byType: Map<RecordId, number> | undefined): CountJson => {
  const rows = [...(byType ?? new Map<RecordId, number>()).entries()]
    .filter(([, n]) => n > 0)
    .map(([job_type_id, count]) => ({ job_type_id, count }))
  return { total: rows.reduce((sum, row) => sum + row.count, 0), by_job_type: rows }
}

/**
 * The status JSON for the given nodes at `now`, in Scale's format: one entry
 * per node id, in the given order; a node with nothing has zeros and empty
 * lists; every `by_job_type` list is sorted by job type id. Blocks that have
 * left the window at `now` are not counted. A pure query: its cost depends on
 * the nodes asked for, not on how many executions there are.
 *
 * @example
 * import { Metrics } from 'job-execution-core'
 * Metrics.statusJson(Metrics.create(0), [3], 0)
 * // [{ id: 3, job_executions: { running: { total: 0, by_job_type: [] },
 * //    completed: { total: 0, by_job_type: [] },
 * //    failed: { total: 0, algorithm: { total: 0, by_job_type: [] }, data: ..., system: ... } } }]
 *
 * @category queries
 * @since 0.1.0
 */
export const statusJson = (metrics: Metrics, nodeIds: readonly NodeId[], now: Instant): NodeStatusJson[] =>
  nodeIds.map((id) => {
    const node = canonicalNodeId(id)
    const byKind: KindCounts = new Map()
    countsOfNode(metrics.running, node, byKind, 1)
    countsOfNode(metrics.finished, node, byKind, 1)
    for (const block of metrics.blocks) {
      if (isBlockInWindow(block.start, now)) break
      countsOfNode(block.counts, node, byKind, -1)
    }
    const algorithm = countJson(byKind.get('algorithm'))
    const data = countJson(byKind.get('data'))
    const system = countJson(byKind.get('system'))
    return {
      id,
      job_executions: {
        running: countJson(byKind.get('running')),
        completed: countJson(byKind.get('completed')),
        failed: { total: algorithm.total + data.total + system.total, algorithm, data, system },
      },
    }
  })

/**
 * The total count of one kind over all nodes and job types.
 *
 * @category queries
 * @since 0.1.0
 */
export const total = (counts: Counts, kind?: Kind): number =>
  SM.entries(counts).reduce((sum, [key, n]) => (kind === undefined || key[1] === kind ? sum + n : sum), 0)

const isMetrics = (x: Counts | Metrics): x is Metrics =>
  x !== null && typeof x === 'object' && 'blocks' in x && 'running' in x && 'now' in x

// Counts met beside metrics are taken as running counts, with no window of their own.
const asMetrics = (x: Counts | Metrics): Metrics =>
  isMetrics(x) ? x : { now: -Infinity, running: x, finished: empty, blocks: [] }

const sumOfBlocks = (blocks: readonly Block[]): Counts =>
  blocks.reduce<Counts>((sum, block) => addCounts(sum, block.counts), empty)

const subtractMetrics = (a: Metrics, b: Metrics): Metrics => {
  const now = Math.max(a.now, b.now)
  const left = advance(a, now)
  const right = advance(b, now)
  const byStart = new Map(right.blocks.map((block) => [block.start, block.counts]))
  const blocks = left.blocks.flatMap((block) => {
    const counts = subtractCounts(block.counts, byStart.get(block.start) ?? empty)
    return SM.size(counts) === 0 ? [] : [{ start: block.start, counts }]
  })
  return { now, running: subtractCounts(left.running, right.running), finished: sumOfBlocks(blocks), blocks }
}

/**
 * The sum of two counts; of two metrics, their {@link merge}.
 *
 * @example
 * import { Metrics } from 'job-execution-core'
 * const a = Metrics.fromEntries([[1, 'running', 5, 2]])
 * Metrics.toEntries(Metrics.add(a, a)) // [[1, 'running', 5, 4]]
 *
 * @category group
 * @since 0.1.0
 */
export function add(a: Counts, b: Counts): Counts
export function add(a: Metrics, b: Metrics): Metrics
export function add(a: Counts | Metrics, b: Counts | Metrics): Counts | Metrics
export function add(a: Counts | Metrics, b: Counts | Metrics): Counts | Metrics {
  if (isMetrics(a) || isMetrics(b)) return merge(asMetrics(a), asMetrics(b))
  return addCounts(a, b)
}

/**
 * `a` less `b`. Counts never go below zero: `subtract(add(m, x), x)` is `m`,
 * and subtracting what is not there removes the count. For metrics, both
 * windows are first moved to the later `now`, then running counts and each
 * block are subtracted.
 *
 * @category group
 * @since 0.1.0
 */
export function subtract(a: Counts, b: Counts): Counts
export function subtract(a: Metrics, b: Metrics): Metrics
export function subtract(a: Counts | Metrics, b: Counts | Metrics): Counts | Metrics
export function subtract(a: Counts | Metrics, b: Counts | Metrics): Counts | Metrics {
  if (isMetrics(a) || isMetrics(b)) return subtractMetrics(asMetrics(a), asMetrics(b))
  return subtractCounts(a, b)
}

/**
 * Whether two counts hold the same entries; whether two metrics count the same
 * (running, finished and each block, with both windows moved to the later `now`).
 *
 * @category group
 * @since 0.1.0
 */
export function equals(a: Counts, b: Counts): boolean
export function equals(a: Metrics, b: Metrics): boolean
export function equals(a: Counts | Metrics, b: Counts | Metrics): boolean
export function equals(a: Counts | Metrics, b: Counts | Metrics): boolean {
  if (!isMetrics(a) && !isMetrics(b)) return equalCounts(a, b)
  const now = Math.max(asMetrics(a).now, asMetrics(b).now)
  const left = advance(asMetrics(a), now)
  const right = advance(asMetrics(b), now)
  return (
    equalCounts(left.running, right.running) &&
    equalCounts(left.finished, right.finished) &&
    left.blocks.length === right.blocks.length &&
    left.blocks.every((block, i) => {
      const other = right.blocks[i]
      return other !== undefined && other.start === block.start && equalCounts(block.counts, other.counts)
    })
  )
}
