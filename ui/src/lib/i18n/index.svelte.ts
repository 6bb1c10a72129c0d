// A small i18n layer: `t(key, params)` over two dictionaries. The locale is reactive state, so
// any template that calls `t` re-renders when the language changes.
import { en, type MessageKey } from './en';
import { zh } from './zh';
import type { Language } from '../types';

export type { MessageKey };
export type Params = Record<string, string | number>;

export const dictionaries: Record<Language, Record<MessageKey, string>> = { en, zh };

const state = $state({ locale: 'en' as Language });

/** The language the UI is shown in now. */
export function locale(): Language {
  return state.locale;
}

/** BCP 47 tag for Intl APIs. */
export function intlLocale(lang: Language = state.locale): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}

export function setLocale(lang: Language): void {
  state.locale = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = intlLocale(lang);
}

export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

const pluralRules: Partial<Record<Language, Intl.PluralRules>> = {};

/** The plural category of `n` in `lang` (`one`, `other`, …: Intl.PluralRules). */
export function pluralCategory(lang: Language, n: number): Intl.LDMLPluralRule {
  pluralRules[lang] ??= new Intl.PluralRules(intlLocale(lang));
  return pluralRules[lang].select(n);
}

/** Translates `key` in `lang`. With a numeric `count`, the key of its plural category is used
 * when the dictionary has one (`list.count_one` for 1 in English; Chinese has one form). */
export function translate(lang: Language, key: MessageKey, params?: Params): string {
  const dict = dictionaries[lang];
  if (params && typeof params.count === 'number') {
    // The count is shown as the language writes numbers (1,234).
    const shown = { ...params, count: new Intl.NumberFormat(intlLocale(lang)).format(params.count) };
    const plural = `${key}_${pluralCategory(lang, params.count)}` as MessageKey;
    return format(plural in dict ? dict[plural] : (dict[key] ?? en[key] ?? key), shown);
  }
  return format(dict[key] ?? en[key] ?? key, params);
}

export function t(key: MessageKey, params?: Params): string {
  return translate(state.locale, key, params);
}

/** Translates a key built at run time (e.g. `status.${s}`), falling back to the raw value. */
export function tDynamic(key: string, fallback: string, params?: Params): string {
  return key in en ? t(key as MessageKey, params) : fallback;
}
