// Waiting with an AbortSignal: a sleep that ends early on abort, and one
// signal that aborts when any of several does.

/** Resolves after `ms`, or as soon as `signal` aborts. */
export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) {
      resolve()
      return
    }
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })

/**
 * A signal that aborts when any of `signals` does (AbortSignal.any, which Node
 * 20.0 lacks), and a `dispose` that takes its listeners off the given signals:
 * a long-lived signal shared by many calls must not collect one per call.
 */
export const anySignal = (
  signals: readonly AbortSignal[],
): { readonly signal: AbortSignal; readonly dispose: () => void } => {
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  const listening: AbortSignal[] = []
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort()
      break
    }
    signal.addEventListener('abort', abort, { once: true })
    listening.push(signal)
  }
  const dispose = (): void => {
    for (const signal of listening) signal.removeEventListener('abort', abort)
  }
  return { signal: controller.signal, dispose }
}
