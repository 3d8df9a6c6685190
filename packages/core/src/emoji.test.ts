import { describe, expect, it } from '@jest/globals';
import { emoji, gridMove } from './emoji.js';

describe('gridMove', () => {
  it('moves by one across and by a row down and up, clamped to the grid', () => {
    expect(gridMove('ArrowRight', 0, 20, 8)).toBe(1);
    expect(gridMove('ArrowLeft', 0, 20, 8)).toBe(0);
    expect(gridMove('ArrowDown', 3, 20, 8)).toBe(11);
    expect(gridMove('ArrowDown', 15, 20, 8)).toBe(19);
    expect(gridMove('ArrowUp', 3, 20, 8)).toBe(0);
    expect(gridMove('ArrowUp', 11, 20, 8)).toBe(3);
  });

  it('does not move for other keys or without a focused cell', () => {
    expect(gridMove('Enter', 3, 20, 8)).toBeUndefined();
    expect(gridMove('ArrowRight', -1, 20, 8)).toBeUndefined();
  });

  it('has each emoji once', () => {
    expect(new Set(emoji).size).toBe(emoji.length);
  });
});
