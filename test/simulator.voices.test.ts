/**
 * Voices for voice_list: Kling's presets as task-shaped objects, and custom voices an account
 * clones (from an audio URL or a kling-v2-6 video with sound), usable only by that account.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCOUNT,
  type KlingSimulator,
  PRESET_VOICES,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { type KlingHttp, klingHttp } from './helpers/kling-http.js';

const PRESETS = '/v1/general/presets-voices';
const CUSTOM = '/v1/general/custom-voices';
const TASKS = '/v1/videos/image2video';
const OTHER_ACCOUNT = { accessKey: 'other-access-key', secretKey: 'other-secret-key' };

let simulator: KlingSimulator;
let kling: KlingHttp;
beforeEach(async () => {
  simulator = await startKlingSimulator({ timings: 'manual', accounts: [DEFAULT_ACCOUNT, OTHER_ACCOUNT] });
  kling = klingHttp(simulator.url, DEFAULT_ACCOUNT);
});
afterEach(() => simulator.stop());

type VoiceTask = { task_result: { voices: Record<string, string>[] } };
const voicesOf = (data: unknown) => (data as VoiceTask[]).flatMap((task) => task.task_result.voices);
const withVoice = (voiceId: string) => ({
  image: 'https://example.com/a.png',
  model_name: 'kling-v2-6',
  mode: 'pro',
  sound: 'on',
  prompt: '<<<voice_1>>> says hello',
  voice_list: [{ voice_id: voiceId }],
});

describe('preset voices', () => {
  it('lists task-shaped objects with 18-digit ids owned by kling, and pages them', async () => {
    const voices = voicesOf((await kling.get(PRESETS)).envelope.data);
    expect(voices).toHaveLength(PRESET_VOICES.length);
    expect(voices[0]).toEqual({
      voice_id: expect.stringMatching(/^\d{18}$/),
      voice_name: expect.any(String),
      trial_url: expect.stringMatching(/\.mp3$/),
      owned_by: 'kling',
    });
    expect(voicesOf((await kling.get(`${PRESETS}?pageNum=2&pageSize=5`)).envelope.data)).toHaveLength(
      PRESET_VOICES.length - 5,
    );
    expect((await kling.get(`${PRESETS}?pageSize=1001`)).envelope.code).toBe(1201);
    expect((await fetch(String(voices[0]?.trial_url))).status).toBe(200);
  });

  it('is a `voices` fault target', async () => {
    simulator.injectFault({ on: 'voices', fault: { type: 'error', code: 5001 } });
    expect((await kling.get(PRESETS)).envelope.code).toBe(5001);
  });
});

describe('custom voices', () => {
  it('clones from an audio URL; the voice is then readable, listable and usable by its account only', async () => {
    const created = await kling.post(CUSTOM, {
      voice_name: 'Narrator',
      voice_url: 'https://example.com/me.wav',
      external_task_id: 'kg-voice-1',
    });
    expect(created.data).toMatchObject({
      task_status: 'submitted',
      task_info: { external_task_id: 'kg-voice-1' },
    });

    const byId = await kling.get(`${CUSTOM}/${String(created.data.task_id)}`);
    const byExternalId = await kling.get(`${CUSTOM}/kg-voice-1`);
    expect(byExternalId.data).toEqual(byId.data);
    const [voice] = voicesOf([byId.data]);
    expect(byId.data).toMatchObject({ task_status: 'succeed', final_unit_deduction: '0.05' });
    expect(voice).toMatchObject({ voice_id: expect.stringMatching(/^\d{18}$/), voice_name: 'Narrator' });
    expect(voice?.owned_by).not.toBe(DEFAULT_ACCOUNT.accessKey);
    expect(voicesOf((await kling.get(CUSTOM)).envelope.data)).toEqual([voice]);

    const voiceId = String(voice?.voice_id);
    expect((await kling.post(TASKS, withVoice(voiceId))).envelope.code).toBe(0);
    const elsewhere = await klingHttp(simulator.url, OTHER_ACCOUNT).post(TASKS, withVoice(voiceId));
    expect(elsewhere.envelope).toMatchObject({ code: 1201, message: `voice_id '${voiceId}' not found` });
  });

  it('clones from a kling-v2-6 video made with sound, and refuses other videos', async () => {
    const made = await kling.post(TASKS, { ...withVoice(PRESET_VOICES[0].voice_id) });
    simulator.advanceTask(String(made.data.task_id), 'succeed');
    const { data: task } = await kling.get(`${TASKS}/${String(made.data.task_id)}`);
    const videoId = (task.task_result as { videos: { id: string }[] }).videos[0]?.id;

    expect((await kling.post(CUSTOM, { voice_name: 'From video', video_id: videoId })).envelope.code).toBe(0);
    const unknown = await kling.post(CUSTOM, { voice_name: 'Other', video_id: '123456789012345678' });
    expect(unknown.envelope).toMatchObject({
      code: 1201,
      message: "video_id value '123456789012345678' is invalid",
    });
  });

  it.each<[string, Record<string, unknown>, string | RegExp]>([
    ['no name', { voice_url: 'https://example.com/a.mp3' }, 'voice_name can not be null'],
    [
      'a name over 20 characters',
      { voice_name: 'x'.repeat(21), voice_url: 'https://example.com/a.mp3' },
      /must not exceed 20/,
    ],
    [
      'both sources',
      { voice_name: 'a', voice_url: 'https://example.com/a.mp3', video_id: '1' },
      /exactly one of/,
    ],
    ['no source', { voice_name: 'a' }, /exactly one of/],
    ['an unsupported file', { voice_name: 'a', voice_url: 'https://example.com/a.ogg' }, /voice_url value/],
  ])('refuses %s with 1201', async (_case, body, message) => {
    const answer = await kling.post(CUSTOM, body);
    expect([answer.status, answer.envelope.code]).toEqual([400, 1201]);
    expect(answer.envelope.message).toEqual(
      typeof message === 'string' ? message : expect.stringMatching(message),
    );
  });

  it('refuses a duplicate name, and deletes a voice so it can no longer be used', async () => {
    const source = { voice_name: 'Twin', voice_url: 'https://example.com/a.mp3' };
    const { data } = await kling.post(CUSTOM, source);
    expect((await kling.post(CUSTOM, source)).envelope.message).toBe("voice_name 'Twin' already exists");

    const [voice] = voicesOf([(await kling.get(`${CUSTOM}/${String(data.task_id)}`)).data]);
    const voiceId = String(voice?.voice_id);
    expect((await kling.post('/v1/general/delete-voices', { voice_id: voiceId })).envelope.code).toBe(0);
    expect((await kling.post(TASKS, withVoice(voiceId))).envelope.message).toBe(
      `voice_id '${voiceId}' not found`,
    );
  });
});
