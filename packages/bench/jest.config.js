import { jestBase } from '../../jest.base.js';

export default { ...jestBase };
