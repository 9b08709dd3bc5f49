/**
 * The demo's cluster speaking Kubernetes: `npm start -- --cluster kubernetes`.
 *
 * The simulated cluster of `simulation.ts` decides what happens to each task
 * (and says it as the Mesos `TaskStatus` it would send); this module is the
 * kubelet and API server of a cluster that runs one pod per task instead. It
 * translates each outcome into the core/v1 `Pod` a host would see on its
 * watch (a `{ type, object }` event), field for field as the kubelet writes
 * them, which the host decodes with `TaskUpdate.fromKubernetesPod`:
 *
 * | the task | the pod |
 * | --- | --- |
 * | waiting for its node to start it | `Pending`, scheduled, container waiting `ContainerCreating` (the image is being pulled) |
 * | stuck before it runs | `Pending`, container waiting `ImagePullBackOff` |
 * | running | `Running`, container running, `Ready` |
 * | finished | `Succeeded`, container terminated exit 0 `Completed` |
 * | failed with exit code N | `Failed`, container terminated exit N `Error` |
 * | its container could not start | `Failed`, container terminated `StartError`, never started (no exit code) |
 * | its executor died | `Failed`, container terminated exit 137 `OOMKilled` |
 * | lost with its agent's restart | `Failed`, reason `Evicted`, `DisruptionTarget` `TerminationByKubelet` |
 * | on a node that was lost | `DisruptionTarget` `DeletionByTaintManager` with a `deletionTimestamp` (phase still `Running`) |
 * | unknown to the cluster | phase `Unknown`, reason `NodeLost` |
 * | killed by the host | the `DELETED` watch event of the pod, container terminated exit 143 (or never started) |
 *
 * Deterministic: it keeps, per task, only what the statuses told it (when the
 * pod was created, scheduled and started), and derives container ids from
 * task ids. Instants are RFC 3339 with milliseconds.
 */
import type { MesosTaskStatusJson } from './cluster'

/** The cluster managers the demo can simulate. */
export type ClusterKind = 'mesos' | 'kubernetes'

/** Every cluster kind, the default first. */
export const CLUSTERS: readonly [ClusterKind, ...ClusterKind[]] = ['mesos', 'kubernetes']

/** Whether a command-line value names a cluster kind. */
export const isClusterKind = (value: string): value is ClusterKind => (CLUSTERS as readonly string[]).includes(value)

/** A watch event on pods, as the API server streams them. */
export interface PodWatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  readonly object: Readonly<Record<string, unknown>>
}

/** What the pod cluster remembers of a task's pod. */
interface PodRecord {
  readonly created: number
  started?: number
}

const NAMESPACE = 'scale'
const IMAGE = 'registry.example.com/scale/task:1.0'

const iso = (ms: number): string => new Date(ms).toISOString()

// FNV-1a over the task id, spread to 64 hex digits: a stable, fake containerd id.
const containerIdOf = (taskId: string): string => {
  let h = 0x811c9dc5
  for (let i = 0; i < taskId.length; i++) {
    h ^= taskId.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  let hex = ''
  for (let i = 0; hex.length < 64; i++) {
    h = Math.imul(h ^ i, 0x01000193) >>> 0
    hex += h.toString(16).padStart(8, '0')
  }
  return `containerd://${hex}`
}

/** A pod name for a task id: DNS labels hold no `_`, and are at most 63 characters. */
export const podNameOf = (taskId: string): string =>
  taskId
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '')

const condition = (type: string, status: string, at: number, reason?: string, message?: string) => ({
  type,
  status,
  lastProbeTime: null,
  lastTransitionTime: iso(at),
  ...(reason !== undefined ? { reason } : {}),
  ...(message !== undefined ? { message } : {}),
})

const EXIT_STATUS = /exited with status (-?\d+)/

/**
 * A pod-speaking cluster: give it each status the simulated cluster sends, in
 * order, and it answers with the pod watch event a Kubernetes host would see
 * instead. It forgets a task's pod once the pod is gone.
 */
