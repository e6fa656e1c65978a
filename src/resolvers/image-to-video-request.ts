/**
 * The two shapes of an image-to-video request inside the gateway: the raw GraphQL input (nullable
 * everywhere, as GraphQL delivers it) and the validated request with the provider's defaults
 * applied, which is what the database stores and every (re)submission sends.
 */
import type {
  CameraAxis,
  CameraControlType,
  KlingModelName,
  ShotType,
  VideoMode,
} from '../upstream/capabilities.js';

/** `ImageToVideoInput` as GraphQL hands it to a resolver; enum values are already the provider's. */
export interface ImageToVideoInput {
  model?: KlingModelName | null | undefined;
  image?: string | null | undefined;
  imageTail?: string | null | undefined;
  prompt?: string | null | undefined;
  negativePrompt?: string | null | undefined;
  voices?: readonly { voiceId: string }[] | null | undefined;
  sound?: boolean | null | undefined;
  cfgScale?: number | null | undefined;
  mode?: VideoMode | null | undefined;
  staticMask?: string | null | undefined;
  dynamicMasks?:
    | readonly { mask: string; trajectories: readonly { x: number; y: number }[] }[]
    | null
    | undefined;
  multiShot?: boolean | null | undefined;
  shotType?: ShotType | null | undefined;
  shots?: readonly { index: number; prompt: string; duration: number }[] | null | undefined;
  cameraControl?:
    | {
        type: CameraControlType;
        config?: { [axis in CameraAxis]?: number | null | undefined } | null | undefined;
      }
    | null
    | undefined;
  duration?: number | null | undefined;
  watermark?: boolean | null | undefined;
}

export interface ShotRequest {
  /** 1-based position in the storyboard. */
  index: number;
  prompt: string;
  /** Seconds. */
  duration: number;
}

export interface DynamicMaskRequest {
  mask: string;
  /** Pixel coordinates, origin at the bottom-left of the input image. */
  trajectories: { x: number; y: number }[];
}

export interface CameraControlRequest {
  type: CameraControlType;
  /** Present only for `simple`: the one non-zero axis, in [-10, 10]. */
  config?: Partial<Record<CameraAxis, number>>;
}

/** A validated request with every provider default made explicit. */
export interface ImageToVideoRequest {
  model: KlingModelName;
  mode: VideoMode;
  /** Seconds. */
  duration: number;
  image?: string;
  imageTail?: string;
  prompt?: string;
  negativePrompt?: string;
  voiceIds: string[];
  sound: boolean;
  /** Left out when the client did not set it, so the provider applies its own default (0.5). */
  cfgScale?: number;
  staticMask?: string;
  dynamicMasks: DynamicMaskRequest[];
  multiShot: boolean;
  shotType?: ShotType;
  shots: ShotRequest[];
  cameraControl?: CameraControlRequest;
  watermark: boolean;
}
