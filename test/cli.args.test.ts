// The one argument parser of the demo and replay (src/internal/args.ts).
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import * as Args from '../src/internal/args'

const TABLE = {
  count: Args.integer('how many', 1, 9),
  level: Args.integer('from zero', 0, 1_000_000),
  mode: Args.oneOf('a mode', ['fast', 'slow']),
  out: Args.text('where', 'FILE', 'a file name'),
  dryRun: Args.flag('do nothing'),
  help: Args.flag('help', { short: 'h', alone: true }),
} as const

describe('Args.parse', () => {
  it('reads every kind of option, kebab-case flags and --flag=value', () => {
    expect(
      Args.parse(TABLE, ['--count=3', '--level', '0', '--mode', 'slow', '--out', 'x', '--dry-run', 'a'], 1),
    ).toEqual(E.right({ values: { count: 3, level: 0, mode: 'slow', out: 'x', dryRun: true }, positionals: ['a'] }))
    expect(Args.parse(TABLE, ['--', '-'], 1)).toEqual(E.right({ values: {}, positionals: ['-'] }))
  })

  it.each([
    [['--count', '0'], "--count must be a positive integer, got '0'"],
    [['--count', '10'], "--count must be at most 9, got '10'"],
    [['--level', '1e3'], "--level must be an integer from 0 to 1,000,000, got '1e3'"],
    [['--mode', 'medium'], "--mode must be one of fast, slow, got 'medium'"],
    [['--out='], '--out needs a value (a file name)'],
    [['--dry-run=yes'], "--dry-run takes no value, got '--dry-run=yes'"],
    [['--dryRun'], "unknown flag '--dryRun'"],
    [['a', 'b'], "unexpected argument 'b'"],
  ])('%j is refused: %s', (argv, message) => {
    expect(Args.parse(TABLE, argv, 1)).toEqual(E.left(message))
  })

  it('lets an alone flag win over every other argument, bad ones too, given by its name or its short form', () => {
    const help = E.right({ values: { help: true }, positionals: [] })
    expect(Args.parse(TABLE, ['--count', '0', '--help', 'a', 'b'], 1)).toEqual(help)
    expect(Args.parse(TABLE, ['a', 'b', '--unknown', '-h'], 1)).toEqual(help)
  })

  it('lets neither a flag without alone nor an alone flag given a value win', () => {
    expect(Args.parse(TABLE, ['--dry-run', '--count', '0'], 1)).toEqual(
      E.left("--count must be a positive integer, got '0'"),
    )
    expect(Args.parse(TABLE, ['--help=yes', 'a'], 1)).toEqual(E.left("--help takes no value, got '--help=yes'"))
  })

  test.prop([fc.array(fc.oneof(fc.string(), fc.constantFrom('--count', '--mode', '-h', '--', '-', '--out=')))])(
    'never throws, and a Left is one line',
    (argv) => {
      const parsed = Args.parse(TABLE, argv, 1)
      if (E.isLeft(parsed))
        expect(parsed.left.split('\n').length).toBeLessThanOrEqual(1 + argv.join('').split('\n').length)
    },
  )
})

describe('numbers in human output', () => {
  it('groups thousands and says one in the singular', () => {
    expect(Args.formatCount(1_234_567)).toBe('1,234,567')
    expect(Args.plural(1, 'node')).toBe('1 node')
    expect(Args.plural(0, 'node')).toBe('0 nodes')
    expect(Args.plural(2_000, 'job')).toBe('2,000 jobs')
  })

  it('aligns the help of a table', () => {
    expect(Args.usage({ a: Args.flag('x', { short: 'a' }), longName: Args.integer('y\nz', 0, 1) })).toBe(
      '  --a, -a         x\n  --long-name N   y\n                  z',
    )
    expect(Args.usage({ a: Args.flag('x') }, 10)).toBe('  --a        x')
    // A spec written by hand may leave out the name of its value: the help shows the flag alone.
    expect(Args.usage({ name: { type: 'text', help: 'x' } })).toBe('  --name   x')
  })
})
