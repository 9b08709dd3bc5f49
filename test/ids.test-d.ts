// Type tests of the Ids module (issue 15): cluster ids and task ids are
// flavoured strings, so that one never passes for the other, while a plain
// string (from the host's database, JSON or logs) is accepted as either; the
// records, events and queries that hold them name their kind.
import type * as E from 'fp-ts/Either'
import { describe, expectTypeOf, test } from 'vitest'
import { type Execution, Ids, Manager, type TaskUpdate, type Task } from '../src/index'

declare const state: Manager.Manager
declare const clusterId: Ids.ClusterId
declare const taskId: Ids.TaskId
declare const text: string

describe('Ids.ClusterId and Ids.TaskId', () => {
  test('are built by Ids', () => {
    expectTypeOf(Ids.clusterId('fw', 1, 1)).toEqualTypeOf<Ids.ClusterId>()
    expectTypeOf(Ids.taskId(clusterId, 'main')).toEqualTypeOf<Ids.TaskId>()
    expectTypeOf(Ids.lostTaskId(taskId, 2)).toEqualTypeOf<Ids.TaskId>()
    expectTypeOf(Ids.clusterIdOfTask(taskId)).toEqualTypeOf<Ids.ClusterId | undefined>()
  })

  test('a task id is not a cluster id, nor the reverse', () => {
    expectTypeOf<Ids.TaskId>().not.toExtend<Ids.ClusterId>()
    expectTypeOf<Ids.ClusterId>().not.toExtend<Ids.TaskId>()
    // @ts-expect-error a task id where a cluster id belongs
    Manager.runningExecution(state, taskId)
    // @ts-expect-error a task id where a cluster id belongs
    Manager.reduce(state, { type: 'NextTaskStarted', clusterId: taskId }, 0)
    // @ts-expect-error a cluster id where a task id belongs
    Manager.reduce(state, { type: 'TaskLaunched', taskId: clusterId }, 0)
    // @ts-expect-error a cluster id where a task id belongs
    Manager.reduce(state, { type: 'TaskTimedOut', taskId: clusterId }, 0)
    // @ts-expect-error a cluster id where a task id belongs
    Ids.clusterIdOfTask(clusterId)
    // @ts-expect-error a task id where a cluster id belongs
    Ids.taskId(taskId, 'main')
  })

  test('both are strings, and a plain string is either', () => {
    expectTypeOf<Ids.ClusterId>().toExtend<string>()
    expectTypeOf<Ids.TaskId>().toExtend<string>()
    expectTypeOf(Manager.runningExecution).toBeCallableWith(state, text)
    expectTypeOf(Manager.runningExecution).toBeCallableWith(state, 'scale_job_fw_1x1')
    Manager.reduce(state, { type: 'TaskLaunched', taskId: text }, 0)
    const built: Ids.TaskId = `${clusterId}_main`
    expectTypeOf(built).toEqualTypeOf<Ids.TaskId>()
  })

  test('the records and queries name their kind', () => {
    expectTypeOf<Task.Task['id']>().toEqualTypeOf<Ids.TaskId>()
    expectTypeOf<Task.Task['baseId']>().toEqualTypeOf<Ids.TaskId>()
    expectTypeOf<Execution.ExecutionSpec['clusterId']>().toEqualTypeOf<Ids.ClusterId>()
    expectTypeOf<Execution.Execution['clusterId']>().toEqualTypeOf<Ids.ClusterId>()
    expectTypeOf<Execution.EndRecord['clusterId']>().toEqualTypeOf<Ids.ClusterId>()
    expectTypeOf<TaskUpdate.TaskUpdate['taskId']>().toEqualTypeOf<Ids.TaskId>()
    expectTypeOf(Manager.runningExecution(state, clusterId)?.clusterId).toEqualTypeOf<Ids.ClusterId | undefined>()
    expectTypeOf(Manager.tasksToKill(state)[0]?.id).toEqualTypeOf<Ids.TaskId | undefined>()
  })
})

describe('Ids.NodeId', () => {
  test('is a number or a string; the canonical spelling is one too', () => {
    expectTypeOf<Ids.NodeId>().toEqualTypeOf<number | string>()
    expectTypeOf(Ids.canonicalNodeId).returns.toEqualTypeOf<Ids.NodeId>()
    expectTypeOf(Ids.sameNode).returns.toEqualTypeOf<boolean>()
    // @ts-expect-error a node id is not an object
    Manager.reduce(state, { type: 'NodeLost', nodeId: { id: 1 } }, 0)
  })
})

describe('Manager.fromSnapshot', () => {
  type Mine = { readonly type: 'Mine'; readonly n: number }
  const isMine = (x: unknown): x is Mine => typeof x === 'object' && x !== null
  test('is a Manager<unknown> without a guard and a Manager<M> with one', () => {
    expectTypeOf(Manager.fromSnapshot({})).toEqualTypeOf<E.Either<Manager.InvalidSnapshot, Manager.Manager>>()
    expectTypeOf(Manager.fromSnapshot({}, isMine)).toEqualTypeOf<
      E.Either<Manager.InvalidSnapshot, Manager.Manager<Mine>>
    >()
    expectTypeOf(Manager.fromSnapshotText('', isMine)).toEqualTypeOf<
      E.Either<Manager.InvalidSnapshot, Manager.Manager<Mine>>
    >()
    // @ts-expect-error the guard must be a type guard of the host's messages
    Manager.fromSnapshot({}, (x: unknown): boolean => x !== null)
  })
})
