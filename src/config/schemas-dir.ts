import { fileURLToPath } from 'node:url';

/** Absolute path of the repository's schemas/ folder (JSON Schemas and the OpenAPI document). */
export const schemasDir = fileURLToPath(new URL('../../schemas/', import.meta.url));
