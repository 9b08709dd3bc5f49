/**
 * One shard of the shard benchmark: replays the JSON lines routed to it
 * (decoding raw Mesos statuses here) through its own manager, draining after
 * every line, and answers `done` with how many events it reduced.
 */
import { parentPort } from 'node:worker_threads'
import * as E from 'fp-ts/Either'
import { EventLog } from '../../src/index'

let replay = EventLog.startReplay()
let refused = 0

parentPort?.on('message', (message: { readonly kind: 'lines'; readonly text: string } | { readonly kind: 'done' }) => {
  if (message.kind === 'done') {
    parentPort?.postMessage({ events: replay.replayed, refused })
    replay = EventLog.startReplay()
    refused = 0
    return
  }
  for (const line of message.text.split('\n')) {
    if (line === '') continue
    const entry = EventLog.decodeLine(line)
    if (E.isLeft(entry)) refused++
    else replay = EventLog.replayEntry(replay, entry.right)
  }
})
