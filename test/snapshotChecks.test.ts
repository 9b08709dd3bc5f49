// The structural checks of a decoded snapshot, one rule at a time: each
// execution below is a reachable one with one thing changed, and the checks
// name exactly what no reducer would leave (see the module's comment), or
// nothing when the change is one a reducer makes.
import { describe, expect, it } from 'vitest'
import type { ListedExecution as Execution } from '../src/execution'
import { Manager } from '../src/index'
import { blockProblems, executionProblems, rememberedProblems } from '../src/internal/snapshotChecks'
import { listed } from '../src/internal/taskList'
import type { Task } from '../src/task'
import { executionSpec, T0 } from './fixtures'

const CLUSTER = 'scale_job_fw_1x1'

// Execution 1 with pull, main and post tasks, its pull task launched and RUNNING since T0.
const running = (): Execution => {
  const spec = executionSpec(1, { taskTypes: ['pull', 'main', 'post'] })
  let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [spec] }, T0)
  state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: CLUSTER }, T0)
  state = Manager.reduce(state, { type: 'TaskLaunched', taskId: `${CLUSTER}_pull` }, T0)
  state = Manager.reduce(
    state,
    { type: 'TaskUpdated', update: { taskId: `${CLUSTER}_pull`, status: 'RUNNING', timestamp: T0 } },
    T0,
  )
  const [execution] = Manager.runningExecutions(state)
  if (execution === undefined) throw new Error('expected a running execution')
  return listed(execution)
}

// The execution with task `i` changed.
const withTask = (execution: Execution, i: number, change: Partial<Task>): Execution => ({
  ...execution,
  tasks: execution.tasks.map((task, j) => (j === i ? { ...task, ...change } : task)),
})

const problemsOf = (execution: Execution): string[] =>
  executionProblems(execution, 'r').map((p) => `${p.path}: ${p.message}`)

