import { describe, it } from 'vitest';
import { postgresBackend } from '../support/databases.js';
import { storeConformance } from './conformance.js';

// Throws (failing this file) when PostgreSQL is unreachable and REQUIRE_POSTGRES=1.
const backend = await postgresBackend();

if (backend.available) {
  describe('store conformance [postgres]', () => storeConformance(backend));
} else {
  describe('store conformance [postgres]', () => {
    it.skip(`skipped: ${backend.reason} (set DATABASE_URL, or REQUIRE_POSTGRES=1 to make this fail)`, () => undefined);
  });
}
