/**
 * The metrics window on the Metrics module directly (contract §10): blocks in
 * order, comparisons at the later instant, counts by kind.
 */
import { describe, expect, it } from 'vitest'
import { Errors, Metrics } from '../src/index'

const BLOCK = Metrics.BLOCK_LENGTH
const T0 = Date.UTC(2026, 0, 1)

describe('metrics window', () => {
  const record = (finished: number, status = 'COMPLETED'): Metrics.Counted => ({
    nodeId: 1,
    jobTypeId: 1,
    status,
    finished,
    error: status === 'FAILED' ? Errors.BUILTIN.unknown : undefined,
  })

  const FIVE_MINUTES = 5 * 60_000
  const HOUR = 3_600_000

  const metricsOf = (x: Metrics.Counts | Metrics.Metrics): Metrics.Metrics => {
    if (x === null || !('now' in x)) throw new Error('expected metrics, got counts')
    return x
  }

  it('takes bare counts beside metrics as running counts with no window of their own', () => {
    const metrics = Metrics.addFinished(
      Metrics.addRunning(Metrics.create(T0), { nodeId: 1, jobTypeId: 1, status: 'RUNNING' }),
      record(T0),
    )
    const sum = metricsOf(Metrics.add(metrics, Metrics.empty))
    expect(sum.now).toBe(T0)
    expect(Metrics.equals(sum, metrics)).toBe(true)
    expect(Metrics.equals(Metrics.add(Metrics.empty, metrics), metrics)).toBe(true)
    const running = Metrics.fromEntries([[1, 'running', 1, 1]])
    expect(Metrics.equals(metricsOf(Metrics.subtract(metrics, running)).running, Metrics.empty)).toBe(true)
    const runningOnly = Metrics.addRunning(Metrics.create(T0), { nodeId: 1, jobTypeId: 1, status: 'RUNNING' })
    expect(Metrics.equals(runningOnly, running)).toBe(true)
    expect(Metrics.equals(metrics, running)).toBe(false)
    // The same comparison with the counts on the left.
    expect(Metrics.equals(running, runningOnly)).toBe(true)
    expect(Metrics.equals(running, metrics)).toBe(false)
    expect(Metrics.equals(Metrics.empty, Metrics.create(T0))).toBe(true)
  })

  it('compares and subtracts metrics at the later of their instants', () => {
    const metrics = Metrics.addFinished(Metrics.create(T0), record(T0))
    const later = Metrics.advance(metrics, T0 + 4 * HOUR)
    expect(Metrics.equals(metrics, later)).toBe(true)
    expect(Metrics.equals(metrics, Metrics.create(T0))).toBe(false)
    expect(Metrics.subtract(metrics, later).now).toBe(T0 + 4 * HOUR)
    expect(Metrics.subtract(later, metrics).now).toBe(T0 + 4 * HOUR)
  })

  it('tells apart metrics whose finished counts agree but fall in different blocks', () => {
    const now = T0 + 2 * FIVE_MINUTES
    const early = Metrics.addFinished(Metrics.create(now), record(T0))
    const late = Metrics.addFinished(Metrics.create(now), record(T0 + FIVE_MINUTES))
    expect(Metrics.equals(early.finished, late.finished)).toBe(true)
    expect(Metrics.equals(early, late)).toBe(false)
  })

  it('tells apart metrics whose blocks start alike but count different nodes', () => {
    const now = T0 + BLOCK
    const finish = (nodeId: number, finished: number): Metrics.Counted => ({ ...record(finished), nodeId })
    const a = Metrics.addFinished(Metrics.addFinished(Metrics.create(now), finish(1, T0)), finish(2, now))
    const b = Metrics.addFinished(Metrics.addFinished(Metrics.create(now), finish(2, T0)), finish(1, now))
    expect(Metrics.equals(a.finished, b.finished)).toBe(true)
    expect(Metrics.equals(a, b)).toBe(false)
    // They differ once the first block leaves the window.
    const later = T0 + BLOCK + Metrics.WINDOW_LENGTH + 1
    const completed = (m: Metrics.Metrics) =>
      Metrics.statusJson(m, [1, 2], later).map((node) => node.job_executions.completed.total)
    expect([completed(a), completed(b)]).toEqual([
      [0, 1],
      [1, 0],
    ])
  })

  it('keeps blocks in order whatever order executions finish in', () => {
    const now = T0 + 2 * BLOCK
    let metrics = Metrics.create(now)
    for (const finished of [T0 + 2 * BLOCK, T0, T0 + BLOCK, T0, T0 + 2 * BLOCK + 1]) {
      metrics = Metrics.addFinished(metrics, record(finished))
    }
    expect(metrics.blocks.map((b) => [b.start, Metrics.total(b.counts)])).toEqual([
      [T0, 2],
      [T0 + BLOCK, 1],
      [T0 + 2 * BLOCK, 2],
    ])
    const completed = (at: number): number =>
      Metrics.statusJson(metrics, [1], at)[0]?.job_executions.completed.total ?? -1
    expect(completed(T0 + BLOCK + Metrics.WINDOW_LENGTH)).toBe(5)
    expect(completed(T0 + BLOCK + Metrics.WINDOW_LENGTH + 1)).toBe(3)
    expect(completed(T0 + 2 * BLOCK + Metrics.WINDOW_LENGTH + 1)).toBe(2)
    const advanced = Metrics.advance(metrics, T0 + 2 * BLOCK + Metrics.WINDOW_LENGTH + 1)
    expect(advanced.blocks.map((b) => b.start)).toEqual([T0 + 2 * BLOCK])
    expect(Metrics.total(advanced.finished)).toBe(2)
    expect(Metrics.advance(advanced, advanced.now)).toBe(advanced)
    expect(Metrics.advance(advanced, advanced.now - 1)).toBe(advanced)
  })

  it('counts totals by kind', () => {
    const counts = Metrics.fromEntries([
      [1, 'running', 1, 2],
      [1, 'completed', 1, 3],
      [2, 'completed', 4, 1],
    ])
    expect([Metrics.total(counts), Metrics.total(counts, 'completed'), Metrics.total(counts, 'data')]).toEqual([
      6, 4, 0,
    ])
    expect(Metrics.increment(counts, [1, 'running', 1], 0)).toBe(counts)
    expect(Metrics.equals(counts, Metrics.fromEntries([[1, 'running', 1, 2]]))).toBe(false)
    expect(
      Metrics.equals(Metrics.fromEntries([[1, 'running', 1, 2]]), Metrics.fromEntries([[1, 'running', 1, 3]])),
    ).toBe(false)
  })

  it('counts no FAILED execution without an error, and no canceled one', () => {
    const metrics = Metrics.create(T0)
    expect(Metrics.addFinished(metrics, { nodeId: 1, jobTypeId: 1, status: 'FAILED', finished: T0 })).toBe(metrics)
    expect(Metrics.addFinished(metrics, record(T0, 'CANCELED'))).toBe(metrics)
    expect(Metrics.addFinished(metrics, { ...record(T0), finished: undefined })).toBe(metrics)
    expect(Metrics.finishedKind({ nodeId: 1, jobTypeId: 1, status: 'RUNNING', error: Errors.BUILTIN.unknown })).toBe(
      undefined,
    )
  })

  it('merges both windows at the later instant, whichever side is later', () => {
    const early = Metrics.addFinished(Metrics.create(T0), record(T0))
    const late = Metrics.create(T0 + 4 * HOUR)
    for (const merged of [Metrics.merge(early, late), Metrics.merge(late, early)]) {
      expect(merged.now).toBe(T0 + 4 * HOUR)
      expect(merged.blocks).toEqual([])
      expect(Metrics.total(merged.finished)).toBe(0)
    }
  })

  it('puts every instant of a block at the block start', () => {
    expect([T0, T0 + 1, T0 + BLOCK / 2, T0 + BLOCK - 1].map(Metrics.blockStart)).toEqual([T0, T0, T0, T0])
    expect(Metrics.blockStart(T0 + BLOCK)).toBe(T0 + BLOCK)
  })

  it('subtracts metrics block by block, finished being the sum of the blocks left', () => {
    const now = T0 + 2 * BLOCK
    const x = Metrics.addFinished(Metrics.create(now), record(T0))
    let metrics = Metrics.create(now)
    for (const finished of [T0, T0 + BLOCK, T0 + 2 * BLOCK]) metrics = Metrics.addFinished(metrics, record(finished))
    const none = metricsOf(Metrics.subtract(metrics, Metrics.create(now)))
    expect(Metrics.equals(none, metrics)).toBe(true)
    expect(Metrics.total(none.finished)).toBe(3)
    const less = metricsOf(Metrics.subtract(metrics, x))
    expect(less.blocks.map((b) => [b.start, Metrics.total(b.counts)])).toEqual([
      [T0 + BLOCK, 1],
      [T0 + 2 * BLOCK, 1],
    ])
    expect(Metrics.total(less.finished)).toBe(2)
    expect(Metrics.equals(metricsOf(Metrics.subtract(Metrics.add(metrics, x), x)), metrics)).toBe(true)
  })

  it('counts a node asked by another spelling of its id under the id as asked', () => {
    const metrics = Metrics.addRunning(Metrics.create(T0), { nodeId: 1, jobTypeId: 2, status: 'RUNNING' })
    const [status] = Metrics.statusJson(metrics, ['1'], T0)
    expect(status?.id).toBe('1')
    expect(status?.job_executions.running).toEqual({ total: 1, by_job_type: [{ job_type_id: 2, count: 1 }] })
  })

  it('removing a running execution takes back what adding it counted', () => {
    const execution = { nodeId: 1, jobTypeId: 1, status: 'RUNNING' }
    const two = Metrics.addRunning(Metrics.addRunning(Metrics.create(T0), execution), execution)
    const one = Metrics.removeRunning(two, execution)
    expect(Metrics.toEntries(one.running)).toEqual([[1, 'running', 1, 1]])
    expect(Metrics.toEntries(Metrics.removeRunning(one, execution).running)).toEqual([])
    expect(Metrics.statusJson(one, [1], T0)[0]?.job_executions.running.total).toBe(1)
  })

  it('removing a running execution that is not counted changes nothing', () => {
    const metrics = Metrics.create(T0)
    expect(Metrics.removeRunning(metrics, { nodeId: 1, jobTypeId: 1, status: 'RUNNING' })).toBe(metrics)
    const one = Metrics.addRunning(metrics, { nodeId: 1, jobTypeId: 1, status: 'RUNNING' })
    expect(Metrics.toEntries(one.running)).toEqual([[1, 'running', 1, 1]])
  })

  it('lists only the asked node, sorted by job type', () => {
    const metrics = [
      { nodeId: 2, jobTypeId: 9 },
      { nodeId: 2, jobTypeId: 3 },
      { nodeId: 1, jobTypeId: 5 },
      { nodeId: 3, jobTypeId: 1 },
    ].reduce((m, x) => Metrics.addRunning(m, { ...x, status: 'RUNNING' }), Metrics.create(T0))
    expect(Metrics.statusJson(metrics, [2], T0)[0]?.job_executions.running).toEqual({
      total: 2,
      by_job_type: [
        { job_type_id: 3, count: 1 },
        { job_type_id: 9, count: 1 },
      ],
    })
  })
})