describe('the structural checks of a running execution', () => {
  it('accept the reachable execution they are shown changed', () => {
    expect(problemsOf(running())).toEqual([])
  })

  it('name a remaining task that is started, or has ended (by its instant or by its final status alone)', () => {
    const started = withTask(running(), 1, { started: T0, lastStatusUpdate: T0 })
    expect(problemsOf(started)).toEqual(['r.tasks.1: is started, but it remains to be run'])
    const ended = withTask(running(), 1, { ended: T0, lastStatusUpdate: T0 })
    expect(problemsOf(ended)).toEqual([
      'r.tasks.1.ended: and finalStatus go together',
      'r.tasks.1: has ended, but it remains to be run',
    ])
    const final = withTask(running(), 1, { finalStatus: 'KILLED', lastStatusUpdate: T0 })
    expect(problemsOf(final)).toEqual([
      'r.tasks.1.ended: and finalStatus go together',
      'r.tasks.1: has ended, but it remains to be run',
    ])
  })

  it('name a task ended without a last status update', () => {
    const execution = running()
    const pull = withTask({ ...execution, current: 1, next: 2 }, 0, {
      ended: T0,
      finalStatus: 'FINISHED',
      exitCode: 0,
      lastStatusUpdate: undefined,
      launched: undefined,
      started: undefined,
    })
    const main = withTask(pull, 1, { launched: T0, lastStatusUpdate: T0 })
    expect(problemsOf({ ...main, lastTaskFinished: T0 })).toEqual([
      'r.tasks.0.ended: is set without a last status update',
    ])
  })

  it('name an exit code on a task that has not ended, and a finished task without one', () => {
    expect(problemsOf(withTask(running(), 0, { exitCode: 0 }))).toEqual([
      'r.tasks.0.exitCode: is set on a task that has not ended',
    ])
    const execution = running()
    const pull = withTask({ ...execution, current: 1, next: 2, lastTaskFinished: T0 }, 0, {
      ended: T0,
      finalStatus: 'FINISHED',
    })
    const main = withTask(pull, 1, { launched: T0, lastStatusUpdate: T0 })
    expect(problemsOf(main)).toEqual(['r.tasks.0.exitCode: a finished task has one'])
    expect(problemsOf(withTask(main, 0, { exitCode: 0 }))).toEqual([])
  })

  it('name a container name on a task that never started and was never lost', () => {
    expect(problemsOf(withTask(running(), 0, { containerName: 'c', started: undefined }))).toEqual([
      'r.tasks.0.containerName: is set on a task that never started and was never lost',
    ])
    // Started, it has reported its container.
    expect(problemsOf(withTask(running(), 0, { containerName: 'c', started: T0 }))).toEqual([])
    // Lost, it keeps its container name until its rerun reports one.
    const pullDone = withTask({ ...running(), current: undefined, next: 1, lastTaskFinished: T0 }, 0, {
      ended: T0,
      finalStatus: 'FINISHED',
      exitCode: 0,
    })
    const lostMain = { id: `${CLUSTER}_main_lost-1`, lostCount: 1, containerName: 'c' }
    expect(problemsOf(withTask(pullDone, 1, lostMain))).toEqual([])
    expect(problemsOf(withTask(pullDone, 1, { ...lostMain, lostCount: 0, id: `${CLUSTER}_main` }))).toEqual([
      'r.tasks.1.containerName: is set on a task that never started and was never lost',
      'r.tasks.1: has a container and was never lost, but it remains to be run',
    ])
  })

  it('name a timed-out task that is not launched or not asked to be killed', () => {
    const failed = (change: Partial<Task>): Execution =>
      withTask({ ...running(), status: 'CANCELED', next: 3, current: 0, finished: T0 }, 0, change)
    expect(problemsOf(failed({}))).toEqual([])
    expect(problemsOf(failed({ timedOut: true, killRequested: true }))).toEqual([])
    expect(problemsOf(failed({ timedOut: true }))).toEqual([
      'r.tasks.0.timedOut: a timed-out task is launched and asked to be killed',
    ])
    expect(problemsOf(failed({ timedOut: true, killRequested: true, launched: undefined }))).toEqual([
      'r.tasks.0.timedOut: a timed-out task is launched and asked to be killed',
    ])
  })

  it('name a current task that has ended', () => {
    const ended = withTask(running(), 0, { ended: T0, finalStatus: 'KILLED' })
    expect(problemsOf(ended)).toEqual(['r.tasks.0.ended: the current task has not ended'])
  })

  it('name a timed-out, killed or forced current task of a RUNNING execution, and not of a CANCELED one', () => {
    const message = 'r.tasks.0: a RUNNING execution has no timed-out, killed or forced task'
    expect(problemsOf(withTask(running(), 0, { killRequested: true }))).toEqual([message])
    expect(problemsOf(withTask(running(), 0, { forceReconciliation: true }))).toEqual([message])
    expect(problemsOf(withTask(running(), 0, { timedOut: true, killRequested: true }))).toEqual([message])
    const canceled = { ...running(), status: 'CANCELED' as const, next: 3, finished: T0 }
    expect(problemsOf(withTask(canceled, 0, { killRequested: true }))).toEqual([])
    expect(problemsOf(withTask(canceled, 0, { forceReconciliation: true }))).toEqual([])
  })
})

describe('the structural checks of finished blocks', () => {
  it('total each (node, status, job type) over the blocks, whatever the counts', () => {
    const half = 2 ** 52
    const blocks = [
      { start: T0, counts: [[1, 'completed', 2, half]] as const },
      { start: T0 + 300_000, counts: [[1, 'completed', 2, half + 1]] as const },
    ]
    expect(blockProblems(blocks, T0 + 300_000, 'b')).toEqual([
      { path: 'b.1.counts.0.3', message: 'makes the total beyond a safe integer' },
    ])
  })
})

describe('the structural checks of remembered ids', () => {
  it('name an id remembered in two blocks', () => {
    const rows = [
      { start: T0, clusterIds: ['scale_job_fw_1x1'] },
      { start: T0 + 300_000, clusterIds: ['scale_job_fw_1x1'] },
    ]
    expect(rememberedProblems(rows, T0 + 300_000, () => false, 'm')).toEqual([
      { path: 'm.1.clusterIds.0', message: 'is remembered twice' },
    ])
  })
})
