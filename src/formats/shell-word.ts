/** POSIX shell syntax for the commands migratable prints for a user to run. */

/** `word` as one shell word: unchanged when it holds only characters no shell treats specially, else single-quoted. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
