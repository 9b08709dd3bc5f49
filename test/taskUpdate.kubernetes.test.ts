/**
 * Decoding Kubernetes pods into task updates (contract §13, Kubernetes).
 *
 * The fixtures under test/fixtures/pods/ are written here, field for field
 * after pods as the API server and the kubelet publish them (Kubernetes' own
 * test fixtures and documentation examples, `kubectl get pod -o json` of the
 * situation each names); each test says which real situation it models.
 */
import { fc, test as propTest } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseInstant } from '../src/internal/kubernetesPod'
import { EventLog, Manager, TaskUpdate } from '../src/index'
import { kubernetesPod, malformedKubernetesPod } from '../src/testing'
import { leftOf, rightOf } from './fixtures'

const TASK_ID = 'scale_job_fw1_42x3_main'
const CONTAINER_ID = 'containerd://7d3f9a0c1b2e4d5f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f'
const T = (iso: string): number => Date.parse(iso)

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pods')
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(fixturesDir, `${name}.json`), 'utf8')) as Record<string, unknown>

const decoded = (json: unknown): TaskUpdate.TaskUpdate => rightOf(TaskUpdate.fromKubernetesPod(json))

const refused = (json: unknown): TaskUpdate.InvalidTaskUpdate => leftOf(TaskUpdate.fromKubernetesPod(json))

const paths = (json: unknown): readonly string[] => refused(json).problems.map((p) => p.path)

type Json = Record<string, unknown>

/** A small pod: metadata with the task id, a `main` container, and the given status. */
const pod = (status: Json, overrides: { metadata?: Json; spec?: Json } = {}): Json => ({
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: {
    name: 'scale-job-fw1-42x3-main',
    creationTimestamp: '2024-05-01T12:00:00Z',
    annotations: { 'job-execution-core/task-id': TASK_ID },
    ...overrides.metadata,
  },
  spec: { nodeName: 'node-7', containers: [{ name: 'main', image: 'scale/main:1.0' }], ...overrides.spec },
  status,
})

const running = { running: { startedAt: '2024-05-01T12:00:09Z' } }
const terminated = (exitCode: number, extra: Json = {}): Json => ({
  terminated: {
    exitCode,
    reason: exitCode === 0 ? 'Completed' : 'Error',
    startedAt: '2024-05-01T12:00:09Z',
    finishedAt: '2024-05-01T12:01:00Z',
    ...extra,
  },
})
const main = (state: Json, extra: Json = {}): Json => ({
  name: 'main',
  state,
  lastState: {},
  ready: false,
  restartCount: 0,
  containerID: CONTAINER_ID,
  ...extra,
})
const condition = (type: string, status: string, time: string, reason?: string, message?: string): Json => ({
  type,
  status,
  lastProbeTime: null,
  lastTransitionTime: time,
  ...(reason !== undefined ? { reason } : {}),
  ...(message !== undefined ? { message } : {}),
})
const disruption = (reason: string, message: string): Json =>
  condition('DisruptionTarget', 'True', '2024-05-01T12:05:00Z', reason, message)

const statusOf = (json: unknown): TaskUpdate.TaskStatus => decoded(json).status

