import type { Readable } from 'node:stream';
import type Sharp from 'sharp';

// sharp (and libvips) load with the first thumb, not at start-up: most processes never make one.
let loaded: typeof Sharp | undefined;
const sharp = (): typeof Sharp => {
  loaded ??= require('sharp') as typeof Sharp;
  return loaded;
};

/** The image types PocketBase makes thumbs of; others are served as they are. */
export const THUMBABLE_TYPES = new Set(['image/png', 'image/jpg', 'image/jpeg', 'image/gif', 'image/webp']);

/** Every field may ask for this size, listed or not (PocketBase's default thumb). */
export const DEFAULT_THUMB_SIZES = ['100x100'];

// A listed size may still be absurd (`99999x99999`): past this many pixels the original is served.
const MAX_THUMB_PIXELS = 4096 * 4096;

/**
 * The sharp pipeline for a thumb size, as PocketBase's `CreateThumb`: `WxH` crops from the
 * center, `WxHt`/`WxHb` from the top/bottom, `WxHf` fits inside, `0xH`/`Wx0` keep the ratio.
 * `null` for a size it does not make.
 */
export function thumbPipeline(size: string): Sharp.Sharp | null {
  const match = /^(\d+)x(\d+)(t|b|f)?$/.exec(size);
  if (!match) return null;
  const width = Number(match[1]);
  const height = Number(match[2]);
  const mode = match[3];
  if ((width === 0 && height === 0) || Math.max(width, 1) * Math.max(height, 1) > MAX_THUMB_PIXELS) return null;
  // Animated GIFs thumb to their first frame, as PocketBase's decoder reads them.
  const image = sharp()({ failOn: 'error', limitInputPixels: 100_000_000 });
  if (width === 0 || height === 0) {
    return image.resize(width || undefined, height || undefined, { fit: 'inside' });
  }
  if (mode === 'f') return image.resize(width, height, { fit: 'inside', withoutEnlargement: true });
  const position = mode === 't' ? 'top' : mode === 'b' ? 'bottom' : 'centre';
  return image.resize(width, height, { fit: 'cover', position });
}

/** The thumb's bytes, in the original's format (thumbs are small; originals stream in). */
export function makeThumb(original: Readable, pipeline: Sharp.Sharp): Promise<Buffer> {
  original.on('error', (error) => pipeline.destroy(error));
  return original.pipe(pipeline).toBuffer();
}
