// What the server's ready line says about the live lab: where the page is, when --lab is on.
import type { ServerConfig } from '../config.ts';

export interface LabReadyNote {
  /** Appended to the ready message: "; live lab at http://127.0.0.1:3000/lab", or nothing. */
  text: string;
  /** Added to the ready line's fields (`lab_url` in JSON logs), or nothing. */
  fields: { lab_url?: string };
}

export function labReadyNote(config: Pick<ServerConfig, 'labUi'>, url: string): LabReadyNote {
  if (!config.labUi) return { text: '', fields: {} };
  const labUrl = `${url}/lab`;
  return { text: `; live lab at ${labUrl}`, fields: { lab_url: labUrl } };
}
