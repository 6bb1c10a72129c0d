// Offset paging for the virtualised ticket list: which pages a visible range needs, and a
// bounded cache of the pages fetched so far (least recently used pages are dropped first).

export const PAGE_SIZE = 100;

/** Page holding row `index`. */
export function pageOf(index: number, pageSize = PAGE_SIZE): number {
  return Math.floor(index / pageSize);
}

/** Pages covering rows `start..=end`, clamped to `total` rows. */
export function pagesForRange(start: number, end: number, total: number, pageSize = PAGE_SIZE): number[] {
  if (total <= 0 || end < start) return [];
  const first = pageOf(Math.max(0, start), pageSize);
  const last = pageOf(Math.min(end, total - 1), pageSize);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

export class PageCache<T> {
  private pages = new Map<number, T[]>();

  constructor(
    readonly pageSize = PAGE_SIZE,
    readonly maxPages = 40,
  ) {}

  get size(): number {
    return this.pages.size;
  }

  has(page: number): boolean {
    return this.pages.has(page);
  }

  /** Row `index`, or undefined while its page is not loaded. */
  row(index: number): T | undefined {
    return this.pages.get(pageOf(index, this.pageSize))?.[index % this.pageSize];
  }

  /** Stores a page; evicts the least recently stored or touched pages beyond `maxPages`, except `keep`. */
  set(page: number, rows: T[], keep: readonly number[] = []): void {
    this.pages.delete(page);
    this.pages.set(page, rows);
    for (const p of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (p !== page && !keep.includes(p)) this.pages.delete(p);
    }
  }

  /** Marks pages as recently used, so they are evicted last. */
  touch(pages: readonly number[]): void {
    for (const p of pages) {
      const rows = this.pages.get(p);
      if (rows) {
        this.pages.delete(p);
        this.pages.set(p, rows);
      }
    }
  }

  /** Pages of `start..=end` that are not cached. */
  missing(start: number, end: number, total: number): number[] {
    return pagesForRange(start, end, total, this.pageSize).filter((p) => !this.pages.has(p));
  }

  /** Replaces a row everywhere it is cached (after an update) by `id`. */
  replace(match: (row: T) => boolean, next: T): boolean {
    for (const rows of this.pages.values()) {
      const i = rows.findIndex(match);
      if (i >= 0) {
        rows[i] = next;
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.pages.clear();
  }
}
