/**
 * The one sanitizer for text from outside (host names, model names, file names, node names,
 * remote error messages) on its way to a terminal or into a config: control characters and
 * bidirectional overrides are shown escaped (`\x1b`, `\u202e`) instead of acting on the terminal.
 * Runs in Node and the browser.
 */

// C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
/** Every character that must not reach a terminal or a config raw (global: use with replace). */
export const UNSAFE_CHARS = UNSAFE;
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Multi-line text (tables, configs, reports): newlines and tabs stay, every other control is escaped. */
export function safeText(s: string): string {
  return s.replace(UNSAFE_BUT_LAYOUT, escapeChar);
}

/** One line (an error message, a name in a sentence): newlines are escaped too, so nothing is cut. */
export function safeLine(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}
