// Maps errors to form fields: the core names the input a validation error is about.
import { isApiError } from './api';
import { t } from './i18n/index.svelte';

export type FieldErrors = Record<string, string | undefined>;

/** Field errors from a failed call, or null when the error is not about a field. */
export function fieldErrorsOf(e: unknown, aliases: Record<string, string> = {}): FieldErrors | null {
  if (!isApiError(e) || e.code !== 'validation' || !e.field) return null;
  const field = aliases[e.field] ?? e.field;
  return { [field]: e.reason === 'required' ? t('validation.required') : e.message };
}
