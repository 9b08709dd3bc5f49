import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (file: string): string => fileURLToPath(new URL(`./src/${file}`, import.meta.url))

export default defineConfig({
  // The guides import the package by name; their runnable blocks (see
  // test/docs.test.ts) run against the source, not against a build.
  resolve: {
    alias: [
      { find: /^job-execution-core\/testing$/, replacement: src('testing.ts') },
      { find: /^job-execution-core\/postgres$/, replacement: src('postgres/index.ts') },
      { find: /^job-execution-core$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Timeouts here only catch a hang: speed is measured by the benchmarks. On a
    // shared machine the whole-program and 100,000-event volume tests have taken
    // six times their quiet duration, so the limits are generous.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['default'],
    // The type tests (test/*.test-d.ts) are only compiled: a type that no longer
    // holds, or a `@ts-expect-error` line that no longer errs, fails the run.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
})
