// The manager inside a host's immer store (docs/immer.md): with auto-freeze on,
// immer deep-freezes every state the host assigns, and the manager must go on
// exactly as it does outside the store, its states never written to.
import { test } from '@fast-check/vitest'
import { produce, setAutoFreeze } from 'immer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Manager } from '../src/index'
import { checkInvariants, eventStream } from '../src/testing'

interface Store {
  readonly manager: Manager.Manager
  readonly outgoing: readonly unknown[]
  readonly ticks: number
}

// The recipe of the guide: reduce outside the draft (on the store itself, not
// on a draft of it), then assign the result: the opaque state type-checks as
// a draft field without immer's castDraft.
const step = (store: Store, event: Manager.ManagerEvent, now: number): Store => {
  const [messages, manager] = Manager.drain(Manager.reduce(store.manager, event, now), now)
  return produce(store, (draft) => {
    draft.manager = manager
    draft.outgoing.push(...messages)
    draft.ticks += 1
  })
}

describe('Manager inside an immer store', () => {
  beforeAll(() => setAutoFreeze(true))
  afterAll(() => setAutoFreeze(true))

  test.prop([eventStream({ maxLength: 60 })])(
    'gives the same messages, queries and status JSON as outside it, with every state frozen',
    (stream) => {
      let store: Store = { manager: Manager.create(stream.start), outgoing: [], ticks: 0 }
      const plainMessages: unknown[] = []
      let plain = Manager.create(stream.start)
      for (const { now, event } of stream.events) {
        const [messages, drained] = Manager.drain(Manager.reduce(plain, event, now), now)
        plainMessages.push(...messages)
        plain = drained
      }
      for (const { now, event } of stream.events) {
        store = step(store, event, now)
        expect(Object.isFrozen(store.manager)).toBe(true)
      }
      expect(checkInvariants(store.manager)).toEqual([])
      expect(store.ticks).toBe(stream.events.length)
      const end = stream.events.at(-1)?.now ?? stream.start
      const nodes = [...new Set(Manager.runningExecutions(plain).map((x) => x.nodeId))]
      expect(Manager.statusJson(store.manager, nodes, end)).toEqual(Manager.statusJson(plain, nodes, end))
      expect(Manager.runningExecutions(store.manager)).toEqual(Manager.runningExecutions(plain))
      expect(Manager.tasksToKill(store.manager)).toEqual(Manager.tasksToKill(plain))
      expect(Manager.nextDeadline(store.manager)).toEqual(Manager.nextDeadline(plain))
      expect(store.outgoing).toEqual(plainMessages)
    },
  )

  it('an event that changes nothing leaves the store itself unchanged', () => {
    const store: Store = produce({ manager: Manager.create(0), outgoing: [], ticks: 0 } as Store, () => {})
    const next = produce(store, (draft) => {
      const manager = Manager.reduce(store.manager, { type: 'TimeoutsChecked' }, 5)
      if (manager !== store.manager) draft.manager = manager
    })
    expect(next).toBe(store)
  })
})
