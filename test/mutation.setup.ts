// Mutation testing runs the suite once per mutant: fewer generated cases per
// property keep it within reach, while every property still runs.
import fc from 'fast-check'

fc.configureGlobal({ numRuns: 5 })
