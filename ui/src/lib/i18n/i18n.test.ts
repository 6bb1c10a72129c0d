import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zh } from './zh';
import { format, languageFromNavigator, resolveLanguage, setLocale, t, translate } from './index.svelte';

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

  it('uses the _one form for a count of 1', () => {
    expect(translate('en', 'list.count', { count: 1 })).toBe('1 ticket');
    expect(translate('en', 'list.count', { count: '1,234' })).toBe('1,234 tickets');
  });

  it('leaves unknown placeholders alone', () => {
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});

describe('language choice', () => {
  it('follows the OS locale when set to system', () => {
    expect(languageFromNavigator('zh-CN')).toBe('zh');
    expect(languageFromNavigator('zh-Hans-SG')).toBe('zh');
    expect(languageFromNavigator('en-GB')).toBe('en');
    expect(languageFromNavigator('fr')).toBe('en');
    expect(languageFromNavigator(undefined)).toBe('en');
    expect(resolveLanguage('system', 'zh-TW')).toBe('zh');
    expect(resolveLanguage('en', 'zh-CN')).toBe('en');
    expect(resolveLanguage('zh', 'en-US')).toBe('zh');
  });
});
