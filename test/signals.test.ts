// Waiting with an AbortSignal (src/internal/signals.ts): a sleep that ends
// after its time or as soon as its signal aborts, and a signal that aborts
// when any of several does. Both leave no listener behind on the signals they
// were given: the stores' poll loops sleep again and again on one long-lived
// signal, which must not collect one listener per call. Timers are faked, so
// nothing here waits on the clock.
import { getEventListeners } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { anySignal, sleep } from '../src/internal/signals'

// Whether the promise has settled, read after the pending callbacks ran.
const tracked = (promise: Promise<void>): { readonly settled: () => boolean } => {
  let settled = false
  void promise.then(() => {
    settled = true
  })
  return { settled: () => settled }
}

const abortListeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length

describe('sleep', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('resolves once its time has passed, not before', async () => {
    const controller = new AbortController()
    const sleeping = tracked(sleep(1_000, controller.signal))
    await vi.advanceTimersByTimeAsync(999)
    expect(sleeping.settled()).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(sleeping.settled()).toBe(true)
    expect(abortListeners(controller.signal)).toBe(0)
  })

  it('resolves at once on a signal already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const sleeping = tracked(sleep(1_000, controller.signal))
    await vi.advanceTimersByTimeAsync(0)
    expect(sleeping.settled()).toBe(true)
    expect(abortListeners(controller.signal)).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('resolves as soon as its signal aborts, its timer cleared', async () => {
    const controller = new AbortController()
    const sleeping = tracked(sleep(60_000, controller.signal))
    await vi.advanceTimersByTimeAsync(10)
    expect(sleeping.settled()).toBe(false)
    controller.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(sleeping.settled()).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
    expect(abortListeners(controller.signal)).toBe(0)
  })

  it('leaves no listener on a long-lived signal after many sleeps', async () => {
    const controller = new AbortController()
    for (let i = 0; i < 5; i++) {
      const sleeping = tracked(sleep(100, controller.signal))
      await vi.advanceTimersByTimeAsync(100)
      expect(sleeping.settled()).toBe(true)
    }
    expect(abortListeners(controller.signal)).toBe(0)
  })
})

describe('anySignal', () => {
  it('aborts when any of its signals does, not before', () => {
    const [first, second] = [new AbortController(), new AbortController()]
    const any = anySignal([first.signal, second.signal])
    expect(any.signal.aborted).toBe(false)
    second.abort()
    expect(any.signal.aborted).toBe(true)
    any.dispose()
  })

  it('is aborted at once when one of its signals already is', () => {
    const [first, second] = [new AbortController(), new AbortController()]
    second.abort()
    const any = anySignal([first.signal, second.signal])
    expect(any.signal.aborted).toBe(true)
    any.dispose()
    expect(abortListeners(first.signal)).toBe(0)
  })

  it('takes its listeners off the signals it was given when disposed', () => {
    const [first, second] = [new AbortController(), new AbortController()]
    const any = anySignal([first.signal, second.signal])
    expect(abortListeners(first.signal)).toBe(1)
    any.dispose()
    expect(abortListeners(first.signal)).toBe(0)
    expect(abortListeners(second.signal)).toBe(0)
    // Disposed, it no longer follows them.
    first.abort()
    expect(any.signal.aborted).toBe(false)
  })

  it('leaves no listener on a long-lived signal shared by many calls, each disposed', () => {
    const shared = new AbortController()
    for (let i = 0; i < 5; i++) anySignal([shared.signal, new AbortController().signal]).dispose()
    expect(abortListeners(shared.signal)).toBe(0)
  })
})
