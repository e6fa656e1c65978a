/**
 * Voices for `voice_list` (kling-api.md 8): Kling's preset voices as data, and custom voices an
 * account clones. Ids are 18-digit numeric strings, like the provider's.
 */
import { createHash } from 'node:crypto';

export interface CustomVoice {
  readonly account: string;
  readonly taskId: string;
  readonly externalTaskId: string | undefined;
  readonly voiceId: string;
  readonly voiceName: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Stable across runs, so a standalone simulator's ids stay valid in a gateway's database. */
export const PRESET_VOICES = [
  { voice_id: '850087542757535834', voice_name: 'Warm Narrator' },
  { voice_id: '837076832956186666', voice_name: 'Bright Girl' },
  { voice_id: '829824295735410756', voice_name: 'Calm Gentleman' },
  { voice_id: '831672094428201953', voice_name: 'Energetic Host' },
  { voice_id: '846920031785529410', voice_name: 'Gentle Grandma' },
  { voice_id: '852317046690125187', voice_name: 'Young Boy' },
  { voice_id: '840558823117093376', voice_name: 'Movie Trailer' },
  { voice_id: '858204416739208661', voice_name: 'Soft Whisper' },
] as const;

/** When the presets were "made": fixed, so their task objects never change. */
const PRESETS_CREATED_AT = 1_735_689_600_000;

export class VoiceStore {
  readonly #custom: CustomVoice[] = [];

  /** A preset, or a custom voice of this account. */
  isKnown(account: string, voiceId: string): boolean {
    return (
      PRESET_VOICES.some((voice) => voice.voice_id === voiceId) ||
      this.#custom.some((voice) => voice.account === account && voice.voiceId === voiceId)
    );
  }

  isKnownAnywhere(voiceId: string): boolean {
    return (
      PRESET_VOICES.some((voice) => voice.voice_id === voiceId) ||
      this.#custom.some((v) => v.voiceId === voiceId)
    );
  }

  add(voice: CustomVoice): void {
    this.#custom.push(voice);
  }

  /** By task_id or external_task_id, like a video task. */
  find(account: string, id: string): CustomVoice | undefined {
    const own = this.#custom.filter((voice) => voice.account === account);
    return own.find((voice) => voice.taskId === id) ?? own.find((voice) => voice.externalTaskId === id);
  }

  byName(account: string, voiceName: string): CustomVoice | undefined {
    return this.#custom.find((voice) => voice.account === account && voice.voiceName === voiceName);
  }

  /** Newest first. */
  list(account: string): CustomVoice[] {
    return this.#custom.filter((voice) => voice.account === account).reverse();
  }

  delete(account: string, voiceId: string): CustomVoice | undefined {
    const index = this.#custom.findIndex((voice) => voice.account === account && voice.voiceId === voiceId);
    return index === -1 ? undefined : this.#custom.splice(index, 1)[0];
  }
}

/** Presets come as task-shaped objects, one voice each. */
export function presetVoiceTasks(origin: string): object[] {
  return PRESET_VOICES.map((voice, index) => ({
    task_id: String(BigInt(voice.voice_id) + 1n),
    task_status: 'succeed',
    task_status_msg: '',
    task_info: {},
    task_result: { voices: [{ ...voice, trial_url: trialUrl(origin, voice.voice_id), owned_by: 'kling' }] },
    created_at: PRESETS_CREATED_AT + index,
    updated_at: PRESETS_CREATED_AT + index,
  }));
}

/** A custom voice as its query and list answers carry it; cloning is treated as instant. */
export function customVoiceTask(voice: CustomVoice, origin: string): object {
  return {
    task_id: voice.taskId,
    task_status: 'succeed',
    task_status_msg: '',
    task_info: voice.externalTaskId === undefined ? {} : { external_task_id: voice.externalTaskId },
    task_result: {
      voices: [
        {
          voice_id: voice.voiceId,
          voice_name: voice.voiceName,
          trial_url: trialUrl(origin, voice.voiceId),
          owned_by: ownerId(voice.account),
        },
      ],
    },
    // Observed for cloned voices (UNCERTAIN).
    final_unit_deduction: '0.05',
    created_at: voice.createdAt,
    updated_at: voice.updatedAt,
  };
}

/** A numeric creator id: the account's key itself must never appear in a body (it may be a secret). */
function ownerId(account: string): string {
  return String(createHash('sha256').update(account).digest().readUInt32BE(0));
}

function trialUrl(origin: string, voiceId: string): string {
  return `${origin}/voices/${voiceId}.mp3`;
}
