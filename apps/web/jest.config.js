import { jestBase } from '../../jest.base.js';

// Browser tests: real processes and a real Chromium, one file at a time (npm test runs them in band).
export default { ...jestBase, testTimeout: 60_000 };
