// Mutation testing runs the suite once per mutant: fewer generated cases per
// property keep it within reach, while every property still runs. The seed is
// fixed because @fast-check/vitest names each property test with its seed, and
// Stryker finds the tests that cover a mutant by name: with a new seed per run
// no property test would be found again, and their mutants would survive unrun.
import fc from 'fast-check'

fc.configureGlobal({ numRuns: 5, seed: 20261129 })
// Properties that ask for more cases by name get the same 5 (see runs() in fixtures.ts).
process.env['JEC_MUTATION_RUNS'] = '5'
