import { expect, it } from 'vitest';
import { newCorrelationVector } from '../../src/push/raw-sender.js';

it('gives every request its own well-formed MS-CV, also across refills of the random pool', () => {
  const vectors = Array.from({ length: 600 }, () => newCorrelationVector()); // the pool holds 256
  for (const cv of vectors) expect(cv).toMatch(/^[A-Za-z0-9+/]{22}\.0$/);
  expect(new Set(vectors).size).toBe(vectors.length);
});
