/** Tests run one file at a time: several of them change the kernel's core_pattern. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__fixtures__/job-temps.ts'],
  globalSetup: '<rootDir>/__fixtures__/kernel-guard-setup.js',
  globalTeardown: '<rootDir>/__fixtures__/kernel-guard-teardown.js',
  maxWorkers: 1,
  testTimeout: 60000,
  verbose: true
}
