import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { z } from 'zod';
import { timeOrderedUuid } from './ids.js';

describe('timeOrderedUuid', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('is a version 7 UUID that begins with the milliseconds', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 6, 15, 30) });
    const id = timeOrderedUuid();
    expect(z.uuid().safeParse(id).success).toBe(true);
    expect(id[14]).toBe('7');
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.UTC(2026, 11, 6, 15, 30));
  });

  it('sorts ids of later milliseconds after earlier ones, and never repeats', () => {
    const start = Date.UTC(2026, 11, 6, 15, 30);
    jest.useFakeTimers({ now: start });
    const ids: string[] = [];
    for (let ms = 0; ms < 300; ms += 1) {
      jest.setSystemTime(start + ms * 37);
      ids.push(timeOrderedUuid(), timeOrderedUuid());
    }
    const later = ids.filter((_, i) => i % 2 === 0);
    expect([...later].sort()).toEqual(later);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
