/**
 * The provider's preset voices, usable as `voices[].voiceId`. The list changes rarely, so one read
 * serves every viewer for a while; a failed read is not kept.
 */
import type { KlingClient } from '../upstream/client.js';
import type { WireVoice } from '../upstream/wire.js';

export interface Voice {
  id: string;
  name: string;
  /** A sample to listen to. */
  trialUrl: string | null;
  /** `kling` for the provider's own voices. */
  ownedBy: string | null;
}

export interface PresetVoiceCatalog {
  list(): Promise<Voice[]>;
}

/** @param ttlMs how long one read is served, ms */
export function createPresetVoiceCatalog(kling: KlingClient, ttlMs = 10 * 60_000): PresetVoiceCatalog {
  let cached: { voices: Promise<Voice[]>; expiresAt: number } | undefined;
  return {
    list() {
      if (cached === undefined || cached.expiresAt <= Date.now()) {
        const voices = kling.listPresetVoices().then((wire) => wire.map(voiceFromWire));
        cached = { voices, expiresAt: Date.now() + ttlMs };
        voices.catch(() => {
          cached = undefined;
        });
      }
      return cached.voices;
    },
  };
}

export function listPresetVoices(ctx: { presetVoices: PresetVoiceCatalog }): Promise<Voice[]> {
  return ctx.presetVoices.list();
}

function voiceFromWire(voice: WireVoice): Voice {
  return {
    id: voice.voice_id,
    name: voice.voice_name,
    trialUrl: voice.trial_url ?? null,
    ownedBy: voice.owned_by ?? null,
  };
}
