// node --expose-gc --import tsx bench/snapshotCompact.ts [N]
//
// Snapshot versions 2 (full, the internal toSnapshotV2) and 3 (compact,
// Manager.toSnapshot) of the same N running executions (100,000 by default),
// interleaved, three rounds: save (the writer + JSON.stringify), restore
// (JSON.parse + fromSnapshot), size, and the heap the restored state holds
// against the original's (with --expose-gc).
import * as E from 'fp-ts/Either'
import { Manager } from '../src/index'
import { toInternal } from '../src/internal/managerState'
import { toSnapshotV2 } from '../src/internal/snapshot'
import { immutableEngine } from './immutable'
import { buildBackground } from './suite'

const n = Number(process.argv[2] ?? 100_000)
const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect !== undefined) for (let i = 0; i < 3; i++) collect()
}
const heap = (): number => {
  gc()
  return process.memoryUsage().heapUsed
}
const cpu = (): number => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}
const timed = <T>(run: () => T): [T, number] => {
  const started = cpu()
  const result = run()
  return [result, cpu() - started]
}

const empty = heap()
const state = buildBackground<Manager.Manager>(immutableEngine, n)
const original = heap() - empty
console.log(`N=${n} original state heap: ${(original / 1e6).toFixed(1)} MB`)
const writers: ReadonlyArray<readonly [string, (s: Manager.Manager) => unknown]> = [
  ['v2', (s) => toSnapshotV2(toInternal(s))],
  ['v3', Manager.toSnapshot],
]
// The heap a restored state holds: measured after it is built, the text and
// the parsed JSON dropped, against the heap before parsing.
const restoreHeld = (text: string): [number, number, number] => {
  const before = heap()
  // The parsed JSON lives only inside this call.
  const restore = (): [Manager.Manager, number, number] => {
    const [parsed, parseMs] = timed((): unknown => JSON.parse(text))
    const [restored, fromMs] = timed(() => Manager.fromSnapshot(parsed))
    if (E.isLeft(restored)) throw new Error(restored.left.message)
    return [restored.right, parseMs, fromMs]
  }
  const [restored, parseMs, fromMs] = restore()
  const held = heap() - before
  // Keep the state alive past the measurement.
  if (Manager.runningExecutions(restored).length !== n) throw new Error('lost executions')
  return [parseMs, fromMs, held]
}
for (let round = 0; round < 3; round++) {
  for (const [name, write] of writers) {
    gc()
    const [snapshot, toMs] = timed(() => write(state))
    const [text, stringifyMs] = timed(() => JSON.stringify(snapshot))
    const [parseMs, fromMs, held] = restoreHeld(text)
    console.log(
      `${name} round ${round}: save ${Math.round(toMs + stringifyMs)} ms (toSnapshot ${Math.round(toMs)}, stringify ${Math.round(stringifyMs)}), ` +
        `restore ${Math.round(parseMs + fromMs)} ms (parse ${Math.round(parseMs)}, fromSnapshot ${Math.round(fromMs)}), ` +
        `total ${Math.round(toMs + stringifyMs + parseMs + fromMs)} ms, size ${(text.length / 1e6).toFixed(1)} MB, ` +
        `restored heap ${(held / original).toFixed(3)}x the original`,
    )
  }
}
