/**
 * Records from the host: recent history counted in the metrics, and the end
 * records of executions canceled before they ran, sent through the outbox.
 * A record with a cluster id counts, or goes out, once: one whose id is
 * remembered is skipped, and the others are remembered from then on (unless
 * their execution is running here). Records without a cluster id (history
 * need not have one) always count.
 *
 * @internal
 * @module
 */
import type { EndRecord } from '../execution'
import type { ClusterId, Instant } from '../ids'
import * as Metrics from '../metrics'
import * as HM from './hashMap'
import * as L from './list'
import { forgetExpired } from './lifecycle'
import { withChanges, type ManagerState } from './managerState'
import * as Outbox from './outbox'
import * as R from './remembered'

// The cluster id of a record from the host, if it has one.
const clusterIdOfRecord = (record: object): ClusterId | undefined => {
  const id = (record as { readonly clusterId?: unknown }).clusterId
  return typeof id === 'string' ? id : undefined
}

/** The state with these history records counted in the finished metrics at `now`. */
export const loadHistory = (state: ManagerState, records: readonly Metrics.Counted[], now: Instant): ManagerState => {
  if (records.length === 0) return state
  let metrics = Metrics.advance(state.metrics, now)
  let remembered = forgetExpired(state, metrics)
  for (const record of records) {
    const id = clusterIdOfRecord(record)
    if (id !== undefined) {
      const hash = HM.hashString(id)
      if (R.has(remembered, id, hash)) continue
      if (!HM.has(state.running, id, hash)) {
        const until = Metrics.blockStart(Math.max(record.finished ?? now, metrics.now))
        remembered = R.remember(remembered, id, hash, until)
      }
    }
    metrics = Metrics.addFinished(metrics, record)
  }
  return metrics === state.metrics && remembered === state.remembered
    ? state
    : withChanges(state, { metrics, remembered })
}

/** The state with these end records queued for the next `JobExeEnd`. */
export const cancelOffQueue = (state: ManagerState, records: readonly EndRecord[], now: Instant): ManagerState => {
  let ends = state.outbox.ends
  let remembered = state.remembered
  for (const record of records) {
    const id = clusterIdOfRecord(record)
    if (id !== undefined) {
      const hash = HM.hashString(id)
      if (R.has(remembered, id, hash)) continue
      if (!HM.has(state.running, id, hash)) {
        const until = Metrics.blockStart(Math.max(record.finished ?? now, now, state.metrics.now))
        remembered = R.remember(remembered, id, hash, until)
      }
    }
    ends = L.append(ends, record)
  }
  return ends === state.outbox.ends
    ? state
    : withChanges(state, { outbox: Outbox.withEnds(state.outbox, ends), remembered })
}
