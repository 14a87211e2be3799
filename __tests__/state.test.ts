import { afterEach, describe, expect, it } from '@jest/globals'
import { loadCaptureState, type CaptureState } from '../src/state.js'

afterEach(() => {
  delete process.env.STATE_capture
})

describe('state', () => {
  it('reads back what main saved', () => {
    const state: CaptureState = {
      startedAt: 1,
      mode: 'pipe-handler',
      reason: 'r',
      sessionDir: '/var/lib/crash-capture/1-ab',
      installedPattern: '|/x',
      previous: { corePattern: 'core', corePipeLimit: '0', suidDumpable: '0' },
      complete: false,
      otherJobs: 2,
      coreDir: null
    }
    process.env.STATE_capture = JSON.stringify(state)
    expect(loadCaptureState()).toEqual(state)
  })

  it('copes with no state, broken JSON and odd values', () => {
    expect(loadCaptureState()).toBeNull()
    process.env.STATE_capture = '{not json'
    expect(loadCaptureState()).toBeNull()
    process.env.STATE_capture = JSON.stringify({
      mode: 'other',
      sessionDir: 'relative',
      previous: { corePattern: 1 }
    })
    expect(loadCaptureState()).toMatchObject({
      mode: 'none',
      sessionDir: null,
      previous: null
    })
  })
})
