// node --expose-gc --import tsx bench/hostPathRun.ts [N] [REPS]
//
// The host path of `npm run bench` (bench/hostPath.ts) on its own, beside N
// running executions (default 100,000), REPS timed repetitions (default 9)
// after one warm-up: one line of JSON with the figures.
import { immutableEngine } from './immutable'
import { buildBackground } from './suite'
import { measureHostPath } from './hostPath'

const n = Number(process.argv[2] ?? 100_000)
const reps = Number(process.argv[3] ?? 9)
const background = buildBackground(immutableEngine, n)
const figures = measureHostPath(background, { batch: 2_000, reps, warmup: 1 })
process.stdout.write(`${JSON.stringify({ n, node: process.version, ...figures })}\n`)
