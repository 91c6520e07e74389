/** Jest runs TypeScript through @swc/jest (type-checking is `npm run typecheck`, a separate step). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  // @middy/* ship ESM only; let swc turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  moduleNameMapper: {
    '^@middy/core$': '<rootDir>/node_modules/@middy/core/index.js',
    '^@middy/core/StreamifyResponse$': '<rootDir>/node_modules/@middy/core/executionModeStreamifyResponse.js',
    '^@middy/util$': '<rootDir>/node_modules/@middy/util/index.js',
  },
  setupFiles: ['<rootDir>/test/setup/awslambda.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
