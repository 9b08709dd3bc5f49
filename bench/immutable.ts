// The real thing: job-execution-core's Manager, driven through Manager.reduce
// one event at a time, and through Manager.reduceMany in batches.
import { Manager } from '../src/index'
import { ROUND_STEP, drainedOf, type Engine } from './engine'

/** Events per `Manager.reduceMany` call in the batched engine (issue 14: batches of 100 or more). */
export const BATCH_SIZE = 100

const drive = (
  state: Manager.Manager,
  rounds: ReadonlyArray<readonly Manager.ManagerEvent[]>,
  now: number,
): Manager.Manager => {
  let next = state
  for (let k = 0; k < rounds.length; k++) {
    const round = rounds[k]
    if (round === undefined) continue
    const at = now + k * ROUND_STEP
    for (let i = 0; i < round.length; i++) {
      const event = round[i]
      if (event !== undefined) next = Manager.reduce(next, event, at)
    }
  }
  return next
}

const step = (state: Manager.Manager, events: readonly Manager.ManagerEvent[], now: number): Manager.Manager => {
  let next = state
  for (let i = 0; i < events.length; i++) {
    const event = events[i]
    if (event !== undefined) next = Manager.reduce(next, event, now)
  }
  return next
}

// The events in batches of BATCH_SIZE entries, each batch one reduceMany call
// (a host drains its queue so: the entries are what it queued).
const stepMany = (state: Manager.Manager, events: readonly Manager.ManagerEvent[], now: number): Manager.Manager => {
  let next = state
  for (let first = 0; first < events.length; first += BATCH_SIZE) {
    const entries: Manager.Entry[] = []
    const end = Math.min(events.length, first + BATCH_SIZE)
    for (let i = first; i < end; i++) {
      const event = events[i]
      if (event !== undefined) entries.push({ now, event })
    }
    next = Manager.reduceMany(next, entries)
  }
  return next
}

const common: Omit<Engine<Manager.Manager>, 'name' | 'drive' | 'step'> = {
  create: (now) => Manager.create(now),
  schedule: (state, specs, now) => Manager.reduce(state, { type: 'Scheduled', executions: specs }, now),
  apply: (state, event, now) => Manager.reduce(state, event, now),
  running: (state) => Manager.runningCount(state),
  runningByNode: (state, nodeId) => {
    const [status] = Manager.statusJson(state, [nodeId], Manager.metrics(state).now)
    return status === undefined ? 0 : status.job_executions.running.total
  },
  drain: (state, now) => {
    const [messages, next] = Manager.drain(state, now)
    return [drainedOf(Manager.endRecordsOf(messages)), next]
  },
}

export const immutableEngine: Engine<Manager.Manager> = {
  ...common,
  name: 'job-execution-core reduce',
  drive,
  step,
}

export const batchedEngine: Engine<Manager.Manager> = {
  ...common,
  name: `job-execution-core reduceMany (${BATCH_SIZE})`,
  drive: (state, rounds, now) => {
    let next = state
    for (let k = 0; k < rounds.length; k++) {
      const round = rounds[k]
      if (round !== undefined) next = stepMany(next, round, now + k * ROUND_STEP)
    }
    return next
  },
  step: stepMany,
}
