/**
 * Container volume names (contract §9).
 */
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Container } from '../src/index'

const CID = 'scale_job_fw1_42x3'
const running = { clusterId: CID }

const leftOf = <A>(result: E.Either<Error, A>): Error => {
  if (E.isRight(result)) throw new Error(`expected a Left, got ${JSON.stringify(result.right)}`)
  return result.left
}

describe('volume names', () => {
  it('input: {clusterId}_input_data', () => {
    expect(Container.inputVolumeName(running)).toEqual(E.right('scale_job_fw1_42x3_input_data'))
  })

  it('output: {clusterId}_output_data', () => {
    expect(Container.outputVolumeName(running)).toEqual(E.right('scale_job_fw1_42x3_output_data'))
  })

  it('mount M: {clusterId}_mount_M', () => {
    expect(Container.mountVolumeName(running, 'dem')).toEqual(E.right('scale_job_fw1_42x3_mount_dem'))
    expect(Container.mountVolumeName(running, 'ref-data')).toEqual(E.right('scale_job_fw1_42x3_mount_ref-data'))
  })

  it('workspace W: {clusterId}_wksp_W', () => {
    expect(Container.workspaceVolumeName(running, 'raw')).toEqual(E.right('scale_job_fw1_42x3_wksp_raw'))
    expect(Container.workspaceVolumeName(running, 'products')).toEqual(E.right('scale_job_fw1_42x3_wksp_products'))
  })

  it('accept anything with a cluster id', () => {
    const execution = { id: 7, clusterId: 'scale_job_fw2_1x1', jobId: 1, status: 'RUNNING' }
    expect(Container.inputVolumeName(execution)).toEqual(E.right('scale_job_fw2_1x1_input_data'))
  })
})

describe('a queued execution (no cluster id) is an error value', () => {
  const queued: ReadonlyArray<{ readonly clusterId?: string | null | undefined }> = [
    { clusterId: null },
    { clusterId: undefined },
    {},
  ]

  it.each(queued)('%j: every volume name is a Left', (execution) => {
    const results = [
      Container.inputVolumeName(execution),
      Container.outputVolumeName(execution),
      Container.mountVolumeName(execution, 'dem'),
      Container.workspaceVolumeName(execution, 'raw'),
    ]
    for (const result of results) {
      const error = leftOf(result)
      expect(error).toBeInstanceOf(Container.QueuedExecution)
      expect(error.message).toMatch(/queued/)
    }
  })

  it('never throws', () => {
    expect(() => Container.inputVolumeName({ clusterId: null })).not.toThrow()
  })
})

describe('container volumes', () => {
  it('refuse an empty or a non-string cluster id', () => {
    expect(E.isLeft(Container.outputVolumeName({ clusterId: '' }))).toBe(true)
    expect(E.isLeft(Container.outputVolumeName({ clusterId: 42 as unknown as string }))).toBe(true)
    expect(E.isLeft(Container.workspaceVolumeName({}, 'w'))).toBe(true)
  })
})
