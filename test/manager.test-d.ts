// Type tests of the Manager module (contract §7, §11): its event union refuses
// a misspelt type or a wrong field, JobStatus is a closed union, fromSnapshot
// returns an Either and nextDeadline an Option, and no literal passes for a
// manager state.
import type * as E from 'fp-ts/Either'
import type * as O from 'fp-ts/Option'
import { describe, expectTypeOf, test } from 'vitest'
import { Manager } from '../src/index'

declare const state: Manager.Manager

describe('Manager.ManagerEvent', () => {
  test('is the union of its twelve events', () => {
    expectTypeOf<Manager.ManagerEvent['type']>().toEqualTypeOf<
      | 'Scheduled'
      | 'NextTaskStarted'
      | 'TaskLaunched'
      | 'TaskUpdated'
      | 'TaskTimedOut'
      | 'TimeoutsChecked'
      | 'ExecutionsLost'
      | 'NodeLost'
      | 'CanceledOffQueue'
      | 'JobsSynced'
      | 'StarvationChecked'
      | 'HistoryLoaded'
    >()
    expectTypeOf(Manager.reduce(state, { type: 'TimeoutsChecked' }, 0)).toEqualTypeOf<Manager.Manager>()
  })

  test('refuses a misspelt type and a wrong field', () => {
    // @ts-expect-error a misspelt type
    Manager.reduce(state, { type: 'TimeoutChecked' }, 0)
    // @ts-expect-error NodeLost names its node
    Manager.reduce(state, { type: 'NodeLost', node: 1 }, 0)
    // @ts-expect-error NextTaskStarted names a cluster id, not a task id
    Manager.reduce(state, { type: 'NextTaskStarted', taskId: 'scale_job_fw_1x1_main' }, 0)
  })
})

describe('Manager.JobStatus', () => {
  test('is a closed union, spelt as Scale spells it', () => {
    expectTypeOf<Manager.JobStatus>().toEqualTypeOf<
      'PENDING' | 'BLOCKED' | 'QUEUED' | 'RUNNING' | 'FAILED' | 'COMPLETED' | 'CANCELED'
    >()
    Manager.reduce(state, { type: 'JobsSynced', jobs: { 1: { status: 'CANCELED', numExes: 1 } } }, 0)
    // @ts-expect-error neither another spelling nor another case
    Manager.reduce(state, { type: 'JobsSynced', jobs: { 1: { status: 'cancelled', numExes: 1 } } }, 0)
  })
})

describe('Manager queries and snapshots', () => {
  test('nextDeadline is an Option of an instant', () => {
    expectTypeOf(Manager.nextDeadline).returns.toEqualTypeOf<O.Option<number>>()
  })

  test('fromSnapshot takes unknown and returns Either<InvalidSnapshot, Manager>', () => {
    expectTypeOf(Manager.fromSnapshot).parameter(0).toBeUnknown()
    expectTypeOf(Manager.fromSnapshot).returns.toEqualTypeOf<E.Either<Manager.InvalidSnapshot, Manager.Manager>>()
  })

  test('a running execution it hands out is read-only', () => {
    const running = Manager.runningExecution(state, 'scale_job_fw_1x1')
    if (running === undefined) return
    // @ts-expect-error a state's execution is never written to
    running.status = 'CANCELED'
  })

  test('no literal passes for a manager state', () => {
    expectTypeOf<object>().not.toExtend<Manager.Manager>()
    // @ts-expect-error a state comes from create, reduce or fromSnapshot
    Manager.drain({}, 0)
  })
})
