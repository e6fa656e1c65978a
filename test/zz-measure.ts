import fc from 'fast-check';
import { validateImageToVideoInput } from '../src/resolvers/validate-image-to-video-input.js';
import { contentImage, formImage, typedInput } from './fixtures/fuzz-inputs.js';

for (const images of [formImage, contentImage]) {
  const t = Date.now();
  const samples = fc.sample(typedInput(images), 3000);
  const ms1 = Date.now() - t;
  let ok = 0;
  const counts = new Map<string, number>();
  for (const s of samples) {
    const r = validateImageToVideoInput(s);
    if (r.ok) ok++;
    else
      for (const i of [...new Map(r.issues.map((x) => [x.path.slice(0, 2).join('.'), x])).values()])
        counts.set(i.path.slice(0, 2).join('.'), (counts.get(i.path.slice(0, 2).join('.')) ?? 0) + 1);
  }
  console.log(
    'gen ms',
    ms1,
    'validate ms',
    Date.now() - t - ms1,
    'ok',
    ok,
    [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12),
  );
}
