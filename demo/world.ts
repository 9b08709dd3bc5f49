/**
 * The demo's virtual time: one priority queue of pending happenings, keyed by
 * virtual time (integer milliseconds), ties broken by insertion order, shared
 * by the host and the simulated cluster, with the one seeded source of
 * randomness they draw from. Every draw happens in the order of the
 * happenings, so the same seed gives the same run.
 */
import type { MesosTaskStatusJson } from './cluster'
import type { Random } from './random'

/** What can happen next, to the host or to the cluster. */
export type Happening =
  // the host's timers
  | { readonly kind: 'wave' }
  | { readonly kind: 'wake' }
  // the cluster offers resources for the next task of an execution
  | { readonly kind: 'offer'; readonly clusterId: string }
  // a task moves on in the cluster
  | { readonly kind: 'step'; readonly taskId: string; readonly step: 'starting' | 'running' | 'end' }
  // a status update reaches the host
  | { readonly kind: 'deliver'; readonly status: MesosTaskStatusJson }
  // a request of the host reaches the cluster
  | { readonly kind: 'kill'; readonly taskId: string }
  | { readonly kind: 'reconcile'; readonly taskId: string }
  // the scenario: a node goes and comes back, the database changes jobs
  | { readonly kind: 'nodeLost' }
  | { readonly kind: 'nodeBack'; readonly nodeId: number }
  | { readonly kind: 'sync'; readonly round: 1 | 2 }

/** The virtual clock, the queue of happenings and the seeded randomness of a run. */
export interface World {
  /** The virtual instant of the happening being handled. */
  now: number
  readonly queue: TimeQueue<Happening>
  readonly random: Random
}

/** A world at `now`, with nothing pending. */
export const createWorld = (now: number, random: Random): World => ({ now, queue: new TimeQueue(), random })

/** Queues a happening `delay` milliseconds from now. */
export const at = (world: World, delay: number, happening: Happening): void =>
  world.queue.push(world.now + delay, happening)

interface Entry<A> {
  readonly time: number
  readonly seq: number
  readonly value: A
}

/** A min-heap of values by time, ties broken by insertion order. */
export class TimeQueue<A> {
  private readonly items: Entry<A>[] = []
  private seq = 0

  get size(): number {
    return this.items.length
  }

  push(time: number, value: A): void {
    const items = this.items
    const entry: Entry<A> = { time, seq: this.seq++, value }
    let i = items.length
    items.push(entry)
    while (i > 0) {
      const parentIndex = (i - 1) >> 1
      const parent = items[parentIndex]
      if (parent === undefined || !before(entry, parent)) break
      items[i] = parent
      i = parentIndex
    }
    items[i] = entry
  }

  pop(): Entry<A> | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      const left = items[l]
      const right = items[r]
      if (left === undefined) break
      const child = right !== undefined && before(right, left) ? r : l
      const smaller = child === r ? right : left
      if (smaller === undefined || !before(smaller, last)) break
      items[i] = smaller
      i = child
    }
    items[i] = last
    return top
  }
}

const before = <A>(a: Entry<A>, b: Entry<A>): boolean => a.time < b.time || (a.time === b.time && a.seq < b.seq)
