/**
 * The status table that the demo's summary and `replay` print
 * (src/internal/statusTable.ts): right-aligned columns two spaces apart, the
 * failed counts under a dashed `failed` title, a total row, counts as `1,667`.
 */
import { describe, expect, it } from 'vitest'
import type { NodeStatusJson } from '../src/metrics'
import { statusTable } from '../src/internal/statusTable'

// A node's status with the given totals (the per-type rows do not show in the table).
const node = (
  id: NodeStatusJson['id'],
  [running, completed, algorithm, data, system]: readonly [number, number, number, number, number],
): NodeStatusJson => {
  const count = (total: number) => ({ total, by_job_type: [] })
  return {
    id,
    job_executions: {
      running: count(running),
      completed: count(completed),
      failed: {
        total: algorithm + data + system,
        algorithm: count(algorithm),
        data: count(data),
        system: count(system),
      },
    },
  }
}

describe('statusTable', () => {
  it('right-aligns the columns two spaces apart, with the dashed failed title over the failed columns', () => {
    const lines = statusTable([node(7, [1, 1_667, 2, 0, 3])])
    // Widths: node 5 (total), running 7, completed 9, algorithm 9, data 4, system 6.
    // The failed columns span 9 + 2 + 4 + 2 + 6 = 23; the title takes 6 and its two
    // spaces, leaving 15 dashes: 7 on the left, 8 on the right.
    expect(lines).toEqual([
      ' '.repeat(5 + 2 + 7 + 2 + 9 + 2) + '------- failed --------',
      ' node  running  completed  algorithm  data  system',
      '    7        1      1,667          2     0       3',
      'total        1      1,667          2     0       3',
    ])
  })

  it('sums every column over the nodes in the total row', () => {
    const lines = statusTable([node(1, [1, 2, 3, 4, 5]), node('b', [10, 20, 30, 40, 50])])
    expect(lines.at(-1)?.trim().split(/\s+/)).toEqual(['total', '11', '22', '33', '44', '55'])
    expect(lines.slice(2, 4).map((line) => line.trim().split(/\s+/)[0])).toEqual(['1', 'b'])
  })

  it('widens the dashes with the failed columns, the title staying centred and flush with them', () => {
    const lines = statusTable([node('n', [0, 0, 1_234_567, 0, 0])], (id) => `node-${id}`)
    const [title = '', header = ''] = lines
    // The failed columns are the header's last characters, from the (widened) `algorithm` column to the end.
    const start = header.length - '1,234,567  data  system'.length
    expect(header.slice(start)).toBe('algorithm  data  system'.padStart('1,234,567  data  system'.length))
    expect(title.length).toBe(header.length)
    expect(title.slice(0, start)).toBe(' '.repeat(start))
    const dashes = title.slice(start)
    const match = /^(-+) failed (-+)$/.exec(dashes)
    expect(match).not.toBeNull()
    const [, left = '', right = ''] = match ?? []
    expect(left.length + right.length).toBe('1,234,567  data  system'.length - ' failed '.length)
    expect(right.length - left.length).toBeGreaterThanOrEqual(0)
    expect(right.length - left.length).toBeLessThanOrEqual(1)
    expect(lines[2]).toMatch(/^node-n {2}/)
  })
})
