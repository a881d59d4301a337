/** Image datasets as plain arrays: NHWC float32 pixels in [0, 1] and integer labels, split into train and test. */

export interface ImageSet {
  /** count × size × size × channels, row-major (NHWC), values in [0, 1]. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface Dataset {
  /** As the user named it (`mnist`, `folder:/data/pets`, …). */
  readonly name: string;
  readonly classes: number;
  readonly channels: number;
  /** Square side of the stored images, in pixels. */
  readonly size: number;
  readonly train: ImageSet;
  readonly test: ImageSet;
  readonly classNames?: readonly string[];
}

/**
 * Arrays for a set's images and labels; in SharedArrayBuffers when `shared` (then worker threads see this memory
 * rather than copies, `shareDataset`), allocated there at once rather than copied there later.
 */
export function setArrays(count: number, pixelsPerImage: number, shared: boolean): { images: Float32Array; labels: Int32Array } {
  const bytes = (n: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  return { images: new Float32Array(bytes(count * pixelsPerImage * 4)), labels: new Int32Array(bytes(count * 4)) };
}

/** Concatenate per-class image lists into one set, keeping class order. */
export function imageSet(perClass: readonly (readonly Float32Array[])[], pixelsPerImage: number, shared = false): ImageSet {
  const count = perClass.reduce((n, images) => n + images.length, 0);
  const { images, labels } = setArrays(count, pixelsPerImage, shared);
  let i = 0;
  perClass.forEach((list, label) => {
    for (const image of list) {
      images.set(image, i * pixelsPerImage);
      labels[i++] = label;
    }
  });
  return { images, labels, count };
}
