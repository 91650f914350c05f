import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, MedicError } from '../../domain/errors.js';

export interface PromptTemplates {
  system: string;
  user: string;
  repair: string;
  /** Changes whenever any template changes: recorded with every draft. */
  version: string;
}

export const PROMPT_FILES = {
  system: 'draft-system.md',
  user: 'draft-user.md',
  repair: 'repair.md',
} as const;

async function fingerprint(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('hex').slice(0, 12);
}

/** Reads prompts/draft-system.md, draft-user.md and repair.md from `dir`. */
export async function loadPromptTemplates(dir: string): Promise<PromptTemplates> {
  const read = async (file: string): Promise<string> => {
    try {
      return await readFile(join(dir, file), 'utf8');
    } catch (error) {
      throw new MedicError(
        ErrorCodes.config,
        `cannot read prompt template ${join(dir, file)}`,
        { dir, file },
        { cause: error },
      );
    }
  };
  const [system, user, repair] = await Promise.all([
    read(PROMPT_FILES.system),
    read(PROMPT_FILES.user),
    read(PROMPT_FILES.repair),
  ]);
  return { system, user, repair, version: `prompts-${await fingerprint(system + user + repair)}` };
}

/**
 * Replaces `{{name}}` with values[name] in one pass, so a value that itself contains `{{...}}` (for
 * example a log line) is never expanded. An unknown placeholder is an error in the template.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([a-zA-Z_][\w]*)\s*\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new MedicError(ErrorCodes.config, `prompt template uses {{${name}}}, which has no value`, {
        name,
      });
    }
    return value;
  });
}
