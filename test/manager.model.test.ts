// Model-based test: fast-check commands drive the real manager and a
// deliberately simple, mutable model of it side by side, and compare them after
// every command.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { Execution, Manager } from '../src/index'
import type { TaskType } from '../src/task'
import { runs } from './fixtures'

const BASE = Date.UTC(2026, 0, 1)

interface ModelExecution {
  readonly clusterId: string
  readonly jobId: number
  readonly nodeId: number
  readonly jobTypeId: number
  readonly types: readonly TaskType[]
  status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED'
  current: number | null
  next: number
  lost: number[]
  hasUpdate: boolean
  killRequested: boolean
}

class Model {
  now = BASE
  nextJob = 1
  running = new Map<string, ModelExecution>()
  ends: string[] = []
  completed = 0
  failed = 0
  finishedByNode = new Map<number, { completed: number; failed: number }>()

  taskId(x: ModelExecution): string {
    const type = x.current === null ? 'none' : x.types[x.current]
    const base = `${x.clusterId}_${type ?? 'none'}`
    const lost = x.current === null ? 0 : (x.lost[x.current] ?? 0)
    return lost === 0 ? base : `${base}_lost-${lost}`
  }

  finalize(x: ModelExecution, status: 'COMPLETED' | 'FAILED' | 'CANCELED'): void {
    if (x.status !== 'RUNNING') return
    x.status = status
    x.next = x.types.length
    // The current task stays, launched or not, until an update ends it (this
    // model sends no TimeoutsChecked, so one never launched is never dropped).
  }

  // A current task the cluster gets (launched, or reported under its id) after
  // the execution's final status needs a kill at once.
  gotByCluster(x: ModelExecution): void {
    if (x.status !== 'RUNNING' && !x.hasUpdate) x.killRequested = true
    x.hasUpdate = true
  }

  finishIfDone(x: ModelExecution): void {
    if (x.current !== null || x.next < x.types.length) return
    this.running.delete(x.clusterId)
    this.ends.push(x.clusterId)
    const counts = this.finishedByNode.get(x.nodeId) ?? { completed: 0, failed: 0 }
    if (x.status === 'COMPLETED') {
      this.completed++
      counts.completed++
    }
    if (x.status === 'FAILED') {
      this.failed++
      counts.failed++
    }
    this.finishedByNode.set(x.nodeId, counts)
  }
}

interface Real {
  state: Manager.Manager
}

const pickOf = (model: Model, pick: number): ModelExecution | undefined => {
  const all = [...model.running.values()].sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1))
  return all.length === 0 ? undefined : all[pick % all.length]
}

const compare = (model: Model, real: Real): void => {
  const running = Manager.runningExecutions(real.state)
  expect(running.map((x) => x.clusterId)).toEqual([...model.running.keys()].sort())
  for (const x of running) {
    const m = model.running.get(x.clusterId)
    if (m === undefined) continue
    expect(Execution.status(x)).toBe(m.status)
    expect(Execution.currentTask(x)?.type).toBe(m.current === null ? undefined : m.types[m.current])
    expect(Execution.currentTask(x)?.lostCount ?? 0).toBe(m.current === null ? 0 : (m.lost[m.current] ?? 0))
  }
  const kills = [...model.running.values()]
    .filter((m) => m.current !== null && m.killRequested && m.hasUpdate)
    .map((m) => m.clusterId)
    .sort()
  expect(Manager.tasksToKill(real.state).map((t) => t.baseId.split('_').slice(0, 4).join('_'))).toEqual(kills)
  const json = Manager.statusJson(real.state, [1, 2, 3], model.now)
  for (const node of json) {
    const id = node.id as number
    const runningHere = [...model.running.values()].filter((m) => m.nodeId === id).length
    expect(node.job_executions.running.total).toBe(runningHere)
    const finished = model.finishedByNode.get(id) ?? { completed: 0, failed: 0 }
    expect(node.job_executions.completed.total).toBe(finished.completed)
    expect(node.job_executions.failed.total).toBe(finished.failed)
  }
}

const command = (
  name: string,
  run: (model: Model, real: Real) => void,
  toString: () => string,
): fc.Command<Model, Real> => ({
  check: () => true,
  run: (model, real) => {
    run(model, real)
    compare(model, real)
  },
  toString: () => `${name}${toString()}`,
})

const typesArb = fc
  .subarray<TaskType>(['pull', 'pre', 'main', 'post'], { minLength: 1 })
  .map((types) => (['pull', 'pre', 'main', 'post'] as const).filter((t) => types.includes(t)))

const schedule = fc
  .record({ nodeId: fc.integer({ min: 1, max: 3 }), jobTypeId: fc.integer({ min: 1, max: 2 }), types: typesArb })
  .map(({ nodeId, jobTypeId, types }) =>
    command(
      'Schedule',
      (model, real) => {
        const jobId = model.nextJob++
        const clusterId = `scale_job_fw_${jobId}x1`
        const spec: Execution.ExecutionSpec = {
          id: jobId,
          clusterId,
          jobId,
          exeNum: 1,
          jobTypeId,
          nodeId,
          agentId: `agent-${nodeId}`,
          queued: model.now,
          started: model.now,
          taskTypes: types,
          jobType: { name: 't', isSystem: false, isLongRunning: true, timeout: 0 },
        }
        real.state = Manager.reduce(real.state, { type: 'Scheduled', executions: [spec] }, model.now)
        model.running.set(clusterId, {
          clusterId,
          jobId,
          nodeId,
          jobTypeId,
          types,
          status: 'RUNNING',
          current: null,
          next: 0,
          lost: types.map(() => 0),
          hasUpdate: false,
          killRequested: false,
        })
      },
      () => `(${nodeId}, ${jobTypeId}, ${types.join('+')})`,
    ),
  )

