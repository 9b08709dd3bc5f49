// The reducers' entry guards (src/internal/eventGuards.ts): an event a
// JavaScript host passes without the task id it names is refused as a whole,
// the very same event is passed on when it is sound.
import { describe, expect, it } from 'vitest'
import type { ExecutionEvent } from '../src/execution'
import { checkedExecutionEvent, checkedManagerEvent } from '../src/internal/eventGuards'
import type { ManagerEvent } from '../src/manager'

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
})
