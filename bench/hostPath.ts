// The host path: a logged Mesos status line (text) to a drained state, beside
// N running executions. Per repetition, a batch of fresh executions is
// scheduled and driven through its 16 events; the RUNNING and FINISHED
// updates arrive as the lines a host logs (`{ now, event: { type:
// 'TaskUpdated', update: { type: 'MesosStatus', status } } }`, the statuses
// as the demo's cluster sends them), and each round is timed in three parts,
// main-thread CPU time (process.cpuUsage), in an order that rotates per
// repetition: EventLog.decodeLine (its fast path), the same lines through the
// io-ts path alone (for the record), and Manager.reduce then Manager.drain of
// each decoded entry.
import * as E from 'fp-ts/Either'
import { EventLog, Manager } from '../src/index'
import { decodeLineByCodec } from '../src/internal/logLine'
import { ROUND_STEP } from './engine'
import { EVENTS_PER_LIFECYCLE, batchRounds, specOf, type LifecycleEvent } from './fixtures'
import { BATCH_BASE, BUILT_AT } from './suite'
import { settle, sink, summarize, tidy, type Sample } from './timing'

export interface HostPathOptions {
  /** Fresh executions per repetition. */
  readonly batch: number
  readonly reps: number
  readonly warmup: number
}

export interface HostPathFigures {
  /** Microseconds of CPU per line: `EventLog.decodeLine`. */
  readonly decode: Sample
  /** The same lines through the io-ts path alone (the decoder before its fast path). */
  readonly decodeByCodec: Sample
  /** Microseconds of CPU per line: `Manager.reduce` of its entry, then `Manager.drain`. */
  readonly reduce: Sample
  /** decode / reduce, per repetition. */
  readonly ratio: Sample
  /** Lines timed per repetition, and their mean length in characters. */
  readonly lines: number
  readonly meanLength: number
}

const cpu = (): number => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

const inspect = (name: string): string =>
  btoa(JSON.stringify([{ Config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin', `MESOS_CONTAINER_NAME=${name}`] } }]))

const hex = (i: number, width: number): string => (i >>> 0).toString(16).padStart(width, '0').slice(-width)

/** The line a host logs for a lifecycle update (RUNNING carries the runtime's inspect data). */
const lineOf = (event: LifecycleEvent, now: number): string => {
  if (event.type !== 'TaskUpdated') throw new Error('only updates are logged as Mesos statuses')
  const { taskId, agentId, status, timestamp } = event.update
  const running = status === 'RUNNING'
  const n = Number.parseInt(taskId.replace(/\D+/g, ''), 10) || 0
  const mesos = {
    task_id: { value: taskId },
    agent_id: { value: agentId ?? 'agent-1' },
    timestamp: timestamp / 1000,
    state: running ? 'TASK_RUNNING' : 'TASK_FINISHED',
    source: 'SOURCE_EXECUTOR',
    ...(running
      ? { data: inspect(`mesos-${hex(n, 8)}-${hex(n * 7, 4)}-${hex(n * 13, 4)}-${hex(n * 31, 12)}`) }
      : { message: 'Command exited with status 0' }),
    uuid: hex(n * 2_654_435_761, 16),
  }
  return EventLog.encodeLine(now, { type: 'TaskUpdated', update: { type: 'MesosStatus', status: mesos } })
}

/**
 * The host path beside the `n` executions of `background` (left as it is):
 * see the head of this file. Rounds of other events (NextTaskStarted,
 * TaskLaunched) are applied untimed.
 */
export const measureHostPath = (background: Manager.Manager, opts: HostPathOptions): HostPathFigures => {
  const n = Manager.runningCount(background)
  const decodeTimes: number[] = []
  const codecTimes: number[] = []
  const reduceTimes: number[] = []
  const ratios: number[] = []
  let lines = 0
  let chars = 0
  settle()
  for (let r = 0; r < opts.warmup + opts.reps; r++) {
    const at = BUILT_AT + 60_000 + r * EVENTS_PER_LIFECYCLE * ROUND_STEP
    // Executions of their own, apart from the lifecycle measurement's.
    const first = BATCH_BASE * 2 + r * opts.batch
    const specs = Array.from({ length: opts.batch }, (_, b) => specOf(first + b, BUILT_AT))
    const rounds = batchRounds(first, opts.batch, at)
    const texts = rounds.map((round, k) =>
      round.map((event) => (event.type === 'TaskUpdated' ? lineOf(event, at + k * ROUND_STEP) : '')),
    )
    let state = Manager.reduce(background, { type: 'Scheduled', executions: specs }, at)
    let decodeUs = 0
    let codecUs = 0
    let reduceUs = 0
    let timed = 0
    tidy()
    for (let k = 0; k < rounds.length; k++) {
      const round = rounds[k] ?? []
      const now = at + k * ROUND_STEP
      if (round[0]?.type !== 'TaskUpdated') {
        for (const event of round) state = Manager.drain(Manager.reduce(state, event, now), now)[1]
        continue
      }
      const text = texts[k] ?? []
      const entries: EventLog.LogEntry[] = []
      const decode = (): void => {
        const start = cpu()
        for (const line of text) {
          const entry = EventLog.decodeLine(line)
          if (E.isLeft(entry)) throw new Error(`host path: a line was refused: ${entry.left}`)
          entries.push(entry.right)
        }
        decodeUs += cpu() - start
      }
      const byCodec = (): void => {
        const start = cpu()
        for (const line of text) sink(decodeLineByCodec(line)._tag)
        codecUs += cpu() - start
      }
      // Which decoder goes first rotates, so that neither always meets a fuller nursery.
      if ((r + k) % 2 === 0) {
        decode()
        byCodec()
      } else {
        byCodec()
        decode()
      }
      const start = cpu()
      for (const entry of entries) state = Manager.drain(Manager.reduce(state, entry.event, entry.now), entry.now)[1]
      reduceUs += cpu() - start
      timed += text.length
      if (r === 0) for (const line of text) chars += line.length
    }
    if (Manager.runningCount(state) !== n) {
      throw new Error(`host path: ${Manager.runningCount(state)} running after a batch, not ${n}`)
    }
    if (r === 0) lines = timed
    if (r >= opts.warmup) {
      decodeTimes.push(decodeUs / timed)
      codecTimes.push(codecUs / timed)
      reduceTimes.push(reduceUs / timed)
      ratios.push(decodeUs / reduceUs)
    }
  }
  return {
    decode: summarize(decodeTimes),
    decodeByCodec: summarize(codecTimes),
    reduce: summarize(reduceTimes),
    ratio: summarize(ratios),
    lines,
    meanLength: lines === 0 ? 0 : chars / lines,
  }
}
