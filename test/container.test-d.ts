// Type tests of the Container module (contract §9): every volume name is an
// Either, Left when the execution is still queued.
import type * as E from 'fp-ts/Either'
import { describe, expectTypeOf, test } from 'vitest'
import { Container } from '../src/index'

type Named = E.Either<Container.QueuedExecution, string>

describe('Container volume names', () => {
  test('return Either<QueuedExecution, string>', () => {
    expectTypeOf(Container.inputVolumeName).returns.toEqualTypeOf<Named>()
    expectTypeOf(Container.outputVolumeName).returns.toEqualTypeOf<Named>()
    expectTypeOf(Container.mountVolumeName).returns.toEqualTypeOf<Named>()
    expectTypeOf(Container.workspaceVolumeName).returns.toEqualTypeOf<Named>()
  })

  test('take anything with an optional cluster id, and a name where they need one', () => {
    expectTypeOf(Container.inputVolumeName).toBeCallableWith({})
    expectTypeOf(Container.mountVolumeName).toBeCallableWith({ clusterId: 'c' }, 'm')
    // @ts-expect-error a mount needs its name
    Container.mountVolumeName({ clusterId: 'c' })
    // @ts-expect-error a cluster id is a string
    Container.outputVolumeName({ clusterId: 7 })
  })
})
