/** `pageNum` / `pageSize` of the list endpoints (kling-api.md 1.1); out of range → 1201. */
import { invalid } from './validation-fields.js';

export interface Page {
  pageNum: number;
  pageSize: number;
}

const PAGE_NUM_MAX = 1000;

export function readPage(query: Record<string, string>, pageSizeMax: number): Page {
  return {
    pageNum: readBounded(query, 'pageNum', 1, PAGE_NUM_MAX),
    pageSize: readBounded(query, 'pageSize', 30, pageSizeMax),
  };
}

/** Past the end the page is simply empty. */
export function slicePage<T>(items: readonly T[], { pageNum, pageSize }: Page): T[] {
  return items.slice((pageNum - 1) * pageSize, pageNum * pageSize);
}

function readBounded(query: Record<string, string>, name: string, fallback: number, max: number): number {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= max)) throw invalid(name, raw);
  return value;
}