const startNext = fc.nat().map((pick) =>
  command(
    'StartNext',
    (model, real) => {
      const x = pickOf(model, pick)
      if (x === undefined) return
      real.state = Manager.reduce(real.state, { type: 'NextTaskStarted', clusterId: x.clusterId }, model.now)
      if (x.current === null && x.next < x.types.length) {
        x.current = x.next++
        x.hasUpdate = false
      }
    },
    () => `(${pick})`,
  ),
)

const launch = fc.nat().map((pick) =>
  command(
    'Launch',
    (model, real) => {
      const x = pickOf(model, pick)
      if (x === undefined || x.current === null) return
      real.state = Manager.reduce(real.state, { type: 'TaskLaunched', taskId: model.taskId(x) }, model.now)
      model.gotByCluster(x)
    },
    () => `(${pick})`,
  ),
)

const update = fc
  .record({ pick: fc.nat(), status: fc.constantFrom('RUNNING', 'FINISHED', 'FINISHED', 'FAILED', 'KILLED', 'LOST') })
  .map(({ pick, status }) =>
    command(
      'Update',
      (model, real) => {
        const x = pickOf(model, pick)
        if (x === undefined || x.current === null) return
        const taskId = model.taskId(x)
        real.state = Manager.reduce(
          real.state,
          { type: 'TaskUpdated', update: { taskId, status: status, timestamp: model.now } },
          model.now,
        )
        if (status === 'RUNNING') {
          model.gotByCluster(x)
          return
        }
        if (status === 'FINISHED') {
          x.current = null
          if (x.next >= x.types.length) model.finalize(x, 'COMPLETED')
        } else if (status === 'LOST') {
          if (x.status === 'RUNNING') {
            x.next = x.current
            x.lost[x.current] = (x.lost[x.current] ?? 0) + 1
          }
          x.current = null
          x.hasUpdate = false
        } else {
          x.current = null
          model.finalize(x, 'FAILED')
        }
        model.finishIfDone(x)
      },
      () => `(${pick}, ${status})`,
    ),
  )

const cancel = fc.nat().map((pick) =>
  command(
    'CancelJob',
    (model, real) => {
      const x = pickOf(model, pick)
      if (x === undefined) return
      real.state = Manager.reduce(
        real.state,
        { type: 'JobsSynced', jobs: { [String(x.jobId)]: { status: 'CANCELED', numExes: 1 } } },
        model.now,
      )
      if (x.current !== null) x.killRequested = true
      model.finalize(x, 'CANCELED')
      model.finishIfDone(x)
    },
    () => `(${pick})`,
  ),
)

const nodeLost = fc.integer({ min: 1, max: 3 }).map((nodeId) =>
  command(
    'NodeLost',
    (model, real) => {
      real.state = Manager.reduce(real.state, { type: 'NodeLost', nodeId }, model.now)
      // The manager finishes a node's executions in cluster id order.
      const onNode = [...model.running.values()].filter((m) => m.nodeId === nodeId)
      for (const x of onNode.sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1))) {
        model.finalize(x, 'FAILED')
        model.finishIfDone(x)
      }
    },
    () => `(${nodeId})`,
  ),
)

const advance = fc.integer({ min: 1, max: 120_000 }).map((dt) =>
  command(
    'Advance',
    (model) => {
      model.now += dt
    },
    () => `(${dt})`,
  ),
)

const drain = fc.constant(
  command(
    'Drain',
    (model, real) => {
      const [messages, state] = Manager.drain(real.state, model.now)
      real.state = state
      expect(Manager.endRecordsOf(messages).map((r) => r.clusterId)).toEqual(model.ends)
      const own = messages.filter(Manager.isMessage)
      const completed = own.flatMap((m) => (m.type === 'CompletedJobs' ? m.jobs : []))
      const failed = own.flatMap((m) => (m.type === 'FailedJobs' ? m.jobs : []))
      expect(completed.length).toBe(model.completed)
      expect(failed.length).toBe(model.failed)
      expect(
        own.every((m) => (m.type === 'CompletedJobs' || m.type === 'FailedJobs' ? m.when === model.now : true)),
      ).toBe(true)
      model.ends = []
      model.completed = 0
      model.failed = 0
      expect(Manager.drain(real.state, model.now)[1]).toBe(real.state)
    },
    () => '',
  ),
)

describe('Manager against a simple model', () => {
  test.prop(
    [
      fc.commands([schedule, startNext, launch, update, update, cancel, nodeLost, advance, drain], {
        maxCommands: 120,
        size: 'max',
      }),
    ],
    { numRuns: runs(300) },
  )('agrees after every command', (commands) => {
    fc.modelRun(() => ({ model: new Model(), real: { state: Manager.create(BASE) } }), commands)
  })
})
