import * as core from '@actions/core'
import { run } from './post-step.js'

run().then(
  (outcome) => {
    if (outcome.failure) core.setFailed(outcome.failure)
  },
  (error: unknown) => core.setFailed(error instanceof Error ? error.message : String(error))
)
