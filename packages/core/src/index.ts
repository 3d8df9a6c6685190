export * from './status.js';
export * from './routing.js';
export * from './queue.js';
export * from './wait.js';
export * from './presence.js';
export * from './message-text.js';
export * from './load.js';
