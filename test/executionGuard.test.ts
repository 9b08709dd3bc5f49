// The structural check of a whole execution a host schedules
// (src/internal/executionGuard.ts): tasks in order without empty slots, `next`
// and `current` in range, an error exactly when FAILED, a RUNNING one with
// something left to do, a final one finished with no task remaining.
import { describe, expect, it } from 'vitest'
import { Execution } from '../src/index'
import { isListedExecution, isRunningExecution } from '../src/internal/executionGuard'
import { listed } from '../src/internal/taskList'
import { executionSpec, T0 } from './fixtures'

const error = { name: 'e', category: 'DATA', title: 'E' } as const
const created = (): Execution.Execution => Execution.create(executionSpec(1, { taskTypes: ['pre', 'main'] }))
// Its first task started and launched: RUNNING, current 0, next 1.
const running = (): Execution.Execution =>
  Execution.reduce(Execution.reduce(created(), { type: 'NextTaskStarted' }, T0), { type: 'TaskLaunched' }, T0)

describe('isRunningExecution', () => {
  it('accepts what Execution.create and the reducers make', () => {
    expect(isRunningExecution(Execution.create(executionSpec()))).toBe(true)
    expect(isRunningExecution(running())).toBe(true)
    const canceled = Execution.reduce(running(), { type: 'Canceled' }, T0 + 1)
    expect(canceled.status).toBe('CANCELED')
    expect(isRunningExecution(canceled)).toBe(true)
  })

  it('refuses task types out of order, duplicated or none, and tasks reached not of those types', () => {
    const exe = running()
    const [pre, main] = Execution.tasks(exe)
    expect(isRunningExecution({ ...exe, taskTypes: ['main', 'pre'] })).toBe(false)
    expect(isRunningExecution({ ...exe, taskTypes: ['pre', 'pre'] })).toBe(false)
    expect(isRunningExecution({ ...exe, taskTypes: [] })).toBe(false)
    expect(isRunningExecution({ ...exe, tasksSoFar: [main] })).toBe(false)
    expect(isRunningExecution({ ...exe, tasksSoFar: [pre, main, main] })).toBe(false)
    expect(isRunningExecution({ ...exe, tasksSoFar: [undefined] })).toBe(false)
    expect(isRunningExecution({ ...exe, clusterId: 'other' })).toBe(false)
    expect(isRunningExecution({ ...exe, tasksSoFar: [{ ...pre, id: 'x' }] })).toBe(false)
  })

  it('refuses a current task not among the tasks reached, and a task kept that was never current', () => {
    const exe = running()
    const [pre, main] = Execution.tasks(exe)
    expect(isRunningExecution({ ...exe, tasksSoFar: [] })).toBe(false)
    // main is as Task.create made it: kept only while it is the current task.
    expect(isRunningExecution({ ...exe, current: 1, next: 2, tasksSoFar: [pre, main] })).toBe(true)
    expect(isRunningExecution({ ...exe, tasksSoFar: [pre, main] })).toBe(false)
    const started = Execution.reduce(created(), { type: 'NextTaskStarted' }, T0)
    expect(isRunningExecution(started)).toBe(true)
    expect(isRunningExecution({ ...started, current: undefined })).toBe(false)
    expect(isRunningExecution({ ...created(), tasksSoFar: started.tasksSoFar })).toBe(false)
    // Waiting for its second task, so its first was reached (and changed); not for its third.
    const three = Execution.create(executionSpec(1, { taskTypes: ['pre', 'main', 'post'] }))
    const first = Execution.reduce(
      Execution.reduce(three, { type: 'NextTaskStarted' }, T0),
      { type: 'TaskLaunched' },
      T0,
    )
    expect(isRunningExecution({ ...first, current: undefined, next: 1 })).toBe(true)
    expect(isRunningExecution({ ...first, current: undefined, next: 2 })).toBe(false)
  })

  it('takes an execution with all its tasks listed as the reducers would make it, and refuses the rest', () => {
    const exe = listed(running())
    const [pre, main] = exe.tasks
    expect(isListedExecution(exe)).toBe(true)
    expect(isRunningExecution(exe)).toBe(false)
    expect(isListedExecution(running())).toBe(false)
    expect(isListedExecution({ ...exe, tasks: [main, pre] })).toBe(false)
    expect(isListedExecution({ ...exe, tasks: [pre, pre] })).toBe(false)
    expect(isListedExecution({ ...exe, tasks: [] })).toBe(false)
    expect(isListedExecution({ ...exe, tasks: [pre, undefined] })).toBe(false)
    expect(isListedExecution({ ...exe, clusterId: 'other' })).toBe(false)
    expect(isListedExecution({ ...exe, tasks: [pre, { ...main, id: 'x' }] })).toBe(false)
    expect(isListedExecution({ ...exe, next: 3 })).toBe(false)
    expect(isListedExecution({ ...exe, current: 1 })).toBe(false)
  })

  it('refuses next or current out of range, or current other than the task before next while RUNNING', () => {
    const exe = running()
    expect(isRunningExecution({ ...exe, next: 3 })).toBe(false)
    expect(isRunningExecution({ ...exe, current: 2 })).toBe(false)
    expect(isRunningExecution({ ...exe, current: 1 })).toBe(false)
    expect(isRunningExecution({ ...exe, current: undefined })).toBe(true)
    expect(isRunningExecution({ ...exe, current: undefined, next: 2 })).toBe(false)
    expect(isRunningExecution({ ...exe, current: 1, next: 2, tasksSoFar: Execution.tasks(exe) })).toBe(true)
  })

  it('an error exactly when FAILED; a final execution finished with no task remaining', () => {
    const exe = running()
    expect(isRunningExecution({ ...exe, error })).toBe(false)
    const final = { ...exe, current: undefined, next: 2, finished: T0 + 1 }
    expect(isRunningExecution({ ...final, status: 'FAILED', error })).toBe(true)
    expect(isRunningExecution({ ...final, status: 'FAILED' })).toBe(false)
    expect(isRunningExecution({ ...final, status: 'COMPLETED' })).toBe(true)
    expect(isRunningExecution({ ...final, status: 'COMPLETED', error })).toBe(false)
    expect(isRunningExecution({ ...final, status: 'COMPLETED', finished: undefined })).toBe(false)
    expect(isRunningExecution({ ...final, status: 'CANCELED', next: 1 })).toBe(false)
    // current is an index of the task list, whatever the status; the list is never empty
    expect(isRunningExecution({ ...final, status: 'COMPLETED', current: 2 })).toBe(false)
    expect(isRunningExecution({ ...final, status: 'COMPLETED', taskTypes: [], next: 0 })).toBe(false)
  })
})
