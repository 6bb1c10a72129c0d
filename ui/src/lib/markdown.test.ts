import { describe, expect, it } from 'vitest';
import { fileMarkdown, referencedFiles, renderMarkdown, sanitizeHighlight } from './markdown';

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('renderMarkdown', () => {
  it('renders Markdown', () => {
    const html = renderMarkdown('**bold** and `code`\n\n- a\n- b');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<li>a</li>');
  });

  it('shows a <script> as text and never as an element', () => {
    const html = renderMarkdown('hello <script>alert(1)</script> world');
    const el = dom(html);
    expect(el.querySelector('script')).toBeNull();
    expect(el.textContent).toContain('<script>alert(1)</script>');
  });

  it('drops event handler attributes such as onerror=', () => {
    const el = dom(renderMarkdown('<img src="x" onerror="alert(1)"> <b onclick="alert(2)">x</b>'));
    for (const node of el.querySelectorAll('*')) {
      for (const attr of node.attributes) expect(attr.name.startsWith('on')).toBe(false);
    }
    expect(el.querySelector('img')).toBeNull();
    expect(el.textContent).toContain('<img src="x" onerror="alert(1)">');
  });

  it('drops javascript: links in Markdown and in HTML', () => {
    const el = dom(renderMarkdown('[click](javascript:alert(1)) [ok](https://example.com) <a href="JaVaScRiPt:alert(2)">x</a>'));
    const hrefs = [...el.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs.filter((h) => h && /javascript/i.test(h))).toEqual([]);
    expect(hrefs).toContain('https://example.com');
  });

  it('makes links open outside the app without the opener', () => {
    const a = dom(renderMarkdown('[site](https://example.com)')).querySelector('a')!;
    expect(a.getAttribute('target')).toBe('_blank');
    expect(a.getAttribute('rel')).toContain('noopener');
  });

  it('drops iframes, forms and inline styles', () => {
    const el = dom(renderMarkdown('<iframe src="https://evil"></iframe><form><input></form><p style="color:red">x</p>'));
    expect(el.querySelector('iframe, form, input, [style]')).toBeNull();
  });

  it('keeps Chinese text', () => {
    expect(renderMarkdown('**网络**断了')).toContain('<strong>网络</strong>断了');
  });
});

describe('sanitizeHighlight', () => {
  it('keeps only <mark>', () => {
    expect(sanitizeHighlight('<mark>VPN</mark> 断线')).toBe('<mark>VPN</mark> 断线');
    const out = sanitizeHighlight('<mark onclick="x()">a</mark><img src=x onerror=alert(1)><b>b</b><script>c()</script>');
    expect(out).toBe('<mark>a</mark>b');
  });

  it('keeps escaped text escaped', () => {
    expect(sanitizeHighlight('&lt;img src=x&gt; <mark>网络</mark>')).toBe('&lt;img src=x&gt; <mark>网络</mark>');
  });
});

describe('article files', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);

  it('shows an article\'s own file as an image without a source (the app gives it one)', () => {
    const el = dom(renderMarkdown(`before ${fileMarkdown('屏幕[1].png', a)} after`, [a]));
    const img = el.querySelector('img');
    expect(img?.getAttribute('data-file')).toBe(a);
    expect(img?.getAttribute('alt')).toBe('屏幕1.png');
    expect(img?.hasAttribute('src')).toBe(false);
  });

  it('shows a file the text may not show as its name, never as an image', () => {
    const el = dom(renderMarkdown(fileMarkdown('secret.png', b), [a]));
    expect(el.querySelector('img')).toBeNull();
    expect(el.textContent).toContain('[secret.png]');
    // Ticket text never shows files at all.
    expect(dom(renderMarkdown(fileMarkdown('x.png', a))).querySelector('img')).toBeNull();
  });

  it('finds the files a body shows, in order, each once', () => {
    const body = `${fileMarkdown('one', a)} ${fileMarkdown('two', b.toUpperCase())} ${fileMarkdown('again', a)}`;
    expect(referencedFiles(body)).toEqual([a, b]);
  });
});
