// Refusals in the user's language: the core sends a code, a reason, the field and the
// values involved; the text is built here from translations. The English `message` is the
// detail shown in English only (and logged), never inside a Chinese sentence.
import { isApiError } from './api';
import { locale, t, tDynamic } from './i18n/index.svelte';
import type { ApiError } from './types';

export type FieldErrors = Record<string, string | undefined>;

/** A field's name as the user reads it. */
function fieldLabel(field: string): string {
  return tDynamic(`field.${field}`, field.replace(/_/g, ' '));
}

/** A comma-separated list of statuses (or other values) in the user's language. */
function values(list: string | undefined, prefix: string): string {
  return (list ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => tDynamic(`${prefix}.${v}`, v))
    .join(locale() === 'zh' ? '、' : ', ');
}

/** The text of a refusal, in the user's language. */
export function errorText(err: ApiError): string {
  const p = (err as ApiError & { params?: Record<string, string> }).params ?? {};
  const zh = locale() === 'zh';
  const field = err.field ?? '';
  switch (err.reason) {
    case 'required':
      return t('refusal.required', { field: fieldLabel(field) });
    case 'invalid_transition':
      return t('refusal.transition', {
        from: tDynamic(`status.${p.from}`, p.from ?? ''),
        to: tDynamic(`status.${p.to}`, p.to ?? ''),
        allowed: values(p.allowed, 'status') || t('refusal.none'),
      });
    case 'unknown_value':
      return t('refusal.unknownValue', {
        field: fieldLabel(field),
        value: p.value ?? '',
        allowed: values(p.allowed, field),
      });
    case 'invalid':
      // The English detail says the limit exactly; Chinese gets the translated sentence.
      return zh ? t('refusal.invalid', { field: fieldLabel(field) }) : err.message;
  }
  switch (err.code) {
    case 'validation':
      return zh ? t('refusal.validation') : err.message;
    case 'no_workspace':
      return t('error.no_workspace');
    case 'forbidden':
    case 'not_found':
    case 'conflict':
    case 'internal':
      return zh ? t(`refusal.${err.code}`) : t(`error.${err.code}`, { message: err.message });
  }
  return err.message;
}

/** Field errors from a failed call, or null when the error is not about a field. */
export function fieldErrorsOf(e: unknown, aliases: Record<string, string> = {}): FieldErrors | null {
  if (!isApiError(e) || e.code !== 'validation' || !e.field) return null;
  const field = aliases[e.field] ?? e.field;
  return { [field]: e.reason === 'required' ? t('validation.required') : errorText(e) };
}
