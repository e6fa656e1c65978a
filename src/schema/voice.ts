/** Voices a video can speak with (`voices`), and the provider's preset voices to pick them from. */
import { listPresetVoices, type Voice as VoiceShape } from '../resolvers/preset-voices.js';
import { builder } from './builder.js';

export const VoiceInput = builder.inputType('VoiceInput', {
  description:
    'A voice for the video. A prompt refers to it as `<<<voice_1>>>`, `<<<voice_2>>>`…: its 1-based position in `voices`.',
  fields: (t) => ({
    voiceId: t.string({
      required: true,
      description:
        'A preset voice `id` (see `presetVoices`) or a custom voice id of the provider account. Not a lip-sync or text-to-speech voice id.',
    }),
  }),
});

export const Voice = builder.objectRef<VoiceShape>('Voice').implement({
  description: 'A voice of the provider, usable as `voices[].voiceId`.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The id to send as `voiceId`.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    trialUrl: t.exposeString('trialUrl', { nullable: true, description: 'A sample to listen to.' }),
    ownedBy: t.exposeString('ownedBy', {
      nullable: true,
      description: '`kling` for the provider’s preset voices, otherwise the creator’s id.',
    }),
  }),
});

builder.queryField('presetVoices', (t) =>
  t.field({
    type: [Voice],
    description: 'The provider’s preset voices (read from the provider, cached for a few minutes).',
    resolve: (_root, _args, ctx) => listPresetVoices(ctx),
  }),
);
