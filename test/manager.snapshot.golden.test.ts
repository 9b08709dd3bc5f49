// Snapshots are stored by hosts and read back by later versions of the
// library: a snapshot written once must restore for as long as its version is
// supported, and be written again exactly as it was. The files in fixtures/
// were written by 0.1.0 (this package's version then) from one generated stream (23 running executions, a
// lost task, queued messages and end records, metrics blocks, remembered ends),
// in both layouts that restore. Their `integrity` is the canonical hash of
// their content: a change to that hash, to a layout or to an encoding refuses
// or rewrites them, and fails here.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Manager } from '../src/index'
import { toInternal } from '../src/internal/managerState'
import { toSnapshotV2 } from '../src/internal/snapshot'

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as unknown

const restored = (json: unknown): Manager.Manager => {
  const decoded = Manager.fromSnapshot(json)
  if (E.isLeft(decoded)) throw new Error(decoded.left.problems.map((p) => `${p.path}: ${p.message}`).join('\n'))
  return decoded.right
}

const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown

describe('snapshots stored by an earlier version', () => {
  const v3 = fixture('snapshot.v3.json')
  const v2 = fixture('snapshot.v2.json')

  it('version 3 restores, and is written again exactly', () => {
    expect(asJson(Manager.toSnapshot(restored(v3)))).toEqual(v3)
  })

  it('version 2 restores to the same state, and is written again exactly in its own layout', () => {
    const state = restored(v2)
    expect(asJson(Manager.toSnapshot(state))).toEqual(v3)
    expect(asJson(toSnapshotV2(toInternal(state)))).toEqual(v2)
  })

  it('the text restores as the value does', () => {
    const text = readFileSync(join(import.meta.dirname, 'fixtures', 'snapshot.v3.json'), 'utf8')
    const decoded = Manager.fromSnapshotText(text)
    expect(E.isRight(decoded) && asJson(Manager.toSnapshot(decoded.right))).toEqual(v3)
  })

  it('one changed value is refused by the integrity check', () => {
    const json = structuredClone(v3) as { running: unknown[][] }
    const row = json.running[0]
    if (row === undefined) throw new Error('the fixture has running executions')
    row[0] = Number(row[0]) + 1
    expect(E.isLeft(Manager.fromSnapshot(json))).toBe(true)
  })
})
