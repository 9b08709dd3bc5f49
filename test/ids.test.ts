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
