/**
 * JSON for a terminal or a file: JSON.stringify leaves DEL, the C1 controls (U+0080-U+009F, where
 * U+009B acts as a terminal's CSI), the line and paragraph separators and the bidirectional
 * overrides raw inside strings. They become \uXXXX escapes, which every JSON parser reads back as
 * the same character, so the output is still exactly the data and nothing in it acts on a terminal.
 * (safeText's `\x85` form would make the JSON invalid.) Runs in Node and the browser.
 */

/**
 * What JSON.stringify leaves raw: safe-text.ts's UNSAFE_CHARS without the C0 controls, which it
 * escapes itself inside strings (outside them the only ones are layout newlines). Matching those
 * too made the replace call back once per line and rebuild the text: 2 million times and some
 * 200 MB for the JSON of 40,000 hosts. A test checks this class against UNSAFE_CHARS.
 */
export const RAW_IN_JSON = /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const escapeUnicode = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON.stringify(value, null, space) with every control or format character escaped as \uXXXX, then
 * `end` (a final newline: added before the one pass over the text, which copies it once, where adding
 * it after would make the next reader copy the whole text again).
 */
export function safeJson(value: unknown, space: number = 2, end: string = ''): string {
  // Outside strings JSON text holds only structure, digits and layout whitespace, so every hit is inside one
  return ((JSON.stringify(value, null, space) ?? 'null') + end).replace(RAW_IN_JSON, escapeUnicode);
}
