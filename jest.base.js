// Shared Jest settings: TypeScript ESM through SWC, workspace packages mapped to their sources
// so tests never need a build of their dependencies.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export const jestBase = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'es6' },
    }],
  },
  moduleNameMapper: {
    '^@kefu/([a-z]+)$': `${root}packages/$1/src/index.ts`,
    '^@kefu/([a-z]+)/testing$': `${root}packages/$1/src/testing.ts`,
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 30_000,
};
