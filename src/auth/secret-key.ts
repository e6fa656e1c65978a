/**
 * A shared secret that cannot leak through a log line: JSON (pino included), String() and
 * util.inspect all print "[redacted]". Only the verifier reads the bytes.
 */
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

export class SecretKey {
  readonly #bytes: Uint8Array;

  constructor(secret: string) {
    this.#bytes = new TextEncoder().encode(secret);
  }

  /** The key bytes, for jose. */
  reveal(): Uint8Array {
    return this.#bytes;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `SecretKey ${REDACTED}`;
  }
}
