import { writeFileSync } from 'node:fs';

/** Prints to stdout or writes a file (the CLI's -o). */
export function output(text: string, file?: string): void {
  const body = text.endsWith('\n') ? text : text + '\n';
  if (file && file !== '-') writeFileSync(file, body);
  else process.stdout.write(body);
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
