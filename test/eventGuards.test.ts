// The reducers' entry guards (src/internal/eventGuards.ts): an event a
// JavaScript host passes without the task id it names is refused as a whole,
// the very same event is passed on when it is sound.
import { describe, expect, it } from 'vitest'
import type { ExecutionEvent } from '../src/execution'
import { checkedExecutionEvent, checkedManagerEvent, checkedTaskEvent, isNow } from '../src/internal/eventGuards'
import type { ManagerEvent } from '../src/manager'
import type { TaskEvent } from '../src/task'
import { executionSpec } from './fixtures'

// What a host may pass where the types protect nothing.
const asExecutionEvent = (event: object): ExecutionEvent => event as unknown as ExecutionEvent
const asManagerEvent = (event: object): ManagerEvent => event as unknown as ManagerEvent

describe('event guards', () => {
  it("an execution's TaskTimedOut needs a string task id", () => {
    const event = asExecutionEvent({ type: 'TaskTimedOut', taskId: 'c_main' })
    expect(checkedExecutionEvent(event)).toBe(event)
    expect(checkedExecutionEvent(asExecutionEvent({ type: 'TaskTimedOut' }))).toBeUndefined()
    expect(checkedExecutionEvent(asExecutionEvent({ type: 'TaskTimedOut', taskId: 1 }))).toBeUndefined()
  })

  it("the manager's TaskLaunched and TaskTimedOut need a string task id", () => {
    for (const type of ['TaskLaunched', 'TaskTimedOut']) {
      const event = asManagerEvent({ type, taskId: 'c_main' })
      expect(checkedManagerEvent(event)).toBe(event)
      expect(checkedManagerEvent(asManagerEvent({ type }))).toBeUndefined()
      expect(checkedManagerEvent(asManagerEvent({ type, taskId: null }))).toBeUndefined()
    }
  })

  it('an event of no known type, or no object at all, is refused', () => {
    // ['Launched'] names a known type only once coerced to a key: JSON may carry it.
    const types = [
      { type: 'Unknown' },
      { type: 'toString' },
      { type: 1 },
      { type: ['Launched'] },
      { type: ['Scheduled'] },
    ]
    for (const event of [null, 'Launched', [], ...types]) {
      expect(checkedTaskEvent(event as unknown as TaskEvent)).toBeUndefined()
      expect(checkedExecutionEvent(event as unknown as ExecutionEvent)).toBeUndefined()
      expect(checkedManagerEvent(event as unknown as ManagerEvent)).toBeUndefined()
    }
    const launched = { type: 'Launched' } as TaskEvent
    expect(checkedTaskEvent(launched)).toBe(launched)
  })

  it('a task update event needs a sound update', () => {
    const update = { taskId: 'c_main', status: 'RUNNING', timestamp: 0 }
    const task = { type: 'Updated', update } as unknown as TaskEvent
    expect(checkedTaskEvent(task)).toBe(task)
    expect(
      checkedTaskEvent({ type: 'Updated', update: { ...update, status: 'X' } } as unknown as TaskEvent),
    ).toBeUndefined()
    const execution = asExecutionEvent({ type: 'TaskUpdated', update })
    expect(checkedExecutionEvent(execution)).toBe(execution)
    expect(
      checkedExecutionEvent(asExecutionEvent({ type: 'TaskUpdated', update: { ...update, timestamp: 0.5 } })),
    ).toBeUndefined()
    const manager = asManagerEvent({ type: 'TaskUpdated', update })
    expect(checkedManagerEvent(manager)).toBe(manager)
    expect(checkedManagerEvent(asManagerEvent({ type: 'TaskUpdated' }))).toBeUndefined()
  })

  it("an execution's TaskLaunched may name its task id, as a string", () => {
    for (const event of [{ type: 'TaskLaunched' }, { type: 'TaskLaunched', taskId: 'c_main' }]) {
      const e = asExecutionEvent(event)
      expect(checkedExecutionEvent(e)).toBe(e)
    }
    expect(checkedExecutionEvent(asExecutionEvent({ type: 'TaskLaunched', taskId: 1 }))).toBeUndefined()
  })

  it("the manager's NextTaskStarted needs a string cluster id, NodeLost a node id", () => {
    const next = asManagerEvent({ type: 'NextTaskStarted', clusterId: 'c' })
    expect(checkedManagerEvent(next)).toBe(next)
    expect(checkedManagerEvent(asManagerEvent({ type: 'NextTaskStarted', clusterId: 1 }))).toBeUndefined()
    for (const nodeId of [1, 'n']) {
      const lost = asManagerEvent({ type: 'NodeLost', nodeId })
      expect(checkedManagerEvent(lost)).toBe(lost)
    }
    expect(checkedManagerEvent(asManagerEvent({ type: 'NodeLost', nodeId: 1.5 }))).toBeUndefined()
  })

  it('Scheduled keeps its good executions, the very same event when all are', () => {
    const good = executionSpec(1)
    const all = asManagerEvent({ type: 'Scheduled', executions: [good, executionSpec(2)] })
    expect(checkedManagerEvent(all)).toBe(all)
    const some = checkedManagerEvent(
      asManagerEvent({ type: 'Scheduled', executions: [good, { id: 'x' }, executionSpec(3)] }),
    )
    expect(some).toEqual({ type: 'Scheduled', executions: [good, executionSpec(3)] })
    expect(checkedManagerEvent(asManagerEvent({ type: 'Scheduled', executions: good }))).toBeUndefined()
    expect(checkedManagerEvent(asManagerEvent({ type: 'Scheduled', executions: [], messages: 'm' }))).toBeUndefined()
    const withMessages = asManagerEvent({ type: 'Scheduled', executions: [], messages: [] })
    expect(checkedManagerEvent(withMessages)).toBe(withMessages)
  })

  it('ExecutionsLost keeps its ids, JobsSynced its good jobs', () => {
    const ids = asManagerEvent({ type: 'ExecutionsLost', ids: [1, 'a'] })
    expect(checkedManagerEvent(ids)).toBe(ids)
    expect(checkedManagerEvent(asManagerEvent({ type: 'ExecutionsLost', ids: [1, null, 2] }))).toEqual({
      type: 'ExecutionsLost',
      ids: [1, 2],
    })
    expect(checkedManagerEvent(asManagerEvent({ type: 'ExecutionsLost', ids: 1 }))).toBeUndefined()
    expect(checkedManagerEvent(asManagerEvent({ type: 'JobsSynced', jobs: [] }))).toBeUndefined()
    expect(checkedManagerEvent(asManagerEvent({ type: 'CanceledOffQueue', records: {} }))).toBeUndefined()
    expect(checkedManagerEvent(asManagerEvent({ type: 'HistoryLoaded', records: 'r' }))).toBeUndefined()
  })

  it('now is a safe integer', () => {
    expect(isNow(0)).toBe(true)
    expect(isNow(-1)).toBe(true)
    for (const now of [0.5, Number.NaN, Number.POSITIVE_INFINITY, '1', undefined]) expect(isNow(now)).toBe(false)
  })
})
