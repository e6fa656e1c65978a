/** Reading JSON of unknown shape, as request bodies arrive. */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON `null` and a missing key mean the same to the provider: not set. */
export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** The main prompt and every multi-shot prompt of a create body, whatever its shape. */
export function promptsOf(body: unknown): string[] {
  if (!isRecord(body)) return [];
  const prompts = typeof body.prompt === 'string' ? [body.prompt] : [];
  const shots: unknown = body.multi_prompt;
  if (Array.isArray(shots)) {
    for (const shot of shots) {
      if (isRecord(shot) && typeof shot.prompt === 'string') prompts.push(shot.prompt);
    }
  }
  return prompts;
}
