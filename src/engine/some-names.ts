/** "a, b, c, d, e and 12 more": warnings and reports stay readable for fleets of thousands (JSON keeps every name). */
export function someNames(names: string[], max = 5): string {
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}
