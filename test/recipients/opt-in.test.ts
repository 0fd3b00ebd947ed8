import { expect, it } from 'vitest';
import { isOptedIn } from '../../src/recipients/opt-in.js';

it.each(['yes', 'YES', ' y ', 'True', '1', 'opted_in', 'Opted_In'])('%j is consent', (value) => {
  expect(isOptedIn(value)).toBe(true);
});

it.each(['', 'no', 'n', '0', 'false', 'maybe', 'yes please', 'opted in', undefined])('%j is not consent', (value) => {
  expect(isOptedIn(value)).toBe(false);
});
