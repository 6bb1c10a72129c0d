import { afterEach, describe, expect, it } from 'vitest';
import { setLocale, t } from './i18n/index.svelte';
import { dismiss, errorToast, info, infoWithAction, toasts } from './toasts.svelte';

describe('toasts', () => {
  afterEach(() => {
    setLocale('en');
    for (const toast of [...toasts]) dismiss(toast.id);
  });

  it('read in the language chosen after they were raised', () => {
    setLocale('zh');
    info(() => t('request.thanks'));
    infoWithAction(() => t('bulk.done', { count: 2 }), () => t('bulk.undo'), () => {});
    errorToast({ code: 'forbidden', message: 'forbidden: customers cannot write internal notes', reason: 'forbidden' });
    expect(toasts.map((x) => x.message())).toEqual(['感谢您的评价。', '已修改 2 个工单。', '您没有权限执行此操作。']);
    expect(toasts[1].action?.label()).toBe('撤销');

    setLocale('en');
    expect(toasts[0].message()).toBe('Thank you for your rating.');
    expect(toasts[1].message()).toBe('2 tickets changed.');
    expect(toasts[1].action?.label()).toBe('Undo');
    expect(toasts[2].message()).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('keep words that need no translation as they are', () => {
    info('HD-42');
    expect(toasts[0].message()).toBe('HD-42');
  });
});
