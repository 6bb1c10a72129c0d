// Fuzz-style property test of the Markdown path (issue "Security"): thousands of random
// documents built from Markdown, raw HTML and XSS payloads go through renderMarkdown (marked,
// then DOMPurify) and the output is checked as a DOM:
//
// - rendering never throws;
// - only the elements marked itself writes survive (raw HTML is shown as text): no script,
//   iframe, object, embed, svg, form, style, …; only known attributes, never on*, style or
//   srcset;
// - every href/src, as the browser reads it (entities decoded by the HTML parser, controls
//   and whitespace removed, lower-cased), has no scheme or a safe one: never javascript:,
//   vbscript: or data: (data: only as an <img> source, which DOMPurify allows and an image
//   cannot run);
// - an article image (<img data-file>) has no source and is one of the files the text may
//   show; every link opens outside the app without the opener;
// - inserted into the live document (where jsdom runs scripts) with every event handler
//   type fired on every element with attributes (every fourth case), no payload runs (the payloads set a canary
//   on <body>; jsdom runs inline handlers, though never a script from parsed HTML).
//
// sanitizeHighlight gets the same treatment (a quarter as many cases): only bare <mark>
// elements survive.
//
// Cases: 2000 by default (CI), HELPDECK_FUZZ_CASES to change. The seed is fixed
// (HELPDECK_FUZZ_SEED to change it) and a failure names the case's seed and document. jsdom
// slows down with every document it creates (DOMPurify makes one per call), so run a long
// run as several processes with different seeds, e.g. 20 × 2500 cases:
//   for s in $(seq 1 20); do HELPDECK_FUZZ_SEED=$s HELPDECK_FUZZ_CASES=2500 \
//     npx vitest run src/lib/markdown.fuzz.test.ts || break; done
import { describe, expect, it } from 'vitest';
import { fileMarkdown, renderMarkdown, sanitizeHighlight } from './markdown';

declare const process: { env: Record<string, string | undefined> };

const CASES = Math.max(1, Number(process.env.HELPDECK_FUZZ_CASES ?? '') || 2000);
const SEED = Number(process.env.HELPDECK_FUZZ_SEED ?? '') || 0x5eed_2026;

