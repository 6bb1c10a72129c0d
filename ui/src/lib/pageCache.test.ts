import { describe, expect, it } from 'vitest';
import { PageCache, pageOf, pagesForRange } from './pageCache';

describe('page math', () => {
  it('maps rows to pages of 100', () => {
    expect(pageOf(0)).toBe(0);
    expect(pageOf(99)).toBe(0);
    expect(pageOf(100)).toBe(1);
    expect(pageOf(99_999)).toBe(999);
  });

  it('lists the pages a visible range needs, clamped to the total', () => {
    expect(pagesForRange(0, 30, 1000)).toEqual([0]);
    expect(pagesForRange(95, 130, 1000)).toEqual([0, 1]);
    expect(pagesForRange(250, 460, 1000)).toEqual([2, 3, 4]);
    expect(pagesForRange(990, 1020, 1000)).toEqual([9]);
    expect(pagesForRange(0, 10, 0)).toEqual([]);
    expect(pagesForRange(10, 5, 100)).toEqual([]);
  });
});

describe('PageCache', () => {
  const page = (p: number, n = 100) => Array.from({ length: n }, (_, i) => p * 100 + i);

  it('returns rows of cached pages and reports the missing ones', () => {
    const c = new PageCache<number>(100, 10);
    c.set(0, page(0));
    c.set(2, page(2));
    expect(c.row(42)).toBe(42);
    expect(c.row(250)).toBe(250);
    expect(c.row(150)).toBeUndefined();
    expect(c.missing(50, 350, 1000)).toEqual([1, 3]);
  });

  it('evicts the least recently used pages, never those asked to keep', () => {
    const c = new PageCache<number>(100, 3);
    c.set(0, page(0));
    c.set(1, page(1));
    c.set(2, page(2));
    c.touch([0]);
    c.set(3, page(3), [1]);
    expect(c.size).toBe(3);
    expect(c.has(0)).toBe(true);
    expect(c.has(1)).toBe(true);
    expect(c.has(2)).toBe(false);
    expect(c.has(3)).toBe(true);
  });

  it('handles a short last page', () => {
    const c = new PageCache<number>(100, 5);
    c.set(9, page(9, 42));
    expect(c.row(941)).toBe(941);
    expect(c.row(942)).toBeUndefined();
  });

  it('replaces a row wherever it is cached', () => {
    const c = new PageCache<{ id: string; v: number }>(2, 5);
    c.set(0, [{ id: 'a', v: 1 }, { id: 'b', v: 1 }]);
    expect(c.replace((r) => r.id === 'b', { id: 'b', v: 2 })).toBe(true);
    expect(c.row(1)).toEqual({ id: 'b', v: 2 });
    expect(c.replace((r) => r.id === 'z', { id: 'z', v: 0 })).toBe(false);
    c.clear();
    expect(c.size).toBe(0);
  });
});
