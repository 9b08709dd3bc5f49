// Decoding what the cluster says: a Mesos TaskStatus (TaskUpdate.fromMesos)
// against the Pod watch event a Kubernetes cluster sends for the same thing
// (TaskUpdate.fromKubernetesPod). The pods are the demo's pod cluster's
// translation of the very statuses timed on the Mesos side, so both sides
// decode the same outcomes: starting, running (with the container runtime's
// inspect data), finished, failed with an exit code, killed.
import { podCluster } from '../demo/kubernetes'
import type { MesosTaskStatusJson } from '../demo/simulation'
import { TaskUpdate } from '../src/index'
import { T0 } from './fixtures'
import { microsPerCall, type Repetitions, type Sample } from './timing'

export interface DecodeFigures {
  /** Microseconds per `TaskUpdate.fromMesos` of a Mesos status. */
  readonly mesos: Sample
  /** Microseconds per `TaskUpdate.fromKubernetesPod` of a pod watch event. */
  readonly pod: Sample
  /** Inputs in the cycle timed on each side (and how many of them decoded). */
  readonly inputs: number
  readonly decoded: number
}

const TASKS = 64

const inspect = (name: string): string =>
  btoa(JSON.stringify([{ Id: name, Config: { Env: ['PATH=/usr/bin:/bin', `MESOS_CONTAINER_NAME=${name}`] } }]))

/** The statuses of TASKS tasks through their lives, in order. */
export const decodeInputs = (): { readonly statuses: MesosTaskStatusJson[]; readonly pods: unknown[] } => {
  const statuses: MesosTaskStatusJson[] = []
  for (let i = 0; i < TASKS; i++) {
    const task_id = { value: `scale_job_bench_${i}x1_main` }
    const agent_id = { value: `agent-${i % 10}` }
    const at = (s: number): number => (T0 + i * 1_000 + s * 1_000) / 1_000
    const base = { task_id, agent_id, uuid: 'bXl1dWlk', source: 'SOURCE_EXECUTOR' as const }
    statuses.push({ ...base, state: 'TASK_STARTING', timestamp: at(1) })
    statuses.push({ ...base, state: 'TASK_RUNNING', timestamp: at(3), data: inspect(`mesos-${i}-container`) })
    const end = i % 3
    statuses.push(
      end === 0
        ? { ...base, state: 'TASK_FINISHED', timestamp: at(60), message: 'Command exited with status 0' }
        : end === 1
          ? { ...base, state: 'TASK_FAILED', timestamp: at(60), message: 'Command exited with status 2' }
          : { ...base, state: 'TASK_KILLED', timestamp: at(60), message: 'Command terminated with signal Killed' },
    )
  }
  const speak = podCluster()
  // Round-trip through JSON: both sides decode what arrives off the wire.
  const pods = statuses.map((s) => JSON.parse(JSON.stringify(speak(s))) as unknown)
  return { statuses: statuses.map((s) => JSON.parse(JSON.stringify(s)) as MesosTaskStatusJson), pods }
}

/** Times both decoders over the same outcomes, cycling through the inputs. */
export const measureDecode = (opts: Repetitions): DecodeFigures => {
  const { statuses, pods } = decodeInputs()
  let decoded = 0
  for (const s of statuses) if (TaskUpdate.fromMesos(s)._tag === 'Right') decoded++
  for (const p of pods) if (TaskUpdate.fromKubernetesPod(p)._tag === 'Right') decoded++
  const n = statuses.length
  const mesos = microsPerCall((i) => TaskUpdate.fromMesos(statuses[i % n])._tag, opts)
  const pod = microsPerCall((i) => TaskUpdate.fromKubernetesPod(pods[i % n])._tag, opts)
  return { mesos, pod, inputs: n, decoded }
}