/** mulberry32: a tiny seeded PRNG (no dependency). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)];

// What a payload does when it runs: jsdom runs inline handlers and scripts in its own global,
// but the document is shared, so a canary on <body> shows that anything ran.
const RUN = 'document.body.dataset.pwn=1';

const SHA_A = 'a'.repeat(64);
const SHA_B = '0123456789abcdef'.repeat(4);
const SHA_C = 'C'.repeat(64);

const XSS: readonly string[] = [
  // Scripts.
  `<script>${RUN}</script>`,
  `<script src="https://evil.example/x.js"></script>`,
  `<SCRIPT>${RUN}</SCRIPT>`,
  `<scr<script>ipt>${RUN}</script>`,
  `<<script>script>${RUN}<</script>/script>`,
  `<script>${RUN}`,
  // Event handlers.
  `<img src=x onerror=${RUN}>`,
  `<img src="x" onerror="${RUN}">`,
  `<img src=x onerror=${RUN}//`,
  `<img """><script>${RUN}</script>">`,
  `<img src=x:alert(alt) onerror=eval(src) alt=0>`,
  `<svg onload=${RUN}>`,
  `<svg><script>${RUN}</script></svg>`,
  `<svg><a xlink:href="javascript:${RUN}"><text>x</text></a></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${RUN}>`,
  `<details open ontoggle=${RUN}>`,
  `<body onload=${RUN}>`,
  `<input onfocus=${RUN} autofocus>`,
  `<x onclick=${RUN}>click</x>`,
  `<b onmouseover="${RUN}">hover</b>`,
  `<a href="#" onclick="${RUN}">x</a>`,
  `<video><source onerror="${RUN}"></video>`,
  `<marquee onstart=${RUN}>`,
  `<noscript><p title="</noscript><img src=x onerror=${RUN}>">`,
  `<!--<img src=x onerror=${RUN}>-->`,
  `<![CDATA[<script>${RUN}</script>]]>`,
  `<template><script>${RUN}</script></template>`,
  `<textarea><script>${RUN}</script></textarea>`,
  `<style>@import 'javascript:${RUN}';</style>`,
  // After an inline <script>/<pre>/<code>/<kbd>, marked takes what follows for raw HTML.
  `<script> _<marquee onstart=${RUN}>_`,
  `<code> <img src=/x.png?a=b width=900>`,
  `<kbd> <a id=x href=/p?a=b>x</a>`,
  `<pre> <h1 id=app>big</h1>`,
  // Frames, objects, forms, meta.
  `<iframe src="javascript:${RUN}"></iframe>`,
  `<iframe srcdoc="<script>${RUN}</script>"></iframe>`,
  `<object data="javascript:${RUN}"></object>`,
  `<embed src="javascript:${RUN}">`,
  `<form action="javascript:${RUN}"><button>x</button></form>`,
  `<button formaction="javascript:${RUN}">x</button>`,
  `<meta http-equiv="refresh" content="0;url=javascript:${RUN}">`,
  `<base href="javascript:${RUN}//">`,
  `<link rel=stylesheet href="javascript:${RUN}">`,
  // Styles.
  `<div style="background:url(javascript:${RUN})">x</div>`,
  `<p style="width: expression(${RUN})">x</p>`,
  `<span style="behavior: url(x.htc)">x</span>`,
  // javascript:, vbscript:, data: in HTML links, with obfuscation.
  `<a href="javascript:${RUN}">a</a>`,
  `<a href="JaVaScRiPt:${RUN}">a</a>`,
  `<a href=" javascript:${RUN}">a</a>`,
  `<a href="java\tscript:${RUN}">a</a>`,
  `<a href="jav&#x61;script:${RUN}">a</a>`,
  `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${RUN}">a</a>`,
  `<a href="java&#x09;script:${RUN}">a</a>`,
  `<a href="java&NewLine;script:${RUN}">a</a>`,
  `<a href="javascript&colon;${RUN}">a</a>`,
  `<a href="vbscript:msgbox(1)">a</a>`,
  `<a href="data:text/html,<script>${RUN}</script>">a</a>`,
  `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">a</a>`,
  `<a href="javascript:${RUN}"`,
  // The same in Markdown link syntax.
  `[click](javascript:${RUN})`,
  `[click](JAVASCRIPT:${RUN})`,
  `[click](<javascript:${RUN}>)`,
  `[click]( javascript:${RUN} )`,
  `[click](jav&#x61;script:${RUN})`,
  `[click](&#106;avascript:${RUN})`,
  `[click](javascript&colon;${RUN})`,
  `[click](java%73cript:${RUN})`,
  `[click](vbscript:msgbox(1))`,
  `[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
  `[click](https://ok.example "title\\" onmouseover=\\"${RUN}")`,
  `[ref][r]\n\n[r]: javascript:${RUN}`,
  `[ref][r]\n\n[r]: <jav&#x61;script:${RUN}> "t"`,
  `![img](javascript:${RUN})`,
  `![img](x" onerror="${RUN})`,
  `![img](data:image/svg+xml,<svg onload=${RUN}>)`,
  `![img](data:image/png;base64,iVBORw0KGgo=)`,
  `![img](https://img.example/a.png "t")`,
  `[![img](x)](javascript:${RUN})`,
  // Autolinks.
  `<javascript:${RUN}>`,
  `<JAVASCRIPT:${RUN}>`,
  `<vbscript:msgbox(1)>`,
  `<data:text/html,<script>${RUN}</script>>`,
  `<https://example.com>`,
  `<mailto:a@b.example>`,
  `https://example.com/?q=<script>${RUN}</script>`,
  `www.example.com/"onmouseover="${RUN}`,
  `javascript:${RUN}`,
  `a@b.example`,
  // Code spans and blocks holding tags.
  `\`<script>${RUN}</script>\``,
  `\`\`<img src=x onerror=${RUN}>\`\``,
  `\n\`\`\`html\n<script>${RUN}</script>\n\`\`\`\n`,
  `\n    <iframe src="javascript:${RUN}">\n`,
  // Article files: shown, not shown, odd.
  fileMarkdown('屏幕.png', SHA_A),
  fileMarkdown('other.png', SHA_B),
  fileMarkdown('upper.png', SHA_C),
  `![x](attachment:${SHA_A}" onerror="${RUN})`,
  `![x](attachment:${SHA_A.slice(1)})`,
  `![<img src=x onerror=${RUN}>](attachment:${SHA_A})`,
  `[link](attachment:${SHA_A})`,
];

const MARKDOWN: readonly string[] = [
  '# ', '## ', '###### ', '> ', '- ', '* ', '1. ', '- [ ] ', '- [x] ', '**', '__', '*', '_', '~~',
  '`', '```', '---', '\n', '\n\n', '  \n', '    ', '\t', '[', ']', '(', ')', '<', '>', '"', "'",
  '&', '&amp;', '&lt;', '&#x3c;', '&#0;', '&#xD800;', '\\', '\\<', '|', '\n| a | b |\n|:-|-:|\n| c | d |\n',
  '![', '](', '<!--', '-->', '<!', '<?', '?>', '</', '/>', '=', 'on', 'onerror=', 'href=', 'src=',
  'javascript:', 'data:', '&#', ';', ':', '\u0000', '\u00a0', '\u2028', '\u200b', '\ufeff',
];

const TEXT: readonly string[] = [
  'hello', 'VPN drops', 'printer', '网络打印机坏了', '請重啟 VPN', '日本語のテキスト', '한국어 문장',
  '**网络**断了', '🙂‍↔️', 'ǅ', 'x', '42', 'HD-7',
];

const WRAPS: readonly ((s: string) => string)[] = [
  (s) => s,
  (s) => `**${s}**`,
  (s) => `_${s}_`,
  (s) => `\`${s}\``,
  (s) => `[${s}](https://ok.example/a)`,
  (s) => `[x](${s})`,
  (s) => `![${s}](https://img.example/a.png)`,
  (s) => `> ${s}`,
  (s) => `- ${s}`,
  (s) => `| ${s} | x |\n|---|---|\n| ${s} | y |`,
  (s) => `<b>${s}</b>`,
  (s) => `<a href="${s}">x</a>`,
  (s) => `<div>\n\n${s}\n\n</div>`,
  (s) => `<${s}`,
  (s) => `${s}>`,
];

function fragment(rng: Rng): string {
  const r = rng();
  if (r < 0.45) return pick(rng, XSS);
  if (r < 0.75) return pick(rng, MARKDOWN);
  if (r < 0.95) return pick(rng, TEXT);
  // A few random characters, some outside the BMP.
  let s = '';
  for (let i = int(rng, 8); i > 0; i--) s += String.fromCodePoint(int(rng, rng() < 0.9 ? 0x80 : 0x2ffff));
  return s.replace(/[\uD800-\uDFFF]/g, '?');
}

function document_(rng: Rng): string {
  const parts: string[] = [];
  for (let n = 1 + int(rng, 12); n > 0; n--) {
    let f = fragment(rng);
    if (rng() < 0.3) f = pick(rng, WRAPS)(f);
    if (rng() < 0.1) f = pick(rng, WRAPS)(f + fragment(rng));
    parts.push(f);
    parts.push(pick(rng, ['', '', ' ', '\n', '\n\n', '\n> ', '\n- ', '\n# ', '\t']));
  }
  return parts.join('');
}

function files(rng: Rng): string[] {
  return [SHA_A, SHA_B, SHA_C].filter(() => rng() < 0.5);
}

// What marked writes (and DOMPurify keeps); raw HTML never becomes an element.
const ALLOWED_TAGS = new Set([
  'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'a', 'img', 'ul', 'ol', 'li', 'blockquote', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span',
]);
const ALLOWED_ATTRS = new Set(['href', 'src', 'alt', 'title', 'target', 'rel', 'data-file', 'class', 'align', 'start']);
const URL_ATTRS = ['href', 'src', 'xlink:href', 'action', 'formaction', 'poster', 'background', 'cite', 'data'];
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'callto', 'sms', 'cid', 'xmpp', 'matrix']);

/** A URL as the browser reads it: controls and whitespace dropped (as URL parsing and
 * DOMPurify do, and more), lower-cased. */
