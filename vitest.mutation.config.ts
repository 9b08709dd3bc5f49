import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config'

// Mutation testing runs the suite once per mutant (only the tests that cover
// it): leave out the runs that exercise whole programs rather than the library
// (the demo, the benchmark smoke test, the runnable guides) and the 100,000-event
// volume run, which covers every line and would dominate the time.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      setupFiles: ['test/mutation.setup.ts'],
      // Each mutant reruns the test files that cover it: importing each file's
      // modules afresh costs more than its tests.
      isolate: false,
      // Mutants are in runtime code; the type tests cannot kill one.
      typecheck: { enabled: false },
      exclude: [
        'test/demo.test.ts',
        'test/bench.smoke.test.ts',
        'test/docs.test.ts',
        'test/manager.totality.volume.test.ts',
        'node_modules/**',
      ],
    },
  }),
)
