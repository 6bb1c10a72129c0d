// Short messages at the bottom of the window; errors stay until read or for 8 seconds.
import { errorText } from './errors';
import type { ApiError } from './types';
import { isApiError } from './api';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** A button on the toast (Undo). */
  action?: { label: string; run: () => void };
}

export const toasts = $state<Toast[]>([]);
let nextId = 1;

export function dismiss(id: number): void {
  const i = toasts.findIndex((x) => x.id === id);
  if (i >= 0) toasts.splice(i, 1);
}

function push(kind: Toast['kind'], message: string, ms: number, action?: Toast['action']): void {
  const id = nextId++;
  toasts.push({ id, kind, message, action });
  if (toasts.length > 4) toasts.shift();
  setTimeout(() => dismiss(id), ms);
}

export function info(message: string): void {
  push('info', message, 4000);
}

/** A message with one action (Undo), shown long enough to use it. */
export function infoWithAction(message: string, label: string, run: () => void): void {
  push('info', message, 12000, { label, run });
}

/** A problem the UI itself found, already in the user's language. */
export function warn(message: string): void {
  push('error', message, 8000);
}

/** Shows an API error in the user's language (validation messages go next to fields instead). */
export function errorToast(e: unknown): void {
  const err: ApiError = isApiError(e) ? e : { code: 'internal', message: String(e) };
  push('error', errorText(err), 8000);
}