function normalisedUrl(value: string): string {
  return value.replace(/[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]/g, '').toLowerCase();
}

function scheme(url: string): string | null {
  const m = /^([a-z][a-z0-9+.-]*):/.exec(url);
  return m ? m[1] : null;
}

function parse(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

/** Everything wrong with one rendering (empty: nothing). */
function problems(html: string, shown: readonly string[]): string[] {
  const out: string[] = [];
  const root = parse(html);
  for (const el of root.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (!ALLOWED_TAGS.has(tag)) out.push(`element <${tag}>`);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) out.push(`handler ${name}= on <${tag}>`);
      else if (!ALLOWED_ATTRS.has(name)) out.push(`attribute ${name}= on <${tag}>`);
    }
    for (const name of URL_ATTRS) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      const url = normalisedUrl(value);
      const s = scheme(url);
      const dataImage = tag === 'img' && name === 'src' && s === 'data';
      if (/^(javascript|vbscript|data|livescript|mocha):/.test(url) && !dataImage) {
        out.push(`${name}="${value}" on <${tag}>`);
      } else if (s !== null && !SAFE_SCHEMES.has(s) && !dataImage) {
        out.push(`unsafe scheme ${s}: in ${name}="${value}" on <${tag}>`);
      }
    }
    if (tag === 'img' && el.hasAttribute('data-file')) {
      if (el.hasAttribute('src')) out.push('an article image with a source');
      const sha = el.getAttribute('data-file') ?? '';
      if (!shown.map((f) => f.toLowerCase()).includes(sha)) out.push(`image of a file not shown: ${sha}`);
    }
    if (tag === 'a' && el.hasAttribute('href')) {
      if (el.getAttribute('target') !== '_blank') out.push('a link opening in the app window');
      if (!(el.getAttribute('rel') ?? '').includes('noopener')) out.push('a link carrying the opener');
    }
  }
  return out;
}

