// A small i18n layer: `t(key, params)` over two dictionaries. The locale is reactive state, so
// any template that calls `t` re-renders when the language changes.
import { en, type MessageKey } from './en';
import { zh } from './zh';
import type { Language, Settings } from '../types';

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

/** Maps an OS locale such as `zh-Hans-CN` or `en-GB` to a supported language. */
export function languageFromNavigator(tag: string | undefined): Language {
  return tag && tag.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** Resolves the settings' language ('system' follows the OS locale). */
export function resolveLanguage(setting: Settings['language'], navigatorLanguage?: string): Language {
  if (setting === 'en' || setting === 'zh') return setting;
  return languageFromNavigator(navigatorLanguage);
}

export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

/** Translates `key` in `lang` (default: the current locale). */
export function translate(lang: Language, key: MessageKey, params?: Params): string {
  const dict = dictionaries[lang];
  if (params && params.count === 1) {
    const one = `${key}_one` as MessageKey;
    if (one in dict) return format(dict[one], params);
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