describe('real pods, one fixture per situation', () => {
  const base = { taskId: TASK_ID, agentId: 'node-7' }
  it.each<[string, string, TaskUpdate.TaskUpdate]>([
    [
      'pending-unschedulable',
      'a pod the scheduler cannot place: PodScheduled=False, reason Unschedulable, "0/3 nodes are available: ..."',
      {
        taskId: TASK_ID,
        status: 'STAGING',
        timestamp: T('2024-05-01T12:00:02Z'),
        reason: 'Unschedulable',
        message:
          '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, ' +
          '2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for ' +
          'scheduling, 2 No preemption victims found for incoming pod..',
      },
    ],
    [
      'pending-pulling',
      'a scheduled pod whose image is being pulled: container waiting, ContainerCreating, no containerID yet',
      { ...base, status: 'STAGING', timestamp: T('2024-05-01T12:00:01Z'), reason: 'ContainerCreating' },
    ],
    [
      'pending-image-pull-backoff',
      'an image that cannot be pulled: waiting ImagePullBackOff, \'Back-off pulling image "..."\'',
      {
        ...base,
        status: 'STAGING',
        timestamp: T('2024-05-01T12:00:03Z'),
        reason: 'ImagePullBackOff',
        message: 'Back-off pulling image "registry.example.com/scale/ingest-scene:1.4.2"',
      },
    ],
    [
      'running',
      'a running pod: phase Running, container running, Ready=True',
      { ...base, status: 'RUNNING', timestamp: T('2024-05-01T12:00:10Z'), containerName: CONTAINER_ID },
    ],
    [
      'running-crash-loop',
      'a crash loop (restartPolicy Always): phase Running, waiting CrashLoopBackOff, lastState terminated exit 1',
      {
        ...base,
        status: 'UNKNOWN',
        timestamp: T('2024-05-01T12:04:40Z'),
        reason: 'CrashLoopBackOff',
        message:
          'back-off 1m20s restarting failed container=main pod=scale-job-fw1-42x3-main_scale(5b8e4c1a-9c1f-4f7e-8f3d-2a6b1c0d9e11)',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'succeeded',
      'a pod whose container exited 0: phase Succeeded, terminated Completed, conditions PodCompleted',
      {
        ...base,
        status: 'FINISHED',
        timestamp: T('2024-05-01T12:03:22Z'),
        exitCode: 0,
        reason: 'Completed',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'failed-exit-code',
      'a container that exited 2 with a termination message: phase Failed, terminated Error',
      {
        ...base,
        status: 'FAILED',
        timestamp: T('2024-05-01T12:01:48Z'),
        exitCode: 2,
        reason: 'Error',
        message: 'input scene is not a GeoTIFF\n',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'failed-oomkilled',
      'a container killed by the kernel OOM killer: terminated OOMKilled, exit code 137',
      {
        ...base,
        status: 'FAILED',
        timestamp: T('2024-05-01T12:01:48Z'),
        exitCode: 137,
        reason: 'OOMKilled',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'evicted',
      'a kubelet eviction under memory pressure (1.26+): reason Evicted, DisruptionTarget TerminationByKubelet',
      {
        ...base,
        status: 'LOST',
        timestamp: T('2024-05-01T12:02:31Z'),
        exitCode: 137,
        reason: 'TerminationByKubelet',
        message:
          'The node was low on resource: memory. Threshold quantity: 100Mi, available: 61932Ki. Container main ' +
          'was using 1843200Ki, request is 1Gi, has larger consumption of memory. ',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'evicted-legacy',
      'an eviction before DisruptionTarget existed: phase Failed, reason Evicted, no container statuses left',
      {
        ...base,
        status: 'LOST',
        timestamp: T('2024-05-01T12:00:01Z'),
        reason: 'Evicted',
        message:
          'The node was low on resource: ephemeral-storage. Container main was using 12Gi, which exceeds its request of 0. ',
      },
    ],
    [
      'disrupted-taint-manager',
      "a node's loss: the taint manager deletes the pod, DisruptionTarget DeletionByTaintManager",
      {
        ...base,
        status: 'LOST',
        timestamp: T('2024-05-01T12:07:01Z'),
        reason: 'DeletionByTaintManager',
        message: 'Taint manager: deleting due to NoExecute taint',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'preempted',
      'a pod preempted for a higher priority one: DisruptionTarget PreemptionByScheduler, deletionTimestamp',
      {
        ...base,
        status: 'LOST',
        timestamp: T('2024-05-01T12:05:00Z'),
        reason: 'PreemptionByScheduler',
        message: 'default-scheduler: preempting to accommodate a higher priority pod',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'node-shutdown',
      'a graceful node shutdown: phase Failed, reason Terminated, DisruptionTarget TerminationByKubelet',
      {
        ...base,
        status: 'LOST',
        timestamp: T('2024-05-01T12:08:02Z'),
        exitCode: 143,
        reason: 'TerminationByKubelet',
        message: 'Pod was terminated in response to imminent node shutdown.',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'node-lost-unknown',
      'an unreachable node (old node controller): phase Unknown, reason NodeLost',
      {
        ...base,
        status: 'LOST',
        timestamp: T('2024-05-01T12:06:21Z'),
        reason: 'NodeLost',
        message: 'Node node-7 which was running pod scale-job-fw1-42x3-main is unresponsive',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'watch-deleted',
      'the DELETED watch event after the host deleted the pod: SIGTERM, exit 143, phase Failed',
      {
        ...base,
        status: 'KILLED',
        timestamp: T('2024-05-01T12:02:14Z'),
        exitCode: 143,
        reason: 'Error',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'deleting-terminated',
      'a MODIFIED event during deletion, container already stopped, phase not yet terminal (before 1.27)',
      {
        ...base,
        status: 'KILLED',
        timestamp: T('2024-05-01T12:02:13Z'),
        exitCode: 143,
        reason: 'Error',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'deleting-running',
      'a MODIFIED event during the grace period: deletionTimestamp set, container still running',
      { ...base, status: 'RUNNING', timestamp: T('2024-05-01T12:00:10Z'), containerName: CONTAINER_ID },
    ],
    [
      'deleted-placeholder',
      "a pod deleted before its container ran: the kubelet's ContainerStatusUnknown placeholder, exit 137, no startedAt",
      {
        ...base,
        status: 'KILLED',
        timestamp: T('2024-05-01T12:02:31Z'),
        reason: 'ContainerStatusUnknown',
        message: 'The container could not be located when the pod was terminated',
      },
    ],
    [
      'sidecar-istio',
      'an Istio-injected pod: istio-proxy first in spec and in the sorted statuses, default-container annotation',
      { ...base, status: 'RUNNING', timestamp: T('2024-05-01T12:00:12Z'), containerName: CONTAINER_ID },
    ],
    [
      'sidecar-native-succeeded',
      'a native sidecar (init container with restartPolicy Always) and a log shipper beside the task container',
      {
        ...base,
        status: 'FINISHED',
        timestamp: T('2024-05-01T12:03:21Z'),
        exitCode: 0,
        reason: 'Completed',
        containerName: CONTAINER_ID,
      },
    ],
    [
      'init-container-failed',
      'an init container that exited 3 (restartPolicy Never): phase Failed, main waiting PodInitializing',
      {
        ...base,
        status: 'FAILED',
        timestamp: T('2024-05-01T12:00:20Z'),
        exitCode: 3,
        reason: 'Error',
        message: 's3://scale-inputs/scene-42.tif: access denied',
      },
    ],
    [
      'list-item-label',
      'an item of a PodList (no kind, no apiVersion), the task id in a label, fractional startedAt',
      {
        taskId: 'scale_job_fw1_43x1_pull',
        agentId: 'node-7',
        status: 'RUNNING',
        timestamp: T('2024-05-01T12:00:07.123Z'),
        containerName: CONTAINER_ID,
      },
    ],
    [
      'watch-added-new',
      'the ADDED watch event of a pod just created: no status but its phase, not yet scheduled',
      { taskId: TASK_ID, status: 'STAGING', timestamp: T('2024-05-01T12:00:00Z') },
    ],
  ])('%s: %s', (name, _models, expected) => {
    expect(decoded(fixture(name))).toEqual(expected)
  })
})

describe('status, first match wins', () => {
  it('1. phase Succeeded is FINISHED, even while disrupted or deleted', () => {
    const succeeded = pod({
      phase: 'Succeeded',
      reason: 'Evicted',
      conditions: [disruption('TerminationByKubelet', 'evicted')],
      containerStatuses: [main(terminated(0))],
    })
    expect(statusOf(succeeded)).toBe('FINISHED')
    expect(statusOf({ type: 'DELETED', object: succeeded })).toBe('FINISHED')
  })

  it('2. a true DisruptionTarget is LOST, and beats deletion and a failed phase', () => {
    const disrupted = pod(
      {
        phase: 'Failed',
        conditions: [disruption('DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint')],
        containerStatuses: [main(terminated(137))],
      },
      { metadata: { deletionTimestamp: '2024-05-01T12:05:30Z' } },
    )
    expect(statusOf(disrupted)).toBe('LOST')
    expect(statusOf({ type: 'DELETED', object: disrupted })).toBe('LOST')
  })

  it('2. a DisruptionTarget that is not True is no disruption', () => {
    const status = {
      phase: 'Running',
      conditions: [condition('DisruptionTarget', 'False', '2024-05-01T12:05:00Z', 'DeletionByTaintManager')],
      containerStatuses: [main(running)],
    }
    expect(statusOf(pod(status))).toBe('RUNNING')
  })

  it.each(['Evicted', 'Preempting', 'NodeLost', 'Shutdown', 'NodeShutdown', 'Terminated'])(
    '2. pod reason %s is LOST',
    (reason) => {
      expect(statusOf(pod({ phase: 'Failed', reason, containerStatuses: [main(terminated(1))] }))).toBe('LOST')
    },
  )

  it('2. another pod reason is not LOST', () => {
    expect(statusOf(pod({ phase: 'Failed', reason: 'UnexpectedAdmissionError' }))).toBe('FAILED')
    expect(statusOf(pod({ phase: 'Failed', reason: 'evicted' }))).toBe('FAILED')
  })

  it('2. phase Unknown is LOST', () => {
    expect(statusOf(pod({ phase: 'Unknown', containerStatuses: [main(running)] }))).toBe('LOST')
  })

  it('3. a DELETED watch event is KILLED, whatever the phase before rules 1 and 2', () => {
    for (const phase of ['Pending', 'Running', 'Failed']) {
      expect(statusOf({ type: 'DELETED', object: pod({ phase, containerStatuses: [main(running)] }) })).toBe('KILLED')
    }
  })

  it('3. a deletionTimestamp is KILLED once the container terminated or the phase is Failed, not before', () => {
    const deleting = { metadata: { deletionTimestamp: '2024-05-01T12:02:42Z' } }
    expect(statusOf(pod({ phase: 'Running', containerStatuses: [main(running)] }, deleting))).toBe('RUNNING')
    expect(statusOf(pod({ phase: 'Pending' }, deleting))).toBe('STAGING')
    expect(statusOf(pod({ phase: 'Running', containerStatuses: [main(terminated(143))] }, deleting))).toBe('KILLED')
    expect(statusOf(pod({ phase: 'Failed' }, deleting))).toBe('KILLED')
    // The kubelet's placeholder (no startedAt) still counts as terminated.
    const placeholder = main({ terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', startedAt: null } })
    expect(statusOf(pod({ phase: 'Pending', containerStatuses: [placeholder] }, deleting))).toBe('KILLED')
  })

  it('3. the ADDED and MODIFIED events are read like the bare pod', () => {
    const p = pod({ phase: 'Running', containerStatuses: [main(running)] })
    expect(decoded({ type: 'ADDED', object: p })).toEqual(decoded(p))
    expect(decoded({ type: 'MODIFIED', object: p })).toEqual(decoded(p))
  })

  it('4. phase Failed is FAILED', () => {
    expect(statusOf(pod({ phase: 'Failed', containerStatuses: [main(terminated(2))] }))).toBe('FAILED')
  })

  it('5. phase Running is RUNNING only with the container running', () => {
    expect(statusOf(pod({ phase: 'Running', containerStatuses: [main(running)] }))).toBe('RUNNING')
    expect(statusOf(pod({ phase: 'Running', containerStatuses: [main(terminated(0))] }))).toBe('UNKNOWN')
    expect(statusOf(pod({ phase: 'Running', containerStatuses: [main({ waiting: { reason: 'X' } })] }))).toBe('UNKNOWN')
    expect(statusOf(pod({ phase: 'Running' }))).toBe('UNKNOWN')
  })

  it('6. phase Pending is STAGING whatever the waiting reason', () => {
    for (const reason of ['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError']) {
      expect(statusOf(pod({ phase: 'Pending', containerStatuses: [main({ waiting: { reason } })] }))).toBe('STAGING')
    }
  })

  it('7. anything else is UNKNOWN', () => {
    expect(statusOf(pod({ phase: 'Terminating' }))).toBe('UNKNOWN')
    expect(statusOf(pod({ conditions: [] }))).toBe('UNKNOWN')
  })
})

describe('task id', () => {
  const ids = (annotations: Json | undefined, labels: Json | undefined, name: string | undefined): string =>
    decoded({
      metadata: {
        ...(name !== undefined ? { name } : {}),
        creationTimestamp: '2024-05-01T12:00:00Z',
        ...(annotations !== undefined ? { annotations } : {}),
        ...(labels !== undefined ? { labels } : {}),
      },
      status: { phase: 'Pending' },
    }).taskId

  it('is the annotation, else the label, else metadata.name', () => {
    const key = 'job-execution-core/task-id'
    expect(ids({ [key]: 'from_annotation' }, { [key]: 'from_label' }, 'from-name')).toBe('from_annotation')
    expect(ids({ other: 'x' }, { [key]: 'from_label' }, 'from-name')).toBe('from_label')
    expect(ids(undefined, undefined, 'from-name')).toBe('from-name')
    expect(ids({ [key]: '' }, { [key]: '' }, 'from-name')).toBe('from-name')
  })

  it('a pod without any is refused at metadata.name', () => {
    expect(paths({ metadata: { creationTimestamp: '2024-05-01T12:00:00Z' }, status: { phase: 'Pending' } })).toEqual([
      'metadata.name',
    ])
  })
})

describe("the task's container", () => {
  const sidecar = (state: Json): Json => ({ name: 'istio-proxy', state, containerID: 'containerd://sidecar' })
  const twoContainers = (annotations: Json, statuses: readonly Json[]): Json =>
    pod(
      { phase: 'Running', containerStatuses: statuses },
      {
        metadata: { annotations: { 'job-execution-core/task-id': TASK_ID, ...annotations } },
        spec: { containers: [{ name: 'istio-proxy' }, { name: 'main' }] },
      },
    )

  it('is the first of spec.containers, its status found by name, not by position', () => {
    const p = pod(
      { phase: 'Running', containerStatuses: [sidecar(running), main({ waiting: {} })] },
      { spec: { containers: [{ name: 'main' }, { name: 'istio-proxy' }] } },
    )
    expect(decoded(p).status).toBe('UNKNOWN')
    expect(decoded(p).containerName).toBe(CONTAINER_ID)
  })

  it('is named by job-execution-core/container before kubectl.kubernetes.io/default-container', () => {
    const statuses = [sidecar({ waiting: {} }), main(running)]
    expect(decoded(twoContainers({}, statuses)).containerName).toBe('containerd://sidecar')
    expect(decoded(twoContainers({ 'kubectl.kubernetes.io/default-container': 'main' }, statuses)).containerName).toBe(
      CONTAINER_ID,
    )
    const both = { 'kubectl.kubernetes.io/default-container': 'istio-proxy', 'job-execution-core/container': 'main' }
    expect(decoded(twoContainers(both, statuses))).toMatchObject({ status: 'RUNNING', containerName: CONTAINER_ID })
  })

  it('without containers in spec, is the first status', () => {
    const p = { ...pod({ phase: 'Running', containerStatuses: [main(running), sidecar({ waiting: {} })] }) }
    delete p.spec
    expect(decoded(p)).toMatchObject({ status: 'RUNNING', containerName: CONTAINER_ID })
    expect(decoded(p).agentId).toBeUndefined()
  })
})

describe('exit code', () => {
  it("is the container's terminated exit code", () => {
    expect(decoded(pod({ phase: 'Failed', containerStatuses: [main(terminated(-1))] })).exitCode).toBe(-1)
  })

  it('is the lastState exit code only when the phase is Failed', () => {
    const last = { lastState: terminated(4) }
    expect(decoded(pod({ phase: 'Failed', containerStatuses: [main({ waiting: {} }, last)] })).exitCode).toBe(4)
    expect(decoded(pod({ phase: 'Running', containerStatuses: [main({ waiting: {} }, last)] })).exitCode).toBe(
      undefined,
    )
  })

  it('is none from a termination without startedAt (the placeholder of a container that never ran)', () => {
    const placeholder = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', finishedAt: null } }
    expect(decoded(pod({ phase: 'Failed', containerStatuses: [main(placeholder)] })).exitCode).toBeUndefined()
    const lastPlaceholder = { lastState: placeholder }
    expect(
      decoded(pod({ phase: 'Failed', containerStatuses: [main({ waiting: {} }, lastPlaceholder)] })).exitCode,
    ).toBeUndefined()
  })

  it('is 0 for FINISHED without one', () => {
    expect(decoded(pod({ phase: 'Succeeded' })).exitCode).toBe(0)
  })

  it('is the first init container that exited non-zero when a failed pod never started its container', () => {
    const inits = [
      { name: 'a', state: terminated(0) },
      {
        name: 'b',
        state: terminated(5, { reason: 'Error', message: 'bad input', finishedAt: '2024-05-01T12:09:00Z' }),
      },
      { name: 'c', state: terminated(6) },
    ]
    const failed = pod({
      phase: 'Failed',
      initContainerStatuses: inits,
      containerStatuses: [main({ waiting: { reason: 'PodInitializing' } })],
    })
    expect(decoded(failed)).toMatchObject({
      status: 'FAILED',
      exitCode: 5,
      reason: 'Error',
      message: 'bad input',
      timestamp: T('2024-05-01T12:09:00Z'),
    })
  })

  it('an init container is no cause while the pod has not failed, or once the container started', () => {
    const inits = [{ name: 'a', state: terminated(5, { message: 'bad input' }) }]
    const pending = pod({ phase: 'Pending', initContainerStatuses: inits, containerStatuses: [main({ waiting: {} })] })
    expect(decoded(pending)).not.toHaveProperty('exitCode')
    const started = pod({ phase: 'Failed', initContainerStatuses: inits, containerStatuses: [main(terminated(2))] })
    expect(decoded(started)).toMatchObject({ exitCode: 2, reason: 'Error' })
    expect(decoded(started).message).toBeUndefined()
  })

  it('a container that ran before (its last state has a start) started, even if it now waits', () => {
    const inits = [{ name: 'a', state: terminated(5, { reason: 'InitError', message: 'bad input' }) }]
    const restarted = main(
      { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' } },
      { lastState: terminated(2) },
    )
    const failed = pod({ phase: 'Failed', initContainerStatuses: inits, containerStatuses: [restarted] })
    expect(decoded(failed)).toMatchObject({
      status: 'FAILED',
      exitCode: 2,
      reason: 'CrashLoopBackOff',
      message: 'back-off restarting failed container',
    })
  })
})

describe('reason and message, each from the first place that has it', () => {
  it("LOST takes the disruption's before the container's and the pod's", () => {
    const p = pod({
      phase: 'Failed',
      reason: 'Evicted',
      message: 'pod message',
      conditions: [disruption('TerminationByKubelet', 'disruption message')],
      containerStatuses: [main(terminated(137, { reason: 'Error', message: 'container message' }))],
    })
    expect(decoded(p)).toMatchObject({ reason: 'TerminationByKubelet', message: 'disruption message' })
  })

  it("a status other than LOST does not take the disruption's", () => {
    const p = pod({
      phase: 'Succeeded',
      conditions: [disruption('TerminationByKubelet', 'disruption message')],
      containerStatuses: [main(terminated(0))],
    })
    expect(decoded(p)).toMatchObject({ reason: 'Completed' })
    expect(decoded(p).message).toBeUndefined()
  })

  it("the container's before a false PodScheduled's before the pod's, each field on its own", () => {
    const unscheduled = condition('PodScheduled', 'False', '2024-05-01T12:00:02Z', 'Unschedulable', '0/3 nodes')
    const waiting = main({ waiting: { reason: 'ContainerCreating' } })
    const p = pod({ phase: 'Pending', reason: 'PodReason', message: 'pod message', conditions: [unscheduled] })
    expect(decoded(p)).toMatchObject({ reason: 'Unschedulable', message: '0/3 nodes' })
    expect(decoded({ ...p, status: { ...(p.status as Json), containerStatuses: [waiting] } })).toMatchObject({
      reason: 'ContainerCreating',
      message: '0/3 nodes',
    })
    const scheduled = condition('PodScheduled', 'True', '2024-05-01T12:00:02Z', 'Unschedulable', '0/3 nodes')
    expect(decoded({ ...p, status: { ...(p.status as Json), conditions: [scheduled] } })).toMatchObject({
      reason: 'PodReason',
      message: 'pod message',
    })
  })
})

describe('container name, agent id and timestamp', () => {
  it('the container name is the containerID, the agent id spec.nodeName when set', () => {
    const p = pod({ phase: 'Running', containerStatuses: [main(running)] })
    expect(decoded(p)).toMatchObject({ containerName: CONTAINER_ID, agentId: 'node-7' })
    const unscheduled = pod({ phase: 'Pending' }, { spec: { nodeName: '' } })
    expect(decoded(unscheduled)).not.toHaveProperty('agentId')
    expect(decoded(unscheduled)).not.toHaveProperty('containerName')
  })

  it('the timestamp is the latest of conditions, startTime and the container instants', () => {
    const at = (status: Json): number => decoded(pod(status)).timestamp
    expect(at({ phase: 'Running', startTime: '2024-05-01T12:30:00Z', containerStatuses: [main(running)] })).toBe(
      T('2024-05-01T12:30:00Z'),
    )
    const late = condition('Ready', 'True', '2024-05-01T13:00:00.250Z')
    expect(at({ phase: 'Running', conditions: [late], containerStatuses: [main(running)] })).toBe(
      T('2024-05-01T13:00:00.250Z'),
    )
    const lastState = { lastState: terminated(1, { finishedAt: '2024-05-01T14:00:00Z' }) }
    expect(at({ phase: 'Running', containerStatuses: [main(running, lastState)] })).toBe(T('2024-05-01T14:00:00Z'))
    expect(
      at({ phase: 'Failed', containerStatuses: [main(terminated(1, { finishedAt: '2024-05-01T15:00:00Z' }))] }),
    ).toBe(T('2024-05-01T15:00:00Z'))
  })

  it('the timestamp is metadata.creationTimestamp only when there is none of those', () => {
    expect(decoded(pod({ phase: 'Pending' })).timestamp).toBe(T('2024-05-01T12:00:00Z'))
    const p = pod({ phase: 'Pending', startTime: '2024-05-01T11:00:00Z' })
    expect(decoded(p).timestamp).toBe(T('2024-05-01T11:00:00Z'))
  })

  it('a pod with no instant at all is refused with its path', () => {
    const p = pod({ phase: 'Pending' }, { metadata: { creationTimestamp: null } })
    expect(paths(p)).toEqual(['metadata.creationTimestamp'])
    expect(paths({ type: 'MODIFIED', object: p })).toEqual(['object.metadata.creationTimestamp'])
  })
})

describe('RFC 3339 instants', () => {
  it.each<[string, number | undefined]>([
    ['2024-05-01T12:00:00Z', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T12:00:00.5Z', Date.UTC(2024, 4, 1, 12, 0, 0, 500)],
    ['2024-05-01T12:00:00.123456789Z', Date.UTC(2024, 4, 1, 12, 0, 0, 123)],
    ['2024-05-01T14:30:00+02:30', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T09:00:00-03:00', Date.UTC(2024, 4, 1, 12)],
    ['2024-02-29t12:00:00z', Date.UTC(2024, 1, 29, 12)],
    ['0001-01-01T00:00:00Z', Date.UTC(2000, 0, 1) - 730119 * 86_400_000],
    ['9999-12-31T23:59:59Z', Date.UTC(9999, 11, 31, 23, 59, 59)],
    ['2023-02-29T12:00:00Z', undefined],
    ['2024-13-01T12:00:00Z', undefined],
    ['2024-05-01T24:00:00Z', undefined],
    ['2024-05-01T12:00:00', undefined],
    ['2024-05-01', undefined],
    ['1714564800', undefined],
    ['2024-05-01T12:00:00+25:00', undefined],
    ['2024-05-01T12:00:00.Z', undefined],
    ['2024-05-01T12:00:00Z ', undefined],
    ['2024-05-01T12:00:00+02:00x', undefined],
    ['2024-05-01T12:00:00.1234567890123Z', Date.UTC(2024, 4, 1, 12, 0, 0, 123)],
    ['', undefined],
    // Year 0000 is a valid RFC 3339 year (proleptic Gregorian, 1 BC).
    ['0000-01-01T00:00:00Z', Date.parse('0000-01-01T00:00:00Z')],
    // Every field must be digits in range: a non-digit or out-of-range field refuses the whole instant.
    ['2O24-05-01T12:00:00Z', undefined],
    ['2024-0x-01T12:00:00Z', undefined],
    ['2024-00-01T12:00:00Z', undefined],
    ['2024-05-00T12:00:00Z', undefined],
    ['2024-05-0xT12:00:00Z', undefined],
    ['2024-05-32T12:00:00Z', undefined],
    ['2024-05-01Tx2:00:00Z', undefined],
    ['2024-05-01T23:00:00Z', Date.UTC(2024, 4, 1, 23)],
    ['2024-05-01T12:x0:00Z', undefined],
    ['2024-05-01T12:60:00Z', undefined],
    ['2024-05-01T12:59:00Z', Date.UTC(2024, 4, 1, 12, 59)],
    ['2024-05-01T12:00:x0Z', undefined],
    ['2024-05-01T12:00:61Z', undefined],
    ['2024-05-01T12:00:59Z', Date.UTC(2024, 4, 1, 12, 0, 59)],
    ['2024-05-01T12:00:00Y', undefined],
    // A leap second reads as the last millisecond of its minute (see parseInstant), its fraction dropped.
    ['2016-12-31T23:59:60Z', Date.UTC(2016, 11, 31, 23, 59, 59, 999)],
    ['2016-12-31T23:59:60.5Z', Date.UTC(2016, 11, 31, 23, 59, 59, 999)],
    // Offsets: hours 00..23, minutes 00..59, a colon between them.
    ['2024-05-01T12:00:00+00:00', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T12:00:00-00:00', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T23:00:00+23:00', Date.UTC(2024, 4, 1, 0)],
    ['2024-05-01T12:00:00+23:59', Date.UTC(2024, 4, 1, 12) - (23 * 60 + 59) * 60_000],
    ['2024-05-01T12:00:00+24:00', undefined],
    ['2024-05-01T12:00:00+x2:00', undefined],
    ['2024-05-01T12:00:00+02:x0', undefined],
    ['2024-05-01T12:00:00+02:60', undefined],
    ['2024-05-01T12:00:00+02x00', undefined],
    ['2024-05-01T12:00:00+0200', undefined],
  ])('%s', (text, expected) => {
    expect(parseInstant(text)).toBe(expected)
  })

  propTest.prop([
    fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
  ])('agrees with Date for every ISO instant', (date) => {
    expect(parseInstant(date.toISOString())).toBe(date.getTime())
  })
})

describe('refusals, with their paths', () => {
  it.each<[string, unknown, readonly string[]]>([
    ['not an object', 'pod', ['<root>']],
    ['null', null, ['<root>']],
    ['an array', [], ['<root>']],
    ['another kind', { ...pod({ phase: 'Running' }), kind: 'Service' }, ['kind']],
    ['no status', { metadata: { name: 'x', creationTimestamp: '2024-05-01T12:00:00Z' } }, ['status']],
    ['a status that is not an object', { ...pod({}), status: 'Running' }, ['status']],
    ['no metadata', { status: { phase: 'Running' } }, ['metadata']],
    ['a BOOKMARK event', { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '12' } } }, ['type']],
    ['an ERROR event', { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }, ['type']],
    ['an event without a pod', { type: 'MODIFIED', object: 'pod' }, ['object']],
    ['an event without a type', { object: { metadata: { name: 'x' }, status: {} } }, ['type']],
    ['a pod without status in an event', { type: 'ADDED', object: { metadata: { name: 'x' } } }, ['object.status']],
    ['a phase that is a number', pod({ phase: 3 }), ['status.phase']],
    ['conditions that are not a list', pod({ phase: 'Running', conditions: {} }), ['status.conditions']],
    [
      'a condition time that is not RFC 3339',
      pod({ phase: 'Running', conditions: [condition('Ready', 'True', 'yesterday')] }),
      ['status.conditions.0.lastTransitionTime'],
    ],
    ['a startTime that is a number', pod({ phase: 'Running', startTime: 1714564800 }), ['status.startTime']],
    [
      'an exit code that is not an integer',
      pod({ phase: 'Failed', containerStatuses: [main(terminated(1.5))] }),
      ['status.containerStatuses.0.state.terminated.exitCode'],
    ],
    [
      'an exit code beyond the safe integers',
      pod({ phase: 'Failed', containerStatuses: [main(terminated(2 ** 60))] }),
      ['status.containerStatuses.0.state.terminated.exitCode'],
    ],
    [
      'a task id annotation that is not a string',
      pod({ phase: 'Running' }, { metadata: { annotations: { 'job-execution-core/task-id': 7 } } }),
      ['metadata.annotations.job-execution-core/task-id'],
    ],
    [
      'a node name that is not a string',
      pod({ phase: 'Running' }, { spec: { nodeName: ['node-7'] } }),
      ['spec.nodeName'],
    ],
    [
      'a container status that is not an object',
      pod({ phase: 'Running', containerStatuses: ['main'] }),
      ['status.containerStatuses.0'],
    ],
    [
      'an init container status that is not an object, in a failed pod',
      pod({ phase: 'Failed', initContainerStatuses: [7] }),
      ['status.initContainerStatuses.0'],
    ],
  ])('%s', (_name, json, expected) => {
    expect(paths(json)).toEqual(expected)
  })

  it('names every problem of a pod, not only the first', () => {
    expect(paths(pod({ phase: 3, startTime: 'soon', conditions: 'none' }))).toEqual([
      'status.phase',
      'status.startTime',
      'status.conditions',
    ])
  })
})

describe('refusals, with what was found', () => {
  /** The one problem of a refused pod, as `path: message`. */
  const problem = (json: unknown): string =>
    refused(json)
      .problems.map((p) => `${p.path}: ${p.message}`)
      .join('; ')

  // A problem names the kind of value found instead, so that a log line says what was wrong.
  it.each<[string, unknown, string]>([
    ['a number', 3, 'status.phase: expected a string, got 3'],
    ['a boolean', true, 'status.phase: expected a string, got true'],
    ['an array', ['Running'], 'status.phase: expected a string, got an array'],
    ['an object', { name: 'Running' }, 'status.phase: expected a string, got an object'],
    ['a bigint', 3n, 'status.phase: expected a string, got bigint'],
  ])('a phase that is %s', (_name, phase, expected) => {
    expect(problem(pod({ phase }))).toBe(expected)
  })

  it('quotes a string found, cut to 60 characters', () => {
    expect(problem(pod({ phase: 'Running', startTime: 'soon' }))).toBe(
      'status.startTime: expected an RFC 3339 instant, got "soon"',
    )
    const sixty = 'x'.repeat(60)
    expect(problem(pod({ phase: 'Running', startTime: sixty }))).toBe(
      `status.startTime: expected an RFC 3339 instant, got "${sixty}"`,
    )
    expect(problem(pod({ phase: 'Running', startTime: 'y'.repeat(61) }))).toBe(
      `status.startTime: expected an RFC 3339 instant, got "${'y'.repeat(57)}..."`,
    )
  })

  it('names the root, a condition, a container and an init container status that are not objects', () => {
    expect(problem(null)).toBe('<root>: expected a Pod or a watch event, got null')
    expect(problem('pod')).toBe('<root>: expected a Pod or a watch event, got "pod"')
    expect(problem(pod({ phase: 'Running', conditions: ['Ready'] }))).toBe(
      'status.conditions.0: expected an object, got "Ready"',
    )
    expect(problem(pod({ phase: 'Running' }, { spec: { containers: ['main'] } }))).toBe(
      'spec.containers.0: expected an object, got "main"',
    )
    expect(problem(pod({ phase: 'Failed', initContainerStatuses: [7] }))).toBe(
      'status.initContainerStatuses.0: expected an object, got 7',
    )
  })

  it('a spec with no containers, or an empty list of them, is not a problem: the first status is the task', () => {
    const statuses = [main(running)]
    const noContainers = pod({ phase: 'Running', containerStatuses: statuses }, { spec: { containers: [] } })
    expect(decoded(noContainers)).toMatchObject({ status: 'RUNNING', containerName: CONTAINER_ID })
    const withoutList = pod({ phase: 'Running', containerStatuses: statuses })
    withoutList.spec = { nodeName: 'node-7' }
    expect(decoded(withoutList)).toMatchObject({ status: 'RUNNING', containerName: CONTAINER_ID, agentId: 'node-7' })
  })
})

describe('hostile input', () => {
  it('reads own properties only: an inherited task id, phase or container does not count', () => {
    const inherited = Object.create({ 'job-execution-core/task-id': 'inherited' }) as Json
    const p = pod(Object.create({ phase: 'Succeeded' }) as Json, { metadata: { annotations: inherited } })
    expect(decoded(p)).toMatchObject({ taskId: 'scale-job-fw1-42x3-main', status: 'UNKNOWN' })
  })

  it('JSON __proto__ keys neither pollute nor change the update', () => {
    const text = JSON.stringify(pod({ phase: 'Running', containerStatuses: [main(running)] })).replace(
      '"metadata":{',
      '"metadata":{"__proto__":{"polluted":true,"name":"evil"},',
    )
    const json: unknown = JSON.parse(text.replace('"status":{', '"status":{"__proto__":{"phase":"Succeeded"},'))
    const update = decoded(json)
    expect(update.status).toBe('RUNNING')
    expect(Object.getPrototypeOf(update)).toBe(Object.prototype)
    expect(({} as Json).polluted).toBeUndefined()
    expect(Object.keys(update).sort()).toEqual(['agentId', 'containerName', 'status', 'taskId', 'timestamp'])
  })

  it('a getter that throws is a refusal, not a throw', () => {
    const p = pod({ phase: 'Running' })
    Object.defineProperty(p.status, 'phase', {
      enumerable: true,
      get: () => {
        throw new Error('boom')
      },
    })
    expect(paths(p)).toEqual(['<root>'])
    // The problem says the value could not be read, not which getter threw.
    expect(refused(p).problems[0]?.message).toMatch(/^unreadable/)
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    expect(paths(revoked.proxy)).toEqual(['<root>'])
  })

  propTest.prop([fc.anything({ withNullPrototype: true, withObjectString: true, withMap: true })])(
    'never throws on anything, and a Left names at least one path',
    (value) => {
      const result = TaskUpdate.fromKubernetesPod(value)
      if (E.isLeft(result)) expect(result.left.problems.length).toBeGreaterThan(0)
    },
  )

  propTest.prop([fc.jsonValue()])('never throws on any JSON as a pod, a status or an event object', (value) => {
    for (const json of [
      value,
      pod(value as Json),
      { type: 'MODIFIED', object: value },
      pod({ phase: 'Failed', containerStatuses: [value] }),
    ]) {
      const result = TaskUpdate.fromKubernetesPod(json)
      if (E.isLeft(result)) expect(result.left.problems.every((p) => p.path.length > 0)).toBe(true)
    }
  })
})

const TASK_IDS = ['scale_job_fw1_1x1_pull', 'scale_job_fw1_2x1_main', 'scale_job_fw1_3x2_post']

describe('the test kit: Pod arbitraries', () => {
  propTest.prop([kubernetesPod(TASK_IDS)])(
    'every well-formed pod decodes, for one of the task ids, to a plain update with a safe timestamp',
    (json) => {
      const update = decoded(json)
      expect(TASK_IDS).toContain(update.taskId)
      expect(Number.isSafeInteger(update.timestamp)).toBe(true)
      expect(Object.getPrototypeOf(update)).toBe(Object.prototype)
      expect(TaskUpdate.decode(update)).toEqual(E.right(update))
    },
  )

  propTest.prop([malformedKubernetesPod(TASK_IDS)])('every malformed pod is refused, naming a path', (json) => {
    expect(refused(json).problems.length).toBeGreaterThan(0)
  })

  const extraKey = fc
    .string({ minLength: 1, maxLength: 12 })
    .filter(
      (k) =>
        ![
          'type',
          'object',
          'kind',
          'metadata',
          'spec',
          'status',
          'name',
          'annotations',
          'labels',
          'creationTimestamp',
          'deletionTimestamp',
          'containers',
          'nodeName',
          'phase',
          'reason',
          'message',
          'startTime',
          'conditions',
          'containerStatuses',
          'initContainerStatuses',
          '__proto__',
        ].includes(k),
    )
  propTest.prop([kubernetesPod(TASK_IDS), fc.dictionary(extraKey, fc.jsonValue(), { maxKeys: 4 })])(
    'fields beyond those read are ignored, at every level',
    (json, extra) => {
      const before = decoded(json)
      const inner = ('object' in json ? json.object : json) as Json
      const widened: Json = {
        ...inner,
        ...extra,
        metadata: { ...(inner.metadata as Json), ...extra },
        spec: { ...(inner.spec as Json), ...extra },
        status: { ...(inner.status as Json), ...extra },
      }
      expect(decoded('object' in json ? { ...json, ...extra, object: widened } : widened)).toEqual(before)
    },
  )
})

describe('event logs: a TaskUpdated event may carry a KubernetesPod', () => {
  const logged = (p: unknown): EventLog.LoggedEvent => ({
    type: 'TaskUpdated',
    update: { type: 'KubernetesPod', pod: p },
  })

  it('decodes the pod into the task update', () => {
    const line = EventLog.encodeLine(5_000, logged(fixture('watch-deleted')))
    expect(EventLog.decodeLine(line)).toEqual(
      E.right({ now: 5_000, event: { type: 'TaskUpdated', update: decoded(fixture('watch-deleted')) } }),
    )
    expect(EventLog.isKubernetesPodUpdate(logged({}))).toBe(true)
    expect(EventLog.isMesosUpdate(logged({}))).toBe(false)
    expect(EventLog.isKubernetesPodUpdate({ type: 'TaskUpdated', update: { type: 'MesosStatus', status: {} } })).toBe(
      false,
    )
  })

  it('refuses a line whose pod does not decode, naming the path under event.update.pod', () => {
    const line = EventLog.encodeLine(5_000, logged({ type: 'MODIFIED', object: { metadata: { name: 'x' } } }))
    expect(EventLog.decodeLine(line)).toEqual(
      E.left('event.update.pod: object.status: expected an object, got nothing'),
    )
    expect(
      E.isLeft(EventLog.decodeLine('{"now":1,"event":{"type":"TaskUpdated","update":{"type":"KubernetesPod"}}}')),
    ).toBe(true)
  })

  it('replays a log of pods as the manager would have seen the updates', () => {
    const spec = {
      id: 1,
      clusterId: 'scale_job_fw1_42x3',
      jobId: 42,
      exeNum: 3,
      jobTypeId: 2,
      nodeId: 7,
      agentId: 'node-7',
      queued: 0,
      started: 0,
      taskTypes: ['main'] as const,
      jobType: { name: 'j', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
    }
    const T0 = T('2024-05-01T12:00:00Z')
    const lines = [
      EventLog.encodeLine(T0, { type: 'Scheduled', executions: [spec] }),
      EventLog.encodeLine(T0, { type: 'NextTaskStarted', clusterId: spec.clusterId }),
      EventLog.encodeLine(T0, { type: 'TaskLaunched', taskId: TASK_ID }),
      EventLog.encodeLine(T0 + 10_000, logged(fixture('running'))),
      EventLog.encodeLine(T0 + 200_000, logged(fixture('succeeded'))),
    ]
    const replay = lines.reduce((r, line, i) => EventLog.replayLine(r, line, i + 1), EventLog.startReplay())
    expect(replay.refused).toEqual([])
    expect(Manager.runningExecutions(replay.state)).toEqual([])
    expect(EventLog.summary(replay).messages).toEqual({ CompletedJobs: 1, JobExeEnd: 1 })
  })
})