const EVENTS = [
  'click', 'dblclick', 'mouseover', 'mouseenter', 'mousedown', 'focus', 'blur', 'load', 'error',
  'toggle', 'start', 'input', 'change', 'submit', 'animationstart', 'transitionend', 'pointerover',
];

/** Puts the output into the live document (where jsdom runs inline handlers) and fires
 * every handler type on every element that has attributes (a handler is one): nothing may
 * run. (Parsed HTML never runs a <script>; `problems` refuses the element itself.) */
function ran(html: string): boolean {
  delete document.body.dataset.pwn;
  const host = document.createElement('div');
  document.body.appendChild(host);
  try {
    // (Not a Range's contextual fragment: jsdom keeps every Range alive until the test
    // returns, and thousands of them slow every later DOM change.)
    host.innerHTML = html;
    for (const el of host.querySelectorAll('*')) {
      if (el.attributes.length === 0) continue;
      for (const type of EVENTS) el.dispatchEvent(new Event(type));
    }
    return document.body.dataset.pwn !== undefined;
  } finally {
    host.remove();
    delete document.body.dataset.pwn;
  }
}

function show(s: string): string {
  return JSON.stringify(s.length > 4000 ? `${s.slice(0, 4000)}…(cut)` : s);
}

// Budget: a few ms a case in jsdom, generously.
const TIMEOUT = 60_000 + CASES * 25;

