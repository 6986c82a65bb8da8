/**
 * JSON for a terminal or a file: JSON.stringify leaves DEL, the C1 controls (U+0080-U+009F, where
 * U+009B acts as a terminal's CSI), the line and paragraph separators and the bidirectional
 * overrides raw inside strings. They become \uXXXX escapes, which every JSON parser reads back as
 * the same character, so the output is still exactly the data and nothing in it acts on a terminal.
 * (safeText's `\x85` form would make the JSON invalid.) Runs in Node and the browser.
 */
import { UNSAFE_CHARS } from './safe-text.js';

// C0 controls never appear raw in JSON.stringify's strings (it escapes them): those hits are layout
const escapeUnicode = (c: string) => (c < ' ' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** JSON.stringify(value, null, space) with every control or format character escaped as \uXXXX. */
export function safeJson(value: unknown, space: number = 2): string {
  // Outside strings JSON text holds only structure, digits and layout whitespace, so every other hit is inside one
  return (JSON.stringify(value, null, space) ?? 'null').replace(UNSAFE_CHARS, escapeUnicode);
}
