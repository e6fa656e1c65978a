/**
 * Result files, so the URLs in task results and voice trials resolve. Bodies are tiny stand-ins:
 * an MP4 `ftyp` box and an empty ID3 tag.
 */
import type { ServerResponse } from 'node:http';
import type { SimulatorContext } from './context.js';
import { writeRaw } from './http.js';

const MP4 = Buffer.from('000000186674797069736f6d0000020069736f6d6d703431', 'hex');
const MP3 = Buffer.from('49443304000000000000', 'hex');

/** Answers `/videos/<id>.mp4` and `/voices/<id>.mp3`; false for any other path. */
export function serveMedia(
  ctx: SimulatorContext,
  method: string,
  path: string,
  res: ServerResponse,
): boolean {
  const video = /^\/videos\/(\d+)(?:-wm)?\.mp4$/.exec(path);
  const voice = /^\/voices\/(\d+)\.mp3$/.exec(path);
  if (video === null && voice === null) return false;
  if (method !== 'GET' && method !== 'HEAD') {
    writeRaw(res, 405, 'text/plain', 'method not allowed');
    return true;
  }
  const videoId = video?.[1];
  const voiceId = voice?.[1];
  if (videoId !== undefined && ctx.store.findVideo(videoId)) writeRaw(res, 200, 'video/mp4', MP4);
  else if (voiceId !== undefined && ctx.voices.isKnownAnywhere(voiceId))
    writeRaw(res, 200, 'audio/mpeg', MP3);
  else writeRaw(res, 404, 'text/plain', 'not found');
  return true;
}
