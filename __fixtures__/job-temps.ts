// After each test file: the temp dirs of its jobs go (a crashing job's stage holds its cores and
// bundle, up to a GB; the whole suite left tens of GB in /tmp).
import { afterAll } from '@jest/globals'
import { removeJobTemps } from '../scripts/runner.mjs'

afterAll(removeJobTemps)
