// Type tests of the TaskUpdate module (contract §4, §13): every decoder takes
// unknown and returns an Either, never a throw in its type.
import type * as E from 'fp-ts/Either'
import { describe, expectTypeOf, test } from 'vitest'
import { TaskUpdate } from '../src/index'

type Decoded = E.Either<TaskUpdate.InvalidTaskUpdate, TaskUpdate.TaskUpdate>

describe('TaskUpdate decoders', () => {
  test('take unknown and return Either<InvalidTaskUpdate, TaskUpdate>', () => {
    for (const decoder of [TaskUpdate.fromMesos, TaskUpdate.fromKubernetesPod, TaskUpdate.decode]) {
      expectTypeOf(decoder).parameter(0).toBeUnknown()
      expectTypeOf(decoder).returns.toEqualTypeOf<Decoded>()
    }
  })

  test('a TaskUpdate is read-only and its status a closed union', () => {
    expectTypeOf<TaskUpdate.TaskStatus>().toEqualTypeOf<
      'STAGING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED' | 'LOST' | 'UNKNOWN'
    >()
    const update: TaskUpdate.TaskUpdate = { taskId: 't', status: 'RUNNING', timestamp: 0 }
    // @ts-expect-error an update is never written to
    update.status = 'FINISHED'
    // @ts-expect-error Mesos' TASK_ prefix is not a status
    const mesos: TaskUpdate.TaskStatus = 'TASK_RUNNING'
    expectTypeOf(mesos).toBeString()
  })
})
