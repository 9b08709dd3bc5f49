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

  // With k = 2^32 the shard is the hash itself. The vectors of the scale-out
  // guide: standard FNV-1a over UTF-8 bytes, so another language agrees.
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
    ['scale_job_fw_1x1', 0x8ead361a],
    ['scale_job_fw_é_1x1', 0x8e31f945],
    ['scale_job_日本_7x2', 0x50118e8e],
    ['scale_job_😀_1x1', 0xcfcbda58],
    ['x\ud800y', 0x66b4d003],
  ])('shardOf hashes the UTF-8 bytes of %j (FNV-1a test vector)', (id, hash) => {
    expect(Manager.shardOf(id, 2 ** 32)).toBe(hash)
  })

  const utf8Fnv1a = (text: string): number => {
    let hash = 0x811c9dc5
    for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0
    return hash
  }

  test.prop([fc.string({ unit: 'binary' })])(
    'shardOf agrees with FNV-1a over TextEncoder bytes, lone surrogates too',
    (id) => {
      expect(Manager.shardOf(id, 2 ** 32)).toBe(utf8Fnv1a(id))
    },
  )

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
