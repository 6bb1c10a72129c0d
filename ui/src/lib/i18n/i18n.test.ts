import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zh } from './zh';
import { format, setLocale, t, translate } from './index.svelte';

describe('dictionaries', () => {
  it('have identical key sets', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty strings', () => {
    for (const [lang, dict] of Object.entries({ en, zh })) {
      for (const [key, value] of Object.entries(dict)) {
        expect(value.trim(), `${lang} ${key}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(names(zh[key]), key).toEqual(names(en[key]));
    }
  });
});

describe('t', () => {
  it('fills parameters and follows the locale', () => {
    setLocale('en');
    expect(t('create.created', { number: 'HD-12' })).toBe('Created HD-12');
    setLocale('zh');
    expect(t('create.created', { number: 'HD-12' })).toBe('已创建 HD-12');
    setLocale('en');
  });

  it('picks the plural form with Intl.PluralRules and writes the number as the language does', () => {
    expect(translate('en', 'list.count', { count: 1 })).toBe('1 ticket');
    expect(translate('en', 'list.count', { count: 0 })).toBe('0 tickets');
    expect(translate('en', 'list.count', { count: 1234 })).toBe('1,234 tickets');
    expect(translate('zh', 'list.count', { count: 1 })).toBe('1 个工单');
    expect(translate('zh', 'list.count', { count: 1234 })).toBe('1,234 个工单');
  });

  it('leaves unknown placeholders alone', () => {
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});
