// The real thing: job-execution-core's Manager, driven through Manager.reduce.
import { Manager } from '../src/index'
import { ROUND_STEP, drainedOf, type Engine } from './engine'

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

export const immutableEngine: Engine<Manager.Manager> = {
  name: 'job-execution-core (immutable)',
  create: (now) => Manager.create(now),
  schedule: (state, specs, now) => Manager.reduce(state, { type: 'Scheduled', executions: specs }, now),
  apply: (state, event, now) => Manager.reduce(state, event, now),
  drive,
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
