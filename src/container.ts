/**
 * Names of an execution's container volumes, derived from its cluster id.
 *
 * An execution that is still queued has no cluster id yet; asking for its
 * volume names is an error value, never an exception.
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/Either'
import type { ClusterId } from './ids'

/**
 * Anything with a cluster id, possibly absent (a queued execution).
 *
 * @category model
 * @since 0.1.0
 */
export interface HasClusterId {
  readonly clusterId?: ClusterId | null | undefined
}

/**
 * The error for an execution that has no cluster id yet.
 *
 * @category errors
 * @since 0.1.0
 */
export class QueuedExecution extends Error {
  /** @since 0.1.0 */
  readonly _tag = 'QueuedExecution'
  constructor() {
    super('the job execution is still queued: it has no cluster id and no container volumes')
    this.name = 'QueuedExecution'
  }
}

const volume =
  (suffix: string) =>
  (x: HasClusterId): E.Either<QueuedExecution, string> =>
    typeof x.clusterId === 'string' && x.clusterId !== ''
      ? E.right(`${x.clusterId}_${suffix}`)
      : E.left(new QueuedExecution())

/**
 * The input data volume: `{clusterId}_input_data`.
 *
 * @example
 * import { Container } from 'job-execution-core'
 * Container.inputVolumeName({ clusterId: 'scale_job_fw1_42x3' }) // E.right('scale_job_fw1_42x3_input_data')
 * Container.inputVolumeName({ clusterId: null }) // E.left(QueuedExecution)
 *
 * @category volumes
 * @since 0.1.0
 */
export const inputVolumeName = volume('input_data')

/**
 * The output data volume: `{clusterId}_output_data`.
 *
 * @category volumes
 * @since 0.1.0
 */
export const outputVolumeName = volume('output_data')

/**
 * The volume of mount `mount`: `{clusterId}_mount_{mount}`.
 *
 * @example
 * import { Container } from 'job-execution-core'
 * Container.mountVolumeName({ clusterId: 'scale_job_fw1_42x3' }, 'dem') // E.right('scale_job_fw1_42x3_mount_dem')
 *
 * @category volumes
 * @since 0.1.0
 */
export const mountVolumeName = (x: HasClusterId, mount: string): E.Either<QueuedExecution, string> =>
  volume(`mount_${mount}`)(x)

/**
 * The volume of workspace `workspace`: `{clusterId}_wksp_{workspace}`.
 *
 * @category volumes
 * @since 0.1.0
 */
export const workspaceVolumeName = (x: HasClusterId, workspace: string): E.Either<QueuedExecution, string> =>
  volume(`wksp_${workspace}`)(x)
