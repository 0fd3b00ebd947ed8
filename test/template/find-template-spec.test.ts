import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { findTemplateSpec } from '../../src/template/find-template-spec.js';
import { fixture } from '../helpers.js';

/* SPEC: without --template, `campaign.template.{yaml,yml,json}` beside `campaign.csv`, else `template.{yaml,yml,json}`. */

const CSV = 'phone,opt_in\n+14155550123,yes\n';

async function failure(csv: string): Promise<InputError> {
  const error = await findTemplateSpec(csv).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('findTemplateSpec', () => {
  it.each([
    [['campaign.template.yaml', 'campaign.template.yml', 'campaign.template.json', 'template.yaml'], 'campaign.template.yaml'],
    [['campaign.template.yml', 'campaign.template.json', 'template.yaml'], 'campaign.template.yml'],
    [['campaign.template.json', 'template.yaml'], 'campaign.template.json'],
    [['template.yaml', 'template.yml', 'template.json'], 'template.yaml'],
    [['template.yml', 'template.json'], 'template.yml'],
    [['template.json'], 'template.json'],
  ])('with %j beside campaign.csv, finds %s', async (names, found) => {
    const dir = await fixture({ 'campaign.csv': CSV, ...Object.fromEntries(names.map((name) => [name, 'name: x\n'])) });
    expect(await findTemplateSpec(path.join(dir, 'campaign.csv'))).toBe(path.join(dir, found));
  });

  it('the CSV extension is dropped whatever its case, at the end only; another extension is kept', async () => {
    const dir = await fixture({ 'Spring.CSV': CSV, 'Spring.template.yaml': 'x', 'list.txt': CSV, 'list.txt.template.json': 'x', 'a.csv.bak': CSV, 'a.csv.bak.template.yml': 'x', 'a.bak.template.yml': 'x' });
    expect(await findTemplateSpec(path.join(dir, 'Spring.CSV'))).toBe(path.join(dir, 'Spring.template.yaml'));
    expect(await findTemplateSpec(path.join(dir, 'list.txt'))).toBe(path.join(dir, 'list.txt.template.json'));
    expect(await findTemplateSpec(path.join(dir, 'a.csv.bak'))).toBe(path.join(dir, 'a.csv.bak.template.yml'));
  });

  it('a spec for another CSV is not taken', async () => {
    const dir = await fixture({ 'campaign.csv': CSV, 'other.template.yaml': 'x', 'campaign.template.txt': 'x' });
    const error = await failure(path.join(dir, 'campaign.csv'));
    const looked = ['campaign.template.yaml', 'campaign.template.yml', 'campaign.template.json', 'template.yaml', 'template.yml', 'template.json'].map((name) => path.join(dir, name));
    expect(error.message).toBe(`no template spec given and none found (looked for ${looked.join(', ')}); pass --template <spec>`);
    expect(error.location).toBeUndefined();
  });

  it('a missing CSV is named before any talk of specs', async () => {
    const dir = await fixture({ 'template.yaml': 'x' });
    const csv = path.join(dir, 'campaign.csv');
    const error = await failure(csv);
    expect(error.message).toBe('no such file');
    expect(error.location).toEqual({ file: csv });
  });
});
