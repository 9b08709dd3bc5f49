/**
 * Cluster ids and task ids (contract §2).
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { Ids } from '../src/index'

describe('JOB_TASK_ID_PREFIX', () => {
  it('is scale_job', () => {
    expect(Ids.JOB_TASK_ID_PREFIX).toBe('scale_job')
  })
})

describe('clusterId', () => {
  it('is scale_job_{frameworkId}_{jobId}x{exeNum}', () => {
    expect(Ids.clusterId('fw1', 42, 3)).toBe('scale_job_fw1_42x3')
    expect(Ids.clusterId('8f3a-4b2c-0001', 1, 1)).toBe('scale_job_8f3a-4b2c-0001_1x1')
  })

  it('starts with the job task prefix', () => {
    expect(Ids.clusterId('fw', 7, 2).startsWith(Ids.JOB_TASK_ID_PREFIX)).toBe(true)
  })
})

describe('clusterIdOfTask', () => {
  it.each([
    ['scale_job_fw1_42x3_pull', 'scale_job_fw1_42x3'],
    ['scale_job_fw1_42x3_pre', 'scale_job_fw1_42x3'],
    ['scale_job_fw1_42x3_main', 'scale_job_fw1_42x3'],
    ['scale_job_fw1_42x3_post', 'scale_job_fw1_42x3'],
    ['scale_job_fw1_42x3_main_lost-1', 'scale_job_fw1_42x3'],
    ['scale_job_fw1_42x3_main_lost-12', 'scale_job_fw1_42x3'],
    ['scale_job_8f3a-4b2c-0001_1x1_pre_lost-2', 'scale_job_8f3a-4b2c-0001_1x1'],
  ])('%s -> %s (its first four segments)', (taskId, expected) => {
    expect(Ids.clusterIdOfTask(taskId)).toBe(expected)
  })

  it('returns the cluster id itself, or undefined: absent values are undefined', () => {
    expectTypeOf(Ids.clusterIdOfTask).returns.toEqualTypeOf<Ids.ClusterId | undefined>()
  })

  it('round-trips every task id built from a cluster id', () => {
    const cid = Ids.clusterId('fw9', 1234, 5)
    for (const type of ['pull', 'pre', 'main', 'post']) {
      expect(Ids.clusterIdOfTask(`${cid}_${type}`)).toBe(cid)
      expect(Ids.clusterIdOfTask(`${cid}_${type}_lost-3`)).toBe(cid)
    }
  })

  it.each([
    'cleanup_7',
    'scale_cleanup_fw1_42x3_main',
    'job_scale_fw1_1x1_main',
    'xscale_job_fw1_1x1_main',
    '',
    'scale_job',
  ])('%j (not a job task id) -> undefined', (taskId) => {
    expect(Ids.clusterIdOfTask(taskId)).toBeUndefined()
  })

  it('an id with the prefix but fewer than four segments -> undefined', () => {
    expect(Ids.clusterIdOfTask('scale_job_fw1')).toBeUndefined()
  })
})

describe('clusterIdOfTask agrees with splitting on underscores', () => {
  const bySplit = (taskId: string): string | undefined => {
    if (!taskId.startsWith('scale_job')) return undefined
    const segments = taskId.split('_')
    if (segments.length < 4 || segments[2] === '' || segments[3] === '') return undefined
    return segments.slice(0, 4).join('_')
  }
  test.prop([fc.stringMatching(/^scale_job[a-z_]{0,3}(_[a-z0-9]{0,3}){0,5}$/)])('on any id', (taskId) => {
    expect(Ids.clusterIdOfTask(taskId)).toBe(bySplit(taskId))
  })
})

describe('ids', () => {
  it.each([
    ['scale_job_fw_1x1', 'scale_job_fw_1x1'],
    ['scale_job_fw_1x1_main_lost-3', 'scale_job_fw_1x1'],
    ['scale_job_fw', undefined],
    ['scale_job__1x1_main', undefined],
    ['scale_job_fw__main', undefined],
    ['scale_job_fw_', undefined],
    ['_scale_job_fw_1x1', undefined],
  ])('clusterIdOfTask(%j)', (taskId, expected) => {
    expect(Ids.clusterIdOfTask(taskId)).toBe(expected)
  })

  it('clusterIdOfTask refuses what is not a string', () => {
    expect(Ids.clusterIdOfTask(7 as unknown as string)).toBeUndefined()
  })

  it('lostTaskId keeps the base id before any loss', () => {
    expect(Ids.lostTaskId('scale_job_fw_1x1_main', 0)).toBe('scale_job_fw_1x1_main')
    expect(Ids.lostTaskId('scale_job_fw_1x1_main', 1)).toBe('scale_job_fw_1x1_main_lost-1')
  })
})

describe('taskId', () => {
  it('is {clusterId}_{taskType}, the id before a loss', () => {
    const id = Ids.clusterId('fw1', 42, 3)
    expect(Ids.taskId(id, 'main')).toBe('scale_job_fw1_42x3_main')
    expect(Ids.clusterIdOfTask(Ids.taskId(id, 'pull'))).toBe(id)
    expect(Ids.lostTaskId(Ids.taskId(id, 'pre'), 1)).toBe('scale_job_fw1_42x3_pre_lost-1')
  })
})

describe('canonicalNodeId and sameNode', () => {
  it.each([
    ['1', 1],
    ['0', 0],
    ['-7', -7],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('%s spells the number %d', (text, n) => {
    expect(Ids.canonicalNodeId(text)).toBe(n)
    expect(Ids.sameNode(text, n)).toBe(true)
    expect(Ids.sameNode(n, text)).toBe(true)
  })

  it.each(['01', '+1', '1.0', '1e3', '-0', ' 1', '1 ', '', '9007199254740993', '0x10', 'node-1', 'Infinity', 'NaN'])(
    '%j is a name, not a number',
    (text) => {
      expect(Ids.canonicalNodeId(text)).toBe(text)
    },
  )

  test.prop([fc.maxSafeInteger()])('every safe integer is named by its decimal spelling', (n) => {
    expect(Ids.canonicalNodeId(String(n))).toBe(n === 0 ? 0 : n)
    expect(Ids.canonicalNodeId(n)).toBe(n)
  })

  test.prop([fc.oneof(fc.string(), fc.integer())])('spelling is idempotent and sameNode an equivalence', (id) => {
    const once = Ids.canonicalNodeId(id)
    expect(Ids.canonicalNodeId(once)).toBe(once)
    expect(Ids.sameNode(id, id)).toBe(true)
    expect(Ids.sameNode(id, once)).toBe(true)
  })

  test.prop([fc.string()])('a string that is not the spelling of its number stays itself', (text) => {
    const n = Number(text)
    const spelt = Number.isSafeInteger(n) && String(n) === text
    expect(Ids.canonicalNodeId(text)).toBe(spelt ? n : text)
  })

  test.prop([
    fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -20, max: 20 })),
    fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -20, max: 20 })),
  ])('compareIds is an order whose ties are exactly the same nodes', (a, b) => {
    expect(Ids.compareIds(a, a)).toBe(0)
    expect(Ids.compareIds(a, b) === 0).toBe(Ids.sameNode(a, b))
    expect(Math.sign(Ids.compareIds(a, b)) + Math.sign(Ids.compareIds(b, a))).toBe(0)
  })

  it('orders a node id as its canonical spelling', () => {
    expect(Ids.compareIds('2', 2)).toBe(0)
    expect(Ids.compareIds('10', 9)).toBeGreaterThan(0)
    expect(Ids.compareIds('01', 2)).toBeGreaterThan(0)
    expect([10, '2', 'b', 'a'].sort(Ids.compareIds)).toEqual(['2', 10, 'a', 'b'])
    expect(Ids.compareCanonicalIds('2', 2)).toBeGreaterThan(0)
    expect(Ids.compareIds('node-1', 'node-1')).toBe(0)
  })
})

describe('taskId', () => {
  test.prop([fc.string(), fc.oneof(fc.constantFrom('pull', 'pre', 'main', 'post'), fc.string())])(
    'is `{clusterId}_{taskType}` for every task type',
    (clusterId, taskType) => {
      expect(Ids.taskId(clusterId, taskType)).toBe(`${clusterId}_${taskType}`)
    },
  )
})
