// An execution keeps only the tasks it has reached (src/internal/taskList.ts):
// the others are what Task.create makes, so they are made when asked for. These
// properties hold the reducers to that representation, checked against a
// model (the highest index ever current), and the listed layout of earlier
// versions to a round trip.
import { test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { Execution, Manager, Task } from '../src/index'
import { isRunningExecution } from '../src/internal/executionGuard'
import { fromListed, listed, NONE_REACHED, typeList } from '../src/internal/taskList'
import { anyExecutionSpec, checkInvariants, hostileEventStream } from '../src/testing'
import { executionSpec, T0 } from './fixtures'

const contextOf = (execution: Execution.Execution): Task.TaskContext => ({
  clusterId: execution.clusterId,
  isSystem: execution.jobType.isSystem,
  isLongRunning: execution.jobType.isLongRunning,
  timeout: execution.jobType.timeout,
  settings: execution.settings,
})

describe('the tasks an execution keeps', () => {
  it('a new execution keeps none and shares its list of types', () => {
    const a = Execution.create(executionSpec(1, { taskTypes: undefined }))
    const b = Execution.create(executionSpec(2, { taskTypes: ['post', 'pull', 'main', 'pre'] }))
    expect(a.tasksSoFar).toBe(NONE_REACHED)
    expect(a.taskTypes).toBe(b.taskTypes)
    expect(a.taskTypes).toEqual(['pull', 'pre', 'main', 'post'])
    expect(Execution.tasks(a).map((task) => task.id)).toEqual([
      'scale_job_fw_1x1_pull',
      'scale_job_fw_1x1_pre',
      'scale_job_fw_1x1_main',
      'scale_job_fw_1x1_post',
    ])
    expect(Execution.create(executionSpec(3, { taskTypes: ['main', 'bogus'] as never })).taskTypes).toBe(
      typeList(['main']),
    )
  })

  it('a task is kept from when it first becomes current', () => {
    const created = Execution.create(executionSpec(1, { taskTypes: ['pre', 'main'] }))
    const started = Execution.reduce(created, { type: 'NextTaskStarted' }, T0)
    expect(started.tasksSoFar).toEqual([Execution.tasks(created)[0]])
    expect(Execution.currentTask(started)).toBe(started.tasksSoFar[0])
    expect(Execution.nextTask(started)).toEqual(Execution.tasks(created)[1])
  })

  // A run of any events on one execution, by the manager's hostile streams.
  test.prop([hostileEventStream({ maxLength: 60 })])(
    'the reducers keep exactly the tasks ever current, and the rest is what Task.create makes',
    (stream) => {
      let state = Manager.create(stream.start)
      const highest = new Map<string, number>()
      for (const { event, now } of stream.events) {
        state = Manager.reduce(state, event, now)
        for (const execution of Manager.runningExecutions(state)) {
          const id = execution.clusterId
          const seen = highest.get(id) ?? -1
          const current = execution.current ?? -1
          highest.set(id, Math.max(seen, current))
          expect(execution.tasksSoFar.length).toBe((highest.get(id) ?? -1) + 1)
          const all = Execution.tasks(execution)
          expect(all.slice(0, execution.tasksSoFar.length)).toEqual(execution.tasksSoFar)
          all.slice(execution.tasksSoFar.length).forEach((task) => {
            expect(task).toEqual(Task.create(task.type, contextOf(execution)))
          })
          expect(all.map((task) => task.type)).toEqual(execution.taskTypes)
          expect(fromListed(listed(execution))).toEqual(execution)
        }
      }
      expect(checkInvariants(state)).toEqual([])
    },
  )

  test.prop([anyExecutionSpec])(
    'a created execution listed and read back is itself, and Scheduled takes both',
    (spec) => {
      const execution = Execution.create(spec)
      expect(fromListed(listed(execution))).toEqual(execution)
      if (execution.taskTypes.length === 0) return
      expect(isRunningExecution(execution)).toBe(true)
      const fromKept = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [execution] }, T0)
      const fromListedOne = Manager.reduce(
        Manager.create(T0),
        { type: 'Scheduled', executions: [listed(execution) as unknown as Execution.Execution] },
        T0,
      )
      expect(Manager.runningExecutions(fromListedOne)).toEqual(Manager.runningExecutions(fromKept))
    },
  )

  it('a current task dropped as it started (an execution a host made so) is no longer kept', () => {
    const created = Execution.create(executionSpec(1, { taskTypes: ['pre', 'main'] }))
    const started = Execution.reduce(created, { type: 'NextTaskStarted' }, T0)
    // Canceled by the host, its current task not marked: Scheduled accepts it as it is.
    const canceled = { ...started, status: 'CANCELED' as const, finished: T0, next: 2 }
    expect(isRunningExecution(canceled)).toBe(true)
    const deadline = Execution.unlaunchedDeadline(canceled) ?? 0
    const dropped = Execution.reduce(canceled, { type: 'TimeoutsChecked' }, deadline)
    expect(Execution.isFinished(dropped)).toBe(true)
    expect(dropped.tasksSoFar).toEqual([])
    expect(Execution.tasks(dropped)).toEqual(Execution.tasks(created))
  })

  it('a listed execution keeps its tasks through the current one and the last one changed', () => {
    let execution = Execution.create(executionSpec(1, { taskTypes: ['pull', 'pre', 'main', 'post'] }))
    execution = Execution.reduce(execution, { type: 'NextTaskStarted' }, T0)
    execution = Execution.reduce(execution, { type: 'TaskLaunched' }, T0)
    const all = listed(execution)
    expect(all.tasks).toHaveLength(4)
    expect(fromListed(all).tasksSoFar).toHaveLength(1)
    // A task that remains but is not as Task.create made it (a configuration of its own) is kept.
    const [pull, pre, main, post] = all.tasks
    if (pull === undefined || pre === undefined || main === undefined || post === undefined) throw new Error('4 tasks')
    const own = { ...all, tasks: [pull, pre, main, { ...post, config: { ...post.config, stagingTimeout: 1 } }] }
    expect(fromListed(own).tasksSoFar).toHaveLength(4)
    expect(Execution.tasks(fromListed(own))).toEqual(own.tasks)
  })
})
