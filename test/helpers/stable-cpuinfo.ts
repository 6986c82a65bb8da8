/** cpuinfo without the lines that change between two reads (current clock speed), trailing newlines trimmed. */
export function stableCpuinfo(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^cpu MHz\s*:/.test(l))
    .join('\n')
    .replace(/\n+$/, '');
}
