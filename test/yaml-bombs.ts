/** The "billion laughs" in YAML: ten lines, nine aliases each, 10^9 strings once expanded. */
export function billionLaughs(): string {
  const lines = ['lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++) lines.push(`lol${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}
