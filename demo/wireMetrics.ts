// Metrics as a shard sends them to the demo's parent (worker threads and shard
// processes alike): plain rows, rebuilt into Metrics to be merged.
import { Metrics } from '../src/index'

/** A shard's metrics as plain JSON rows. */
export interface WireMetrics {
  readonly now: number
  readonly running: readonly Metrics.CountRow[]
  readonly blocks: ReadonlyArray<{ readonly start: number; readonly counts: readonly Metrics.CountRow[] }>
}

/** A manager's metrics as rows, to send to the parent. */
export const toWire = (metrics: Metrics.Metrics): WireMetrics => ({
  now: metrics.now,
  running: Metrics.toEntries(metrics.running),
  blocks: metrics.blocks.map((block) => ({ start: block.start, counts: Metrics.toEntries(block.counts) })),
})

/** The metrics the rows stand for (the finished totals summed from the blocks). */
export const fromWire = (wire: WireMetrics): Metrics.Metrics => {
  const blocks = wire.blocks.map((block) => ({ start: block.start, counts: Metrics.fromEntries(block.counts) }))
  return {
    now: wire.now,
    running: Metrics.fromEntries(wire.running),
    finished: blocks.reduce((sum, block) => Metrics.add(sum, block.counts), Metrics.empty),
    blocks,
  }
}

/** Message counts by type, summed over shards, in type order. */
export const sumCounts = (counts: Iterable<Readonly<Record<string, number>>>): Record<string, number> => {
  const total: Record<string, number> = {}
  for (const record of counts) {
    for (const [type, n] of Object.entries(record)) total[type] = (total[type] ?? 0) + n
  }
  return Object.fromEntries(Object.entries(total).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
