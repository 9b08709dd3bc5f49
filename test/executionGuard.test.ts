// The structural check of a whole execution a host schedules
// (src/internal/executionGuard.ts): tasks in order without empty slots, `next`
// and `current` in range, an error exactly when FAILED, a RUNNING one with
// something left to do, a final one finished with no task remaining.
import { describe, expect, it } from 'vitest'
import { Execution } from '../src/index'
import { isRunningExecution } from '../src/internal/executionGuard'
import { executionSpec, T0 } from './fixtures'

const error = { name: 'e', category: 'DATA', title: 'E' } as const
// Created, its first task started: RUNNING, current 0, next 1.
const running = (): Execution.Execution =>
  Execution.reduce(Execution.create(executionSpec(1, { taskTypes: ['pre', 'main'] })), { type: 'NextTaskStarted' }, T0)

describe('isRunningExecution', () => {
  it('accepts what Execution.create and the reducers make', () => {
    expect(isRunningExecution(Execution.create(executionSpec()))).toBe(true)
    expect(isRunningExecution(running())).toBe(true)
    const canceled = Execution.reduce(running(), { type: 'Canceled' }, T0 + 1)
    expect(canceled.status).toBe('CANCELED')
    expect(isRunningExecution(canceled)).toBe(true)
  })

  it('refuses tasks out of order, duplicated, of another execution or none', () => {
    const exe = running()
    const [pre, main] = exe.tasks
    expect(isRunningExecution({ ...exe, tasks: [main, pre] })).toBe(false)
    expect(isRunningExecution({ ...exe, tasks: [pre, pre] })).toBe(false)
    expect(isRunningExecution({ ...exe, tasks: [] })).toBe(false)
    expect(isRunningExecution({ ...exe, tasks: [pre, undefined] })).toBe(false)
    expect(isRunningExecution({ ...exe, clusterId: 'other' })).toBe(false)
    expect(isRunningExecution({ ...exe, tasks: [pre, { ...main, id: 'x' }] })).toBe(false)
  })

  it('refuses next or current out of range, or current other than the task before next while RUNNING', () => {
    const exe = running()
    expect(isRunningExecution({ ...exe, next: 3 })).toBe(false)
    expect(isRunningExecution({ ...exe, current: 2 })).toBe(false)
    expect(isRunningExecution({ ...exe, current: 1 })).toBe(false)
    expect(isRunningExecution({ ...exe, current: undefined })).toBe(true)
    expect(isRunningExecution({ ...exe, current: undefined, next: 2 })).toBe(false)
    expect(isRunningExecution({ ...exe, current: 1, next: 2 })).toBe(true)
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
    expect(isRunningExecution({ ...final, status: 'COMPLETED', tasks: [], next: 0 })).toBe(false)
  })
})
