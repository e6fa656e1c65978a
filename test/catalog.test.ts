import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_CAPABILITIES } from '../src/upstream/capabilities.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('what a UI needs to build its form', () => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp();
  });
  afterAll(() => gateway.stop());

  it('lists every model with the capability map the validation uses', async () => {
    const data = await gateway.client.expectData<{
      models: { name: string; durations: number[]; sound: { modes: string[]; durations: number[] } | null }[];
    }>('{ models { name durations sound { modes durations } } }');

    expect(data.models.map((model) => model.name)).toEqual([
      'KLING_V1',
      'KLING_V1_5',
      'KLING_V1_6',
      'KLING_V2_MASTER',
      'KLING_V2_1',
      'KLING_V2_1_MASTER',
      'KLING_V2_5_TURBO',
      'KLING_V2_6',
      'KLING_V3',
    ]);
    const v26 = data.models.find((model) => model.name === 'KLING_V2_6');
    expect(v26?.sound).toEqual({ modes: ['PRO'], durations: [5, 10] });
    const v3 = data.models.find((model) => model.name === 'KLING_V3');
    expect(v3?.durations).toEqual([...MODEL_CAPABILITIES['kling-v3'].durations]);
  });

  it('lists the provider preset voices read through the upstream client', async () => {
    const data = await gateway.client.expectData<{
      presetVoices: { id: string; name: string; ownedBy: string }[];
    }>('{ presetVoices { id name ownedBy } }');
    expect(data.presetVoices.length).toBeGreaterThan(0);
    for (const voice of data.presetVoices) {
      expect(voice.id).toMatch(/^\d+$/);
      expect(voice.ownedBy).toBe('kling');
    }
  });
});
