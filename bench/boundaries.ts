// npx tsx bench/boundaries.ts [--quick]
//
// The costs at the JSON boundary, run by hand (the tests assert no timings):
// TaskUpdate.fromMesos and EventLog.decodeLine per call (100,000 of each), the
// container name of a 4 MB `data`, and replaying logs whose lines name 20,000
// and 40,000 distinct nodes, or are all refused. Prints one line per figure.
import * as EventLog from '../src/eventLog'
import * as TaskUpdate from '../src/taskUpdate'
import { clock, summarize } from './timing'

const quick = process.argv.includes('--quick')
const CALLS = quick ? 10_000 : 100_000

let sink = 0

const median = (runs: number, f: () => void): number => {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = clock()
    f()
    times.push(clock() - start)
  }
  return summarize(times).median
}

const inspect = (name: string): string =>
  btoa(JSON.stringify([{ Config: { Env: ['PATH=/bin', `MESOS_CONTAINER_NAME=${name}`] } }]))

const status = (i: number): Record<string, unknown> => ({
  task_id: { value: `scale_job_fw1_${i}x1_main` },
  agent_id: { value: 'agent-7' },
  state: i % 2 === 0 ? 'TASK_RUNNING' : 'TASK_FINISHED',
  timestamp: 1_767_225_600 + i / 1000,
  message: 'Command exited with status 0',
  source: 'SOURCE_EXECUTOR',
  uuid: 'dXVpZA==',
  data: inspect(`mesos-${i}`),
})

const statuses = Array.from({ length: 1000 }, (_, i) => JSON.parse(JSON.stringify(status(i))) as unknown)
const lines = Array.from({ length: 1000 }, (_, i) =>
  JSON.stringify({ now: i, event: { type: 'TaskUpdated', update: { type: 'MesosStatus', status: status(i) } } }),
)

const perCall = (label: string, f: (i: number) => void): void => {
  const ms = median(5, () => {
    for (let i = 0; i < CALLS; i++) f(i)
  })
  console.log(`${label}: ${((ms * 1000) / CALLS).toFixed(2)} µs per call (${CALLS} calls, median of 5)`)
}

perCall('TaskUpdate.fromMesos', (i) => {
  const r = TaskUpdate.fromMesos(statuses[i % 1000])
  sink += r._tag === 'Right' ? 1 : 0
})
perCall('EventLog.decodeLine (TaskUpdated with a Mesos status)', (i) => {
  const r = EventLog.decodeLine(lines[i % 1000] ?? '')
  sink += r._tag === 'Right' ? 1 : 0
})

// A 4 MB data string: the inspect JSON padded with a long environment.
const bigEnv = Array.from({ length: 60_000 }, (_, i) => `VARIABLE_${i}=${'x'.repeat(40)}`)
const big = btoa(JSON.stringify([{ Config: { Env: [...bigEnv, 'MESOS_CONTAINER_NAME=mesos-big'] } }]))
const bigMs = median(5, () => {
  sink += TaskUpdate.containerNameOfData(big)?.length ?? 0
})
console.log(`containerNameOfData, ${(big.length / 1e6).toFixed(1)} MB of base64: ${bigMs.toFixed(1)} ms (median of 5)`)
const bigStatus = { task_id: { value: 't' }, state: 'TASK_FAILED', timestamp: 1, data: big }
const bigFailedMs = median(5, () => {
  sink += TaskUpdate.fromMesos(bigStatus)._tag === 'Right' ? 1 : 0
})
console.log(`fromMesos of a FAILED status carrying that data: ${bigFailedMs.toFixed(2)} ms (median of 5)`)

const replayMs = (log: readonly string[]): number =>
  median(quick ? 1 : 3, () => {
    let replay = EventLog.startReplay()
    log.forEach((line, i) => {
      replay = EventLog.replayLine(replay, line, i + 1)
    })
    sink += replay.replayed
  })

for (const n of quick ? [5_000, 10_000] : [20_000, 40_000]) {
  const distinct = Array.from({ length: n }, (_, i) => EventLog.encodeLine(i, { type: 'NodeLost', nodeId: i >> 1 }))
  console.log(`replay of ${n} NodeLost lines, ${n / 2} distinct nodes: ${replayMs(distinct).toFixed(0)} ms`)
}
for (const n of quick ? [5_000, 10_000] : [20_000, 40_000]) {
  const one = Array.from({ length: n }, (_, i) => EventLog.encodeLine(i, { type: 'NodeLost', nodeId: 1 }))
  console.log(`replay of ${n} NodeLost lines, one node: ${replayMs(one).toFixed(0)} ms`)
}
for (const n of quick ? [5_000, 10_000] : [20_000, 40_000]) {
  const bad = Array.from({ length: n }, (_, i) => `{"now":${i},"event":{"type":"Reboot"}}`)
  console.log(`replay of ${n} refused lines: ${replayMs(bad).toFixed(0)} ms`)
}

if (sink === -1) console.log('unreachable')
