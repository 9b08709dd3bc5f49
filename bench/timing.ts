// Timing helpers: medians of repetitions, a garbage collector when exposed, and
// a sink that keeps results alive so that no work is optimised away.
import { openSync, readSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

/** A figure measured several times: its median and spread, in the unit of the caller. */
export interface Sample {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly runs: number
}

export const summarize = (values: readonly number[]): Sample => {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 }
  const mid = Math.floor(n / 2)
  const median =
    n % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[n - 1] ?? Number.NaN, runs: n }
}

/** Wall-clock milliseconds, high resolution (progress lines and the run's length). */
export const wallClock = (): number => performance.now()

// Node 20 has no process.threadCpuUsage (it came in Node 23.9), and
// process.cpuUsage counts every thread: V8's concurrent marking and parallel
// scavenging were half of the process's CPU time in an allocating loop here.
// Linux keeps the main thread's own run time (nanoseconds, the first field of
// /proc/thread-self/schedstat), but brings a running thread's count up to
// date only at scheduler ticks and switches, milliseconds apart. So a reading
// first blocks the thread for 50 us (a futex wait, which books its run time)
// and then reads the file: exact to the microsecond, at about 0.2 ms of wall
// time per reading, so the figures read it only at the ends of a repetition.
const threadClock = (): { readonly read: () => number; readonly kind: string } | undefined => {
  const threadCpuUsage: unknown = Reflect.get(process, 'threadCpuUsage')
  if (typeof threadCpuUsage === 'function') {
    return {
      read: () => {
        const usage = threadCpuUsage.call(process) as NodeJS.CpuUsage
        return (usage.user + usage.system) / 1_000
      },
      kind: 'main-thread CPU time (process.threadCpuUsage)',
    }
  }
  try {
    const fd = openSync('/proc/thread-self/schedstat', 'r')
    const buffer = Buffer.alloc(128)
    const cell = new Int32Array(new SharedArrayBuffer(4))
    const read = (): number => {
      Atomics.wait(cell, 0, 0, 0.05)
      const length = readSync(fd, buffer, 0, buffer.length, 0)
      const text = buffer.toString('latin1', 0, length)
      return Number(text.slice(0, text.indexOf(' '))) / 1e6
    }
    return Number.isFinite(read()) && read() > 0
      ? { read, kind: 'main-thread CPU time (/proc/thread-self/schedstat after a 50 us futex wait)' }
      : undefined
  } catch {
    return undefined
  }
}

const thread = threadClock()

/** What {@link clock} measures here. */
export const CLOCK_KIND: string =
  thread?.kind ?? 'process CPU time (process.cpuUsage: all threads, GC helpers included)'

/**
 * Milliseconds of the main thread's CPU time, the clock of every timed figure:
 * on a shared machine, time the thread spent descheduled is not the code's.
 * Falls back to the whole process's CPU time.
 */
export const clock: () => number =
  thread?.read ??
  ((): number => {
    const usage = process.cpuUsage()
    return (usage.user + usage.system) / 1_000
  })

/** Runs a full garbage collection when the process has `--expose-gc`; else does nothing. */
export const collect = (): void => {
  const gc = globalThis.gc
  if (typeof gc === 'function') {
    gc()
    gc()
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** Blocks the main thread for `ms` milliseconds (background GC threads go on). */
export const sleep = (ms: number): void => {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms)
}

/**
 * A full gc, then a pause in which V8's concurrent sweeper threads finish.
 * Without the pause, whatever is timed right after a gc of a large heap pays
 * for sweeping it (measured: scheduling beside 100k executions 6 us per
 * execution after a 300 ms pause, 30-80 us without one). The pause grows with
 * the heap: 20 ms plus 1 ms per 8 MB in use. Run once before a series of
 * repetitions; between repetitions, {@link tidy}.
 */
export const settle = (): void => {
  const gc = globalThis.gc
  if (typeof gc !== 'function') return
  gc()
  sleep(20 + Math.round(process.memoryUsage().heapUsed / 8_000_000))
}

/**
 * A minor gc (a scavenge of the young generation) before a repetition, so
 * that each starts with an empty nursery; the old generation is left to
 * collect itself as it would in a host, so a major gc that falls into a
 * repetition is counted there (the median of the repetitions absorbs it).
 */
export const tidy = (): void => {
  const gc = globalThis.gc
  if (typeof gc !== 'function') return
  gc({ type: 'minor' })
}

let sunk = 0

/** Keeps a value observable so that the work that produced it is not dropped. */
export const sink = (value: unknown): void => {
  sunk = (sunk + (value === undefined ? 1 : typeof value === 'number' ? value : 2)) | 0
}

/** The sink's current value (printed nowhere; read so that it is live). */
export const sinkValue = (): number => sunk

export interface Repetitions {
  /** Timed repetitions; the median is reported. */
  readonly reps: number
  /** Untimed repetitions first, to warm up the JIT. */
  readonly warmup: number
  /** Each timed repetition runs the function at least this long (ms). */
  readonly minMs: number
}

/**
 * Microseconds per call of `fn`: a calibration finds how many calls take at
 * least `minMs`, then each repetition times that many calls (the heap settled
 * before the series, a minor gc before each repetition: {@link settle},
 * {@link tidy}).
 * `fn` gets the call number; its result goes to the sink.
 */
export const microsPerCall = (fn: (i: number) => unknown, opts: Repetitions): Sample => {
  settle()
  let calls = 1
  for (;;) {
    const start = wallClock()
    for (let i = 0; i < calls; i++) sink(fn(i))
    const elapsed = wallClock() - start
    if (elapsed >= opts.minMs || calls >= 1 << 24) break
    calls =
      elapsed <= 0
        ? calls * 8
        : Math.max(calls + 1, Math.min(calls * 8, Math.ceil((calls * opts.minMs * 1.2) / elapsed)))
  }
  for (let w = 0; w < opts.warmup; w++) for (let i = 0; i < calls; i++) sink(fn(i))
  const values: number[] = []
  for (let r = 0; r < opts.reps; r++) {
    tidy()
    const start = clock()
    const wallStart = wallClock()
    for (let i = 0; i < calls; i++) sink(fn(i))
    const cpu = clock() - start
    // A futex wait that returned without blocking leaves the CPU reading
    // stale: for such a (very short) repetition the wall time stands in.
    values.push(((cpu > 0 ? cpu : wallClock() - wallStart) * 1_000) / calls)
  }
  return summarize(values)
}

/** Bytes of heap in use after a full gc (requires `--expose-gc` to be exact). */
export const heapUsed = (): number => {
  collect()
  return process.memoryUsage().heapUsed
}

/** Whether the garbage collector is exposed. */
export const gcExposed = (): boolean => typeof globalThis.gc === 'function'
