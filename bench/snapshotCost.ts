// npx tsx bench/snapshotCost.ts [N]
//
// What a snapshot of N running executions (100,000 by default) costs, twice
// over: Manager.toSnapshot, JSON.stringify, JSON.parse, Manager.fromSnapshot
// (codec, integrity, structural checks, rebuild, round-trip comparison).
import * as E from 'fp-ts/Either'
import { Manager } from '../src/index'
import { immutableEngine } from './immutable'
import { buildBackground } from './suite'

const n = Number(process.argv[2] ?? 100_000)
const state = buildBackground<Manager.Manager>(immutableEngine, n)
const timed = <T>(label: string, run: () => T): T => {
  const started = performance.now()
  const result = run()
  console.log(`${label}: ${Math.round(performance.now() - started)} ms`)
  return result
}
for (let round = 0; round < 2; round++) {
  const snapshot = timed('toSnapshot', () => Manager.toSnapshot(state))
  const text = timed('JSON.stringify', () => JSON.stringify(snapshot))
  console.log(`size: ${(text.length / 1e6).toFixed(1)} MB`)
  const parsed = timed<unknown>('JSON.parse', () => JSON.parse(text))
  const restored = timed('fromSnapshot', () => Manager.fromSnapshot(parsed))
  console.log(`restored: ${E.isRight(restored) ? 'yes' : restored.left.message}`)
}
