// Sharding: managers fed a partition of the executions (by Manager.shardOf, via
// Manager.route) have merged metrics whose status JSON equals one manager's.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { Manager, Metrics } from '../src/index'
import { hostileEventStream } from '../src/testing'

const NODES = [1, 2, 3, 4, 5]

describe('sharded managers', () => {
  test.prop([hostileEventStream({ maxLength: 120 }), fc.integer({ min: 1, max: 8 })])(
    'merged status JSON equals one manager fed everything, at every step',
    (stream, k) => {
      let single = Manager.create(stream.start)
      const shards = Array.from({ length: k }, () => Manager.create(stream.start))
      for (const { now, event } of stream.events) {
        single = Manager.drain(Manager.reduce(single, event, now), now)[1]
        for (const [shard, routed] of Manager.route(event, k)) {
          const state = shards[shard]
          if (state !== undefined) shards[shard] = Manager.drain(Manager.reduce(state, routed, now), now)[1]
        }
        const merged = shards.map(Manager.metrics).reduce(Metrics.merge)
        expect(Metrics.statusJson(merged, NODES, now)).toEqual(Manager.statusJson(single, NODES, now))
        const running = shards.flatMap((s) => Manager.runningExecutions(s).map((x) => x.clusterId)).sort()
        expect(running).toEqual(Manager.runningExecutions(single).map((x) => x.clusterId))
      }
    },
  )

  test.prop([fc.string(), fc.integer({ min: 1, max: 64 })])('shardOf is stable and in range', (id, k) => {
    const shard = Manager.shardOf(id, k)
    expect(Number.isInteger(shard) && shard >= 0 && shard < k).toBe(true)
    expect(Manager.shardOf(id, k)).toBe(shard)
    expect(Manager.shardOf(id, 1)).toBe(0)
  })

  it('shardOf gives the same numbers in every process and version', () => {
    // Pinned values of FNV-1a (32 bit) of the id, modulo k: a change of the hash is caught.
    expect(['scale_job_fw_1x1', 'scale_job_fw_2x1', 'scale_job_demo_42x3'].map((id) => Manager.shardOf(id, 8))).toEqual(
      [2, 7, 1],
    )
    expect(Manager.shardOf('scale_job_fw_1x1', 1_000_003)).toBe(0x8ead361a % 1_000_003)
    expect(Manager.shardOf('scale_job_fw_1x1', 0)).toBe(0)
  })

  it('routes shared events to every shard and host data to shard 0 only', () => {
    expect(Manager.route({ type: 'NodeLost', nodeId: 1 }, 3).map(([s]) => s)).toEqual([0, 1, 2])
    expect(Manager.route({ type: 'HistoryLoaded', records: [] }, 3).map(([s]) => s)).toEqual([0])
    expect(Manager.route({ type: 'ExecutionsLost', ids: [5] }, 2).map(([s]) => s)).toEqual([0, 1])
    const id = 'scale_job_fw_1x1'
    const shard = Manager.shardOf(id, 4)
    expect(Manager.route({ type: 'TaskLaunched', taskId: `${id}_main_lost-2` }, 4)).toEqual([
      [shard, { type: 'TaskLaunched', taskId: `${id}_main_lost-2` }],
    ])
    expect(Manager.route({ type: 'TaskLaunched', taskId: 'cleanup_1' }, 4).map(([s]) => s)).toEqual([0])
  })
})
