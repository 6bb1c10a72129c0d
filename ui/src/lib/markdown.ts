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

/** Markdown (as written in descriptions and comments) to sanitised HTML. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source ?? '') as string;
  return purifier().sanitize(html, MARKDOWN_CONFIG) as string;
}

/** Search highlights from the core: escaped text with <mark>; anything else is dropped. */
export function sanitizeHighlight(html: string): string {
  return purifier().sanitize(html ?? '', { ALLOWED_TAGS: ['mark'], ALLOWED_ATTR: [] }) as string;
}
