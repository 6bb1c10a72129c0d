import { afterEach, describe, expect, it } from 'vitest';
import { errorText, fieldErrorsOf } from './errors';
import { setLocale } from './i18n/index.svelte';
import type { ApiError } from './types';

const transition = {
  code: 'validation',
  message: 'cannot change status from resolved to pending_customer (allowed from resolved: closed, open)',
  field: 'status',
  reason: 'invalid_transition',
  params: { from: 'resolved', to: 'pending_customer', allowed: 'closed, open' },
} as ApiError;

describe('refusals in the user’s language', () => {
  afterEach(() => setLocale('en'));

  it('builds a Chinese sentence from the reason and its values, with no English in it', () => {
    setLocale('zh');
    const text = errorText(transition);
    expect(text).toContain('已解决');
    expect(text).not.toMatch(/[a-z]{3,}/);
    const forbidden = errorText({ code: 'forbidden', message: 'forbidden: customers cannot write internal notes', reason: 'forbidden' });
    expect(forbidden).toBe('您没有权限执行此操作。');
    const unknown = errorText({
      code: 'validation',
      message: "unknown priority 'P9' (allowed: P1, P2, P3, P4)",
      field: 'priority',
      reason: 'unknown_value',
      params: { value: 'P9', allowed: 'P1, P2, P3, P4' },
    } as ApiError);
    expect(unknown).toContain('P9');
    expect(unknown).toContain('优先级');
  });

  it('keeps the exact English detail in English', () => {
    setLocale('en');
    expect(errorText(transition)).toContain('Resolved');
    const invalid: ApiError = { code: 'validation', message: 'title: at most 200 characters', field: 'title', reason: 'invalid' };
    expect(errorText(invalid)).toBe('title: at most 200 characters');
    expect(fieldErrorsOf(invalid)).toEqual({ title: 'title: at most 200 characters' });
  });
});
