// Type tests of the Task module (contract §5): its event union refuses a
// misspelt type or a wrong field, and a task is read-only.
import { describe, expectTypeOf, test } from 'vitest'
import { Task, type TaskUpdate } from '../src/index'

declare const task: Task.Task
declare const update: TaskUpdate.TaskUpdate

describe('Task.TaskEvent', () => {
  test('is the union of its six events', () => {
    expectTypeOf<Task.TaskEvent['type']>().toEqualTypeOf<
      'Launched' | 'Updated' | 'TimedOut' | 'KillRequested' | 'ReconciliationForced' | 'Renamed'
    >()
    expectTypeOf(Task.reduce(task, { type: 'Updated', update }, 0)).toEqualTypeOf<Task.Task>()
  })

  test('refuses a misspelt type and a wrong field', () => {
    // @ts-expect-error a misspelt type
    Task.reduce(task, { type: 'Lanched' }, 0)
    // @ts-expect-error an update must be a TaskUpdate
    Task.reduce(task, { type: 'Updated', update: { taskId: 't' } }, 0)
    // @ts-expect-error Updated needs its update
    Task.reduce(task, { type: 'Updated' }, 0)
  })
})

describe('Task.Task', () => {
  test('is read-only', () => {
    // @ts-expect-error a task is never written to
    task.id = 'other'
    // @ts-expect-error a task is never written to
    task.forceReconciliation = true
  })
})
