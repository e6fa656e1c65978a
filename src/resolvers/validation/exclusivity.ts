/** At most one of imageTail, motion brush and cameraControl per request (kling-api.md 3.2 rule 2). */
import { MOTION_BRUSH_LABEL, motionBrushPath } from './motion-brush.js';
import { type CrossFieldRule, issue } from './rule.js';

interface Feature {
  readonly label: string;
  readonly path: string;
}

/** Reported on each feature after the first one present, naming the others. */
export const exclusivityRules: CrossFieldRule = ({ request }) => {
  const brushPath = motionBrushPath(request);
  const present: Feature[] = [
    ...(request.imageTail === undefined ? [] : [{ label: 'imageTail', path: 'imageTail' }]),
    ...(brushPath === undefined ? [] : [{ label: MOTION_BRUSH_LABEL, path: brushPath }]),
    ...(request.cameraControl === undefined ? [] : [{ label: 'cameraControl', path: 'cameraControl' }]),
  ];
  return present.slice(1).map((feature) => {
    const others = present.filter((other) => other !== feature).map((other) => other.label);
    return issue(
      [feature.path],
      `${feature.label} cannot be combined with ${others.join(' or ')}: ` +
        'imageTail, motion brush and cameraControl are mutually exclusive, send at most one',
    );
  });
};
