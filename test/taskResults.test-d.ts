// Type tests of the TaskResults module (contract §8): decode returns an Either.
import type * as E from 'fp-ts/Either'
import { describe, expectTypeOf, test } from 'vitest'
import { TaskResults } from '../src/index'

describe('TaskResults.decode', () => {
  test('takes unknown and returns Either<InvalidTaskResults, TaskResults>', () => {
    expectTypeOf(TaskResults.decode).parameter(0).toBeUnknown()
    expectTypeOf(TaskResults.decode).returns.toEqualTypeOf<
      E.Either<TaskResults.InvalidTaskResults, TaskResults.TaskResults>
    >()
  })
})
