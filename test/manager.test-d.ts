// Type tests of the Manager module (contract §7, §11): its event union refuses
// a misspelt type or a wrong field, JobStatus is a closed union, fromSnapshot
// returns an Either and nextDeadline an Option, and no literal passes for a
// manager state.
import type * as E from 'fp-ts/Either'
import type * as O from 'fp-ts/Option'
import { describe, expectTypeOf, test } from 'vitest'
import { type Ids, Manager } from '../src/index'

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

  test('toSnapshot writes version 3; version 2 keeps its own type', () => {
    expectTypeOf(Manager.toSnapshot).returns.toEqualTypeOf<Manager.Snapshot>()
    expectTypeOf<Manager.Snapshot['snapshotVersion']>().toEqualTypeOf<3>()
    expectTypeOf<Manager.Snapshot['running'][number]>().toEqualTypeOf<Manager.SnapshotRow>()
    expectTypeOf<Manager.SnapshotV2['snapshotVersion']>().toEqualTypeOf<2>()
    expectTypeOf<Manager.SnapshotV2['outbox']>().toEqualTypeOf<Manager.Snapshot['outbox']>()
    expectTypeOf<Manager.SnapshotV2>().not.toHaveProperty('tables')
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

describe('generic host messages', () => {
  type MyMsg = { readonly type: 'RunningJobs'; readonly n: number }
  const mine = Manager.create<MyMsg>(0)

  test("a Manager<MyMsg>'s drain has element type MyMsg | Message, and reducers keep MyMsg", () => {
    expectTypeOf(mine).toEqualTypeOf<Manager.Manager<MyMsg>>()
    const next = Manager.reduce(
      mine,
      { type: 'Scheduled', executions: [], messages: [{ type: 'RunningJobs', n: 1 }] },
      0,
    )
    expectTypeOf(next).toEqualTypeOf<Manager.Manager<MyMsg>>()
    expectTypeOf(Manager.reduceMany(next, [{ now: 0, event: { type: 'TimeoutsChecked' } }])).toEqualTypeOf<
      Manager.Manager<MyMsg>
    >()
    const [messages, drained] = Manager.drain(next, 0)
    expectTypeOf(messages).toEqualTypeOf<ReadonlyArray<MyMsg | Manager.Message>>()
    expectTypeOf(drained).toEqualTypeOf<Manager.Manager<MyMsg>>()
    expectTypeOf(Manager.startNextTask(next, 'scale_job_fw_1x1', 0)[1]).toEqualTypeOf<Manager.Manager<MyMsg>>()
    // isMessage splits the drained union exactly.
    const hosts = messages.filter((m): m is MyMsg => !Manager.isMessage(m))
    expectTypeOf(hosts).toEqualTypeOf<MyMsg[]>()
  })

  test('a wrong host message type in Scheduled is rejected', () => {
    // @ts-expect-error the host's messages are MyMsg
    Manager.reduce(mine, { type: 'Scheduled', executions: [], messages: [{ type: 'Other' }] }, 0)
    // @ts-expect-error nor a MyMsg with a wrong field
    Manager.reduce(mine, { type: 'Scheduled', executions: [], messages: [{ type: 'RunningJobs', n: '1' }] }, 0)
    Manager.reduceMany(mine, [
      // @ts-expect-error reduceMany checks them as reduce does
      { now: 0, event: { type: 'Scheduled', executions: [], messages: ['text'] } },
    ])
  })

  test('Manager.Manager without a type argument still works, and takes any manager', () => {
    expectTypeOf<Manager.Manager>().toEqualTypeOf<Manager.Manager<unknown>>()
    expectTypeOf(Manager.drain(state, 0)[0]).toEqualTypeOf<Manager.Drained>()
    expectTypeOf<Manager.Drained>().toEqualTypeOf<readonly unknown[]>()
    Manager.reduce(state, { type: 'Scheduled', executions: [], messages: ['any', 1, { type: 'X' }] }, 0)
    expectTypeOf(Manager.runningCount).toBeCallableWith(mine)
    expectTypeOf<Manager.Manager<MyMsg>>().toExtend<Manager.Manager>()
    expectTypeOf<Manager.Manager<string>>().not.toExtend<Manager.Manager<MyMsg>>()
  })

  test('the refusal entries', () => {
    expectTypeOf<Manager.Refusal>().toEqualTypeOf<Manager.ExecutionRefused | Manager.MessageRefused>()
    expectTypeOf<Manager.ExecutionRefused>().toEqualTypeOf<{
      readonly type: 'ExecutionRefused'
      readonly clusterId: Ids.ClusterId
      readonly id: number
      readonly reason: 'cluster-id-without-job-prefix' | 'unroutable-task-ids'
    }>()
    expectTypeOf<Manager.MessageRefused>().toEqualTypeOf<{
      readonly type: 'MessageRefused'
      readonly message: unknown
      readonly reason: 'core-message-type'
    }>()
    expectTypeOf<Manager.Refusal>().toExtend<Manager.Message>()
    expectTypeOf<Manager.Message['type']>().toEqualTypeOf<
      'JobExeEnd' | 'CompletedJobs' | 'FailedJobs' | 'ExecutionRefused' | 'MessageRefused'
    >()
    const drained: Manager.Drained = []
    expectTypeOf(drained.filter(Manager.isRefusal)).toEqualTypeOf<Manager.Refusal[]>()
  })
})

describe('Manager.route', () => {
  test('keeps the host message type', () => {
    type MyMsg = { readonly type: 'RunningJobs' }
    const event: Manager.ManagerEvent<MyMsg> = {
      type: 'Scheduled',
      executions: [],
      messages: [{ type: 'RunningJobs' }],
    }
    expectTypeOf(Manager.route(event, 2)).toEqualTypeOf<Array<readonly [number, Manager.ManagerEvent<MyMsg>]>>()
    expectTypeOf(Manager.route({ type: 'TimeoutsChecked' }, 2)).toEqualTypeOf<
      Array<readonly [number, Manager.ManagerEvent]>
    >()
  })
})
