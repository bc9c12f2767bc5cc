import { describe } from 'vitest';
import { sqliteBackend } from '../support/databases.js';
import { storeConformance } from './conformance.js';

describe('store conformance [sqlite]', () => storeConformance(sqliteBackend));
