// Writes a synthetic recipients CSV for benchmarks: a realistic mix of countries and formats
// (E.164, 00-prefixed, national with a country column), names with accents and emoji, and about
// 1.5 % of rows a marketer would have to fix (no consent, duplicates, bad numbers).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const NAMES = ['Ana', 'Ben', 'Chloé', 'Jürgen', 'Élodie', 'José', 'João', 'Νίκος', 'Priya 🌸', 'Mia "Mimi"'];

/** The i-th phone cell and its country column. Every pattern gives a distinct, valid number per i. */
function phoneCell(i) {
  const n = String(i).padStart(8, '0');
  switch (i % 8) {
    case 0: return [`+4474${n}`, ''];
    case 1: return [`+49151${n}`, ''];
    case 2: return [`06 ${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6)}`, 'FR'];
    case 3: return [`+34 6${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}`, ''];
    case 4: return [`+55 11 9${n.slice(0, 4)}-${n.slice(4)}`, ''];
    case 5: return [`0091 9${n.slice(0, 4)} ${n.slice(4)}0`, ''];
    case 6: return [`+52 55 ${n.slice(0, 4)} ${n.slice(4)}`, ''];
    default: return [`074${n}`, 'GB'];
  }
}

function csvCell(text) {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export async function generateCampaign(file, rows) {
  const out = createWriteStream(file, { mode: 0o600 });
  let buffer = 'phone,opt_in,first_name,code,country\n';
  for (let i = 1; i <= rows; i++) {
    let [phone, country] = phoneCell(i);
    let optIn = 'yes';
    if (i % 200 === 0) optIn = 'no';
    if (i % 200 === 1 && i > 1) [phone, country] = phoneCell(i - 1); // a duplicate
    if (i % 500 === 7) phone = '+44 7400 12'; // a bad number
    buffer += `${csvCell(phone)},${optIn},${csvCell(NAMES[i % NAMES.length])},SPRING-${i},${country}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

export const BENCH_SPEC = `name: bench_code
language: en_GB
category: utility
body: "Hi {{1}}, your code is {{2}}"
components:
  - type: body
    parameters:
      - { type: text, text: "{{first_name}}" }
      - { type: text, text: "{{code}}" }
`;

/**
 * The emulated account's templates for the benchmarks (`emulator --templates`): the one BENCH_SPEC
 * sends, approved, so that the emulator's template checks pass as they would for a real campaign.
 */
export const BENCH_TEMPLATES = `templates:
  - name: bench_code
    language: en_GB
    status: APPROVED
    category: UTILITY
    parameter_format: POSITIONAL
    components:
      - type: BODY
        text: "Hi {{1}}, your code is {{2}}"
        example:
          body_text: [["Ana", "SPRING-1"]]
`;
