/**
 * Wraps words after a label to `width` columns; continuation lines are indented to the label's width
 * (a hanging indent). `sep` joins words on a line (' ' for prose, '' for -cpu pieces that end in ',').
 */
export function hanging(label: string, words: readonly string[], width: number, sep = ' '): string[] {
  const indent = ' '.repeat(label.length);
  const lines: string[] = [];
  let cur = label;
  let empty = true;
  for (const w of words) {
    if (!empty && cur.length + sep.length + w.length > width) {
      lines.push(cur.trimEnd());
      cur = indent + w;
    } else cur = empty ? cur + w : cur + sep + w;
    empty = false;
  }
  lines.push(cur.trimEnd());
  return lines;
}
