export * from './errors.js';
export * from './limits.js';
export * from './shapes.js';
export * from './common-commands.js';
export * from './visitor.js';
export * from './agent.js';
export * from './supervision.js';
export * from './desk-tools.js';
export * from './business-hours.js';
export * from './http.js';
export * from './parse.js';
export * from './ids.js';

export const PROTOCOL_VERSION = 1;
