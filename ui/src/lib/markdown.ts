// The only way ticket text becomes HTML: Markdown through marked, then DOMPurify. Anything a
// requester typed (a <script>, an onerror=, a javascript: link) is inert by the time it is shown.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** How an article's body shows one of its files: `![name](attachment:SHA256)` (core::kb). */
export const FILE_SCHEME = 'attachment:';
const FILE_REF = /attachment:([0-9a-fA-F]{64})/g;

/** The files a body shows, in order, each once (the core's `referenced_files`). */
export function referencedFiles(body: string): string[] {
  const out: string[] = [];
  for (const m of (body ?? '').matchAll(FILE_REF)) {
    const sha = m[1].toLowerCase();
    if (!out.includes(sha)) out.push(sha);
  }
  return out;
}

/** The Markdown for showing a file in a body. */
export function fileMarkdown(name: string, sha256: string): string {
  return `![${name.replace(/[[\]]/g, '')}](${FILE_SCHEME}${sha256})`;
}

// The files the text being rendered may show (an article's own); none for tickets.
let showing: ReadonlySet<string> = new Set();

// Raw HTML typed into a ticket is shown as the text it is, never interpreted: tickets come
// from requesters, and a help desk shows what they wrote. DOMPurify below is the second line.
const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    // After an inline <script>, <pre>, <code> or <kbd> tag, marked passes the text that
    // follows through unescaped (it takes it for raw HTML): shown as text here too.
    text(token) {
      if ('escaped' in token && token.escaped && !('tokens' in token && token.tokens)) {
        return escapeHtml(token.text);
      }
      return false;
    },
    // An article's image is an <img data-file="SHA"> without a source: Markdown.svelte gives
    // it the file's blob URL from this device. A file the text may not show stays its name.
    image({ href, text }) {
      if (!href?.startsWith(FILE_SCHEME)) return false;
      const sha = href.slice(FILE_SCHEME.length).toLowerCase();
      if (!showing.has(sha)) return `<span class="file-missing">[${escapeHtml(text)}]</span>`;
      return `<img data-file="${escapeHtml(sha)}" alt="${escapeHtml(text)}">`;
    },
  },
});

let hooked = false;
function purifier(): typeof DOMPurify {
  if (!hooked) {
    // Links open outside the app window and never carry the opener.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
    hooked = true;
  }
  return DOMPurify;
}

const MARKDOWN_CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe'],
  FORBID_ATTR: ['style', 'srcset'],
  ADD_ATTR: ['target'],
};

/**
 * Markdown (as written in descriptions, comments and articles) to sanitised HTML. `files`:
 * the content addresses the text may show as images (an article's own files).
 */
export function renderMarkdown(source: string, files: readonly string[] = []): string {
  showing = new Set(files.map((f) => f.toLowerCase()));
  try {
    const html = marked.parse(source ?? '') as string;
    return purifier().sanitize(html, MARKDOWN_CONFIG) as string;
  } finally {
    showing = new Set();
  }
}

/** Search highlights from the core: escaped text with <mark>; anything else is dropped. */
export function sanitizeHighlight(html: string): string {
  return purifier().sanitize(html ?? '', { ALLOWED_TAGS: ['mark'], ALLOWED_ATTR: [] }) as string;
}
