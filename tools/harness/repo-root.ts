// The repository's root: runtime entries name their scripts relative to it (adapters/node/main.ts).
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
