// Applies the theme (light / dark / following the OS) and the large-text mode to <html>.
import type { Settings } from './types';

const media = typeof window !== 'undefined' ? window.matchMedia?.('(prefers-color-scheme: dark)') : undefined;

export function resolveTheme(setting: Settings['theme'], osDark: boolean): 'light' | 'dark' {
  return setting === 'system' ? (osDark ? 'dark' : 'light') : setting;
}

export function applyLook(settings: Settings): void {
  const root = document.documentElement;
  root.dataset.theme = resolveTheme(settings.theme, media?.matches ?? false);
  root.classList.toggle('large-text', settings.large_text);
}

/** Calls `onChange` when the OS switches between light and dark. */
export function watchOsTheme(onChange: () => void): () => void {
  media?.addEventListener('change', onChange);
  return () => media?.removeEventListener('change', onChange);
}