describe(`renderMarkdown fuzz (${CASES} cases, seed ${SEED})`, () => {
  it('the checks catch what they are for', () => {
    // Unsanitised HTML fails them, the canary included.
    expect(problems(`<a href="java\tscript:x">a</a>`, [])).not.toEqual([]);
    expect(problems(`<img src="x" onerror="y">`, [])).not.toEqual([]);
    expect(problems(`<iframe></iframe>`, [])).not.toEqual([]);
    expect(problems(`<a href="data:text/html,x" target="_blank" rel="noopener">a</a>`, [])).not.toEqual([]);
    expect(problems(`<img data-file="${SHA_B}">`, [SHA_A])).not.toEqual([]);
    expect(problems(`<a href="https://ok.example">a</a>`, [])).not.toEqual([]);
    expect(problems(`<a href="https://ok.example" target="_blank" rel="noopener">a</a>`, [])).toEqual([]);
    expect(ran(`<b onclick="${RUN}">x</b>`)).toBe(true);
    expect(ran(`<p><img src="x" onerror="${RUN}"></p>`)).toBe(true);
    expect(ran(`<details ontoggle="${RUN}"></details>`)).toBe(true);
    expect(ran('<b>x</b>')).toBe(false);
    // Raw HTML after an inline <code> (and <script>, <pre>, <kbd>) stays text: marked passes
    // it through as raw HTML unless markdown.ts escapes it (found by this test).
    const raw = parse(renderMarkdown('Hi <code> <img src=/x.png?a=b width=900> _<marquee onstart=a=1>_'));
    expect(raw.querySelector('img, marquee')).toBeNull();
    expect(raw.textContent).toContain('<img src=/x.png?a=b width=900>');
    // And every payload, rendered, passes them.
    for (const p of XSS) {
      const html = renderMarkdown(p, [SHA_A]);
      expect(problems(html, [SHA_A]), `${show(p)} → ${show(html)}`).toEqual([]);
      expect(ran(html), `${show(p)} → ${show(html)}`).toBe(false);
    }
  });

  it(
    'random documents render without throwing, and nothing dangerous survives',
    () => {
      const failures: string[] = [];
      for (let i = 0; i < CASES && failures.length < 5; i++) {
        const caseSeed = (SEED + Math.imul(i, 0x9e3779b1)) >>> 0;
        const rng = prng(caseSeed);
        const source = document_(rng);
        const shown = files(rng);
        let html: string;
        try {
          html = renderMarkdown(source, shown);
        } catch (e) {
          failures.push(`case ${i} (seed ${caseSeed}): threw ${String(e)} on ${show(source)}`);
          continue;
        }
        expect(typeof html).toBe('string');
        const found = problems(html, shown);
        // The canary is slow in jsdom: every fourth case (the static checks run on all).
        if (i % 4 === 0 && ran(html)) found.push('a payload ran');
        if (found.length > 0) {
          failures.push(
            `case ${i} (seed ${caseSeed}, files ${JSON.stringify(shown)}): ${found.join('; ')}\n` +
              `  source: ${show(source)}\n  html:   ${show(html)}`,
          );
        }
      }
      expect(failures, failures.join('\n\n')).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'search highlights keep only bare <mark>',
    () => {
      const failures: string[] = [];
      // A quarter of the cases: DOMPurify over raw HTML is the slow part in jsdom.
      for (let i = 0; i < Math.ceil(CASES / 4) && failures.length < 5; i++) {
        const caseSeed = (SEED ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
        const rng = prng(caseSeed);
        const source = `${document_(rng)}<mark>${pick(rng, TEXT)}</mark>${pick(rng, XSS)}`;
        const html = sanitizeHighlight(source);
        const root = parse(html);
        for (const el of root.querySelectorAll('*')) {
          if (el.tagName !== 'MARK' || el.attributes.length > 0) {
            failures.push(`case ${i} (seed ${caseSeed}): <${el.tagName.toLowerCase()}> in ${show(html)} from ${show(source)}`);
            break;
          }
        }
        if (ran(html)) failures.push(`case ${i} (seed ${caseSeed}): a payload ran: ${show(html)}`);
      }
      expect(failures, failures.join('\n\n')).toEqual([]);
    },
    TIMEOUT,
  );
});
