import type { Preview } from '../recipients/validate-campaign.js';

/**
 * The first message as the recipient reads it, for validate's report and send's confirmation:
 * the spec's body with the row's values, or, without a body, the rendered components.
 */
export function previewLines(preview: Preview, csv: string, heading = 'Preview: the message to'): string[] {
  const lines = [`${heading} ${preview.phone} (${csv}:${preview.line})`];
  if (preview.body !== undefined) {
    for (const line of preview.body.trimEnd().split('\n')) lines.push(`  │ ${line}`);
  } else {
    lines.push(`  ${JSON.stringify(preview.template.components ?? [])}`);
    lines.push('  (add a "body" to the spec to see the text as the recipient reads it)');
  }
  return lines;
}
