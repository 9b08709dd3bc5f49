// Type tests of the package's entries (contract §11): the root exports exactly
// its ten namespaces, and /testing the kit hosts and the suite use.
import { describe, expectTypeOf, test } from 'vitest'
import type * as Root from '../src/index'
import type * as Testing from '../src/testing'

describe('the root entry', () => {
  test('exports exactly its ten namespaces', () => {
    expectTypeOf<keyof typeof Root>().toEqualTypeOf<
      | 'Container'
      | 'Errors'
      | 'EventLog'
      | 'Execution'
      | 'Ids'
      | 'Manager'
      | 'Metrics'
      | 'Task'
      | 'TaskResults'
      | 'TaskUpdate'
    >()
  })
})

describe('the /testing entry', () => {
  test('exports the arbitraries, the invariant check and the fixtures of the kit', () => {
    expectTypeOf<
      | 'BASE_INSTANT'
      | 'ERROR_MAPPING'
      | 'EXIT_CODE_ERRORS'
      | 'executionSpec'
      | 'anyExecutionSpec'
      | 'taskUpdate'
      | 'inspectData'
      | 'mesosStatus'
      | 'malformedMesosStatus'
      | 'eventStream'
      | 'hostileEventStream'
      | 'checkInvariants'
      | 'kubernetesPod'
      | 'malformedKubernetesPod'
    >().toExtend<keyof typeof Testing>()
    expectTypeOf(({} as typeof Testing).checkInvariants).returns.toEqualTypeOf<string[]>()
  })
})
