// npx tsx --expose-gc bench/lifecycle.ts [N ...]
//
// The lifecycle part of the benchmark alone, for comparing two versions of the
// manager in one machine session: per background size N (default 10,000 and
// 100,000), the microseconds per lifecycle event through Manager.reduce and
// by kind of event, and the retained heap per running execution. The full
// `npm run bench` also runs the floors, XState and the shards, which take long.
import { immutableEngine } from './immutable'
import { FULL } from './run'
import { buildBackground, measureHeap, measureLifecycle } from './suite'

const sizes = process.argv.slice(2).map(Number)
const ns = sizes.length > 0 && sizes.every((n) => Number.isSafeInteger(n) && n > 0) ? sizes : [10_000, 100_000]

for (const n of ns) {
  const heap = measureHeap(immutableEngine, n)
  const background = heap.exact ? heap.state : buildBackground(immutableEngine, n)
  const figures = measureLifecycle(immutableEngine, background, FULL.lifecycle)
  const kinds = Object.entries(figures.byKind)
    .map(([kind, us]) => `${kind} ${us.toFixed(2)}`)
    .join(', ')
  process.stdout.write(
    `N=${n}: ${figures.microsPerEvent.median.toFixed(2)} us/event (min ${figures.microsPerEvent.min.toFixed(2)}), ` +
      `scheduled ${figures.microsPerScheduled.median.toFixed(2)} us; by kind: ${kinds}; ` +
      `heap ${Math.round(heap.bytesPerExecution)} B/execution${heap.exact ? '' : ' (gc not exposed)'}\n`,
  )
}
