/**
 * One shard of the sharded demo, in a worker thread: a manager fed the events
 * routed to it (raw Mesos statuses and pods are decoded here, in parallel with the other
 * shards), drained after every event. On `finish` it answers with its metrics
 * and its drained messages counted by type.
 */
import { parentPort } from 'node:worker_threads'
import * as E from 'fp-ts/Either'
import { EventLog, Manager, TaskUpdate } from '../src/index'
import type { ShardReply, ShardRequest } from './shards'
import { toWire } from './wireMetrics'

let state = Manager.create(0)
let messages: Readonly<Record<string, number>> = {}
let events = 0
let rejected = 0

const apply = (now: number, logged: EventLog.LoggedEvent): void => {
  let event: Manager.ManagerEvent
  if (EventLog.isMesosUpdate(logged)) {
    const decoded = TaskUpdate.fromMesos(logged.update.status)
    if (E.isLeft(decoded)) {
      rejected++
      return
    }
    event = { type: 'TaskUpdated', update: decoded.right }
  } else if (EventLog.isKubernetesPodUpdate(logged)) {
    const decoded = TaskUpdate.fromKubernetesPod(logged.update.pod)
    if (E.isLeft(decoded)) {
      rejected++
      return
    }
    event = { type: 'TaskUpdated', update: decoded.right }
  } else {
    event = logged
  }
  const [drained, next] = Manager.drain(Manager.reduce(state, event, now), now)
  state = next
  events++
  if (drained.length > 0) messages = EventLog.countMessages(drained, messages)
}

parentPort?.on('message', (request: ShardRequest) => {
  switch (request.kind) {
    case 'start':
      state = Manager.create(request.now)
      return
    case 'events':
      for (const [now, logged] of request.batch) apply(now, logged)
      return
    case 'finish': {
      const reply: ShardReply = {
        metrics: toWire(Manager.metrics(state)),
        messages,
        events,
        rejected,
        running: Manager.runningCount(state),
      }
      parentPort?.postMessage(reply)
      return
    }
  }
})