export const podCluster = (): ((status: MesosTaskStatusJson) => PodWatchEvent) => {
  const pods = new Map<string, PodRecord>()
  return (status) => {
    const taskId = status.task_id.value
    const now = Math.round(status.timestamp * 1000)
    const nodeName = status.agent_id?.value
    let record = pods.get(taskId)
    const first = record === undefined
    if (record === undefined) {
      record = { created: now }
      pods.set(taskId, record)
    }
    // The first event of a pod on the watch is its ADDED.
    const change = first ? 'ADDED' : 'MODIFIED'
    const created = record.created
    const containerID = containerIdOf(taskId)
    const reconciling = status.reason === 'REASON_RECONCILIATION'

    const metadata = (deletion?: number): Record<string, unknown> => ({
      name: podNameOf(taskId),
      namespace: NAMESPACE,
      uid: containerID.slice(13, 21) + '-0000-4000-8000-' + containerID.slice(21, 33),
      creationTimestamp: iso(created),
      labels: { 'app.kubernetes.io/managed-by': 'job-execution-core-demo' },
      annotations: { 'job-execution-core/task-id': taskId },
      ...(deletion !== undefined ? { deletionTimestamp: iso(deletion), deletionGracePeriodSeconds: 30 } : {}),
    })
    const spec = {
      ...(nodeName !== undefined ? { nodeName } : {}),
      containers: [{ name: 'task', image: IMAGE }],
      restartPolicy: 'Never',
      schedulerName: 'default-scheduler',
    }
    const scheduled = condition('PodScheduled', 'True', created)
    const containerStatus = (state: Record<string, unknown>, withId: boolean): Record<string, unknown> => ({
      name: 'task',
      state,
      lastState: {},
      ready: 'running' in state,
      restartCount: 0,
      image: IMAGE,
      imageID: '',
      ...(withId ? { containerID } : {}),
      started: 'running' in state,
    })
    const podOf = (
      phase: string,
      conditions: readonly unknown[],
      containers: readonly unknown[],
      extra: Record<string, unknown> = {},
      deletion?: number,
    ): Readonly<Record<string, unknown>> => ({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: metadata(deletion),
      spec,
      status: {
        phase,
        conditions,
        ...(nodeName !== undefined ? { hostIP: '10.0.0.1', startTime: iso(created) } : {}),
        containerStatuses: containers,
        qosClass: 'Burstable',
        ...extra,
      },
    })
    const started = record.started
    const terminated = (exitCode: number, reason: string, message?: string): Record<string, unknown> => ({
      terminated: {
        exitCode,
        reason,
        ...(message !== undefined ? { message } : {}),
        ...(started !== undefined ? { startedAt: iso(started) } : {}),
        finishedAt: iso(now),
        containerID,
      },
    })
    const done = (phase: 'Succeeded' | 'Failed', state: Record<string, unknown>): PodWatchEvent => {
      const reason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed'
      const conditions = [condition('Ready', 'False', now, reason), scheduled]
      return { type: change, object: podOf(phase, conditions, [containerStatus(state, true)]) }
    }
    const gone = (event: PodWatchEvent): PodWatchEvent => {
      pods.delete(taskId)
      return event
    }

    switch (status.state) {
      case 'TASK_STAGING':
      case 'TASK_STARTING': {
        const waiting = reconciling
          ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${IMAGE}"` }
          : { reason: 'ContainerCreating' }
        const conditions = [condition('Ready', 'False', created, 'ContainersNotReady'), scheduled]
        return {
          type: change,
          object: podOf('Pending', conditions, [containerStatus({ waiting }, false)]),
        }
      }
      case 'TASK_RUNNING': {
        record.started ??= now
        const since = record.started
        const conditions = [condition('Ready', 'True', since), scheduled]
        const running = { running: { startedAt: iso(since) } }
        return { type: change, object: podOf('Running', conditions, [containerStatus(running, true)]) }
      }
      case 'TASK_FINISHED':
        return gone(done('Succeeded', terminated(0, 'Completed')))
      case 'TASK_FAILED': {
        const match = EXIT_STATUS.exec(status.message ?? '')
        if (match !== null && match[1] !== undefined) {
          const code = Number(match[1])
          return gone(done('Failed', terminated(code, code === 137 ? 'OOMKilled' : 'Error')))
        }
        if (status.reason === 'REASON_EXECUTOR_TERMINATED') return gone(done('Failed', terminated(137, 'OOMKilled')))
        // The runtime could not start the container: a termination that never started.
        record.started = undefined
        const startError = {
          terminated: {
            exitCode: 128,
            reason: 'StartError',
            message: status.message ?? 'failed to start the container',
            finishedAt: iso(now),
            containerID,
          },
        }
        return gone(done('Failed', startError))
      }
      case 'TASK_KILLED': {
        const state =
          started === undefined
            ? {
                terminated: {
                  exitCode: 137,
                  reason: 'ContainerStatusUnknown',
                  message: 'The container could not be located when the pod was terminated',
                },
              }
            : terminated(143, 'Error')
        const conditions = [condition('Ready', 'False', now, 'PodFailed'), scheduled]
        const pod = podOf('Failed', conditions, [containerStatus(state, started !== undefined)], {}, now)
        return gone({ type: 'DELETED', object: pod })
      }
      case 'TASK_LOST': {
        if (status.reason === 'REASON_AGENT_RESTARTED') {
          const message = 'The node was low on resource: memory. Container task was using 2Gi, request is 1Gi. '
          const conditions = [condition('DisruptionTarget', 'True', now, 'TerminationByKubelet', message), scheduled]
          const pod = podOf('Failed', conditions, [containerStatus(terminated(137, 'Error'), true)], {
            reason: 'Evicted',
            message,
          })
          return gone({ type: change, object: pod })
        }
        // The node is gone (the cluster still knows the pod's node): the taint manager deletes the pod.
        if (status.reason === 'REASON_AGENT_REMOVED' || (reconciling && nodeName !== undefined)) {
          const message = 'Taint manager: deleting due to NoExecute taint'
          const disruption = condition('DisruptionTarget', 'True', now, 'DeletionByTaintManager', message)
          const running =
            started === undefined
              ? { waiting: { reason: 'ContainerCreating' } }
              : { running: { startedAt: iso(started) } }
          const pod = podOf(
            'Running',
            [disruption, scheduled],
            [containerStatus(running, started !== undefined)],
            {},
            now + 30_000,
          )
          return gone({ type: change, object: pod })
        }
        const message = `Node ${nodeName ?? 'unknown'} which was running pod ${podNameOf(taskId)} is unresponsive`
        const conditions = [condition('Ready', 'False', now, 'NodeLost', message), scheduled]
        return gone({ type: change, object: podOf('Unknown', conditions, [], { reason: 'NodeLost', message }) })
      }
    }
  }
}
