// Execution.deadline, which the manager's deadline index is built on, against
// the rule restated from the other public queries, over generated streams.
import { test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { Execution, Manager, Task } from '../src/index'
import type { Instant } from '../src/ids'
import { hostileEventStream } from '../src/testing'
import { runStream } from './fixtures'

// After a final status, a current task never launched (no last status update)
// is dropped once it has waited longer than the staging timeout: restated here
// from the rule, not from the execution's own query.
const unlaunchedDropOf = (execution: Execution.Execution, task: Task.Task): Instant | undefined =>
  execution.status === 'RUNNING' || execution.finished === undefined || task.lastStatusUpdate !== undefined
    ? undefined
    : execution.finished + execution.settings.stagingTimeout + 1

// The earliest instant at which a check acts on the execution, from the rule.
const earliestDeadlineOf = (execution: Execution.Execution): Instant | undefined => {
  const task = Execution.currentTask(execution)
  const all =
    task === undefined
      ? [Execution.starvationDeadline(execution)]
      : [
          Task.timeoutDeadline(task),
          task.forceReconciliation ? undefined : Task.reconciliationDeadline(task),
          unlaunchedDropOf(execution, task),
        ]
  const defined = all.filter((x): x is Instant => x !== undefined)
  return defined.length === 0 ? undefined : Math.min(...defined)
}

describe('Execution.deadline', () => {
  test.prop([hostileEventStream()])(
    'is the earliest of the timeout, the unforced reconciliation, the unlaunched drop and the starvation',
    (stream) => {
      runStream(stream, (state, index) => {
        for (const execution of Manager.runningExecutions(state)) {
          expect(Execution.deadline(execution), `${execution.clusterId} after event ${index}`).toBe(
            earliestDeadlineOf(execution),
          )
          const task = Execution.currentTask(execution)
          expect(Execution.needsKill(execution)).toBe(task !== undefined && Task.needsKill(task))
          expect(Execution.isReconciliationForced(execution)).toBe(
            task !== undefined && task.forceReconciliation && Task.reconciliationDeadline(task) !== undefined,
          )
        }
      })
    },
  )
})
