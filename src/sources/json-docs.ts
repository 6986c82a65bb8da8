import { errorInOneLine, InputError } from '../errors.js';

/** Parses one JSON document or several back to back (QMP transcripts are JSON lines). */
export function parseJsonDocuments(text: string, where: string): unknown[] {
  const trimmed = text.trim();
  try {
    return [JSON.parse(trimmed)];
  } catch {
    // fall through: maybe several documents
  }
  const docs: unknown[] = [];
  let depth = 0,
    start = -1,
    inString = false,
    escaped = false;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) {
        try {
          docs.push(JSON.parse(trimmed.slice(start, i + 1)));
        } catch (e) {
          // JSON.parse quotes the input in its message, newlines and all: keep the error one line
          throw new InputError(where, `invalid JSON document at offset ${start}: ${errorInOneLine(e)}`);
        }
      } else if (depth < 0) throw new InputError(where, `unbalanced "${c}" at offset ${i}`);
    } else if (depth === 0 && !/\s/.test(c)) throw new InputError(where, `expected JSON, found "${c}" at offset ${i}`);
  }
  if (depth !== 0) throw new InputError(where, 'truncated JSON (unclosed object or array)');
  if (!docs.length) throw new InputError(where, 'no JSON document; expected a JSON object or array');
  return docs;
}

export function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}
