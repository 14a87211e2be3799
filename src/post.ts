import * as core from '@actions/core'
import { run } from './post-step.js'
import { uploadsAbandoned } from './upload/stream.js'

run()
  .then(
    (outcome) => {
      if (outcome.failure) core.setFailed(outcome.failure)
    },
    (error: unknown) => core.setFailed(error instanceof Error ? error.message : String(error))
  )
  // An upload whose zip failed is left waiting so that it never completes: do not wait for it.
  .finally(() => {
    if (uploadsAbandoned()) process.exit()
  })
