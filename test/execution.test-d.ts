// Type tests of the Execution module (contract §6): its event union, the
// Either of decodeSettings, and read-only executions and settings.
import type * as E from 'fp-ts/Either'
import { describe, expectTypeOf, test } from 'vitest'
import { Execution, type TaskUpdate } from '../src/index'

declare const execution: Execution.Execution
declare const update: TaskUpdate.TaskUpdate

describe('Execution.ExecutionEvent', () => {
  test('is the union of its nine events', () => {
    expectTypeOf<Execution.ExecutionEvent['type']>().toEqualTypeOf<
      | 'NextTaskStarted'
      | 'TaskLaunched'
      | 'TaskUpdated'
      | 'Canceled'
      | 'NodeLost'
      | 'TaskTimedOut'
      | 'StarvationChecked'
      | 'KillRequested'
      | 'TimeoutsChecked'
    >()
    expectTypeOf(Execution.reduce(execution, { type: 'TaskUpdated', update }, 0)).toEqualTypeOf<Execution.Execution>()
  })

  test('refuses a misspelt type and a wrong field', () => {
    // @ts-expect-error Scale spells it Canceled
    Execution.reduce(execution, { type: 'Cancelled' }, 0)
    // @ts-expect-error TaskTimedOut names its task
    Execution.reduce(execution, { type: 'TaskTimedOut' }, 0)
    // @ts-expect-error a task id is a string
    Execution.reduce(execution, { type: 'TaskTimedOut', taskId: 7 }, 0)
  })
})

describe('Execution.decodeSettings', () => {
  test('returns an Either of InvalidSettings or Settings', () => {
    expectTypeOf(Execution.decodeSettings).parameter(0).toBeUnknown()
    expectTypeOf(Execution.decodeSettings).returns.toEqualTypeOf<
      E.Either<Execution.InvalidSettings, Execution.Settings>
    >()
  })
})

describe('Execution.Execution', () => {
  test('is read-only, and so are its tasks and settings', () => {
    // @ts-expect-error an execution is never written to
    execution.status = 'FAILED'
    // @ts-expect-error nor its list of tasks
    execution.tasksSoFar[0] = execution.tasksSoFar[1]
    // @ts-expect-error nor its list of task types
    execution.taskTypes[0] = 'main'
    // @ts-expect-error nor the list of all its tasks
    Execution.tasks(execution)[0] = Execution.tasks(execution)[1]
    // @ts-expect-error nor the default settings
    Execution.DEFAULT_SETTINGS.stagingTimeout = 1
  })
})
