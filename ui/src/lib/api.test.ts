import { describe, expect, it } from 'vitest';
import { isApiError, toApiError, withNulls } from './api';

describe('toApiError', () => {
  it('keeps the core error shape', () => {
    expect(toApiError({ code: 'validation', message: 'must not be empty', field: 'title' })).toEqual({
      code: 'validation',
      message: 'must not be empty',
      field: 'title',
    });
    expect(toApiError({ code: 'not_found', message: 'no ticket HD-9' })).toEqual({ code: 'not_found', message: 'no ticket HD-9' });
  });

  it('turns anything else into an internal error', () => {
    expect(toApiError('command ticket_get not found')).toEqual({ code: 'internal', message: 'command ticket_get not found' });
    expect(toApiError({ code: 'weird', message: 'x' }).code).toBe('internal');
    expect(isApiError(toApiError(new Error('boom')))).toBe(true);
  });

  it("reads arguments the shell could not take as the user's input", () => {
    const raw = 'invalid args `input` for command `ticket_update`: unknown variant `P9`, expected one of `P1`, `P2`, `P3`, `P4`';
    expect(toApiError(raw)).toEqual({ code: 'validation', message: raw });
  });
});

describe('withNulls', () => {
  it('sends fields that were not given as null', () => {
    expect(withNulls({ title: 't', priority: undefined }, ['priority', 'kind'])).toEqual({ title: 't', priority: null, kind: null });
    expect(withNulls({ status: 'open' }, ['status'])).toEqual({ status: 'open' });
  });
});
