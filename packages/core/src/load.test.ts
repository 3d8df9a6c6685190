import { describe, it, expect } from '@jest/globals';
import { hasFreeCapacity } from './load.js';

describe('hasFreeCapacity', () => {
  it.each([
    { load: 0, capacity: 3, expected: true },
    { load: 2, capacity: 3, expected: true },
    { load: 3, capacity: 3, expected: false },
    { load: 4, capacity: 3, expected: false }, // capacity lowered below the current load
    { load: 0, capacity: 0, expected: false }, // capacity 0 = takes no conversations
  ])('load $load / capacity $capacity → $expected', ({ load, capacity, expected }) => {
    expect(hasFreeCapacity(load, capacity)).toBe(expected);
  });
});
