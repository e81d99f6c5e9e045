import { readdirSync, statSync } from 'node:fs';
import { openFileSync } from '../../../policy/open-input.js';
import { confinePath } from '../../../policy/confined-path.js';
import { currentPolicy } from '../../../policy/input-policy.js';
import { quoteInput, showInput } from '../../../policy/redact.js';
import { checkValueCount } from '../../../policy/limits.js';
import path from 'node:path';
import { DataError, UserInputError } from '../../../errors.js';
import { createRng, permutation } from '../../../util/random.js';
import type { Dataset } from '../dataset.js';
import { decodeImage, resizeInto } from '../image-decode.js';
import { scalePixels, toChannelsFirst } from '../pixels.js';
import { defineSource, type SourceContext, type SpecOf } from './source.js';

const IMAGE_FILE = /\.(png|jpe?g)$/i;
const SORTED_ORDER =
  'sorted folder names (the Keras image_dataset_from_directory default; set data.classes to change it)';

/**
 * A folder with one subfolder of images per class (Keras' image_dataset_from_directory layout). Files are listed
 * first and decoded one at a time straight into the feature array, resized to the model's input.
 */
export default defineSource({
  key: 'images',
  detect: (dir, isDir) => isDir && classFolders(dir).length > 0,
  async open(spec, ctx) {
    const root = path.resolve(ctx.baseDir, spec.images);
    const folders = classFolders(root);
    if (folders.length === 0)
      throw new DataError(
        `${root}: no class subfolders; put each class's images in its own folder (${root}/<class>/*.png)`,
      );
    const names = spec.classes ?? [...folders].sort();
    const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
    if (twice >= 0)
      throw new DataError(
        `${root}: data.classes names one class twice (entries ${names.indexOf(names[twice]!) + 1} and ${twice + 1}); each class is one folder`,
      );
    for (const n of names) {
      // Folder names are the data's own text: shown on the CLI, counted under a worker (see redact.ts).
      if (!folders.includes(n))
        throw new DataError(
          `${root}: data.classes names ${quoteInput(n)}, but there is no such folder; folders are: ${showInput(folders.join(', '))}`,
        );
    }
    let files = names.flatMap((n, cls) => listImages(path.join(root, n)).map((f) => ({ file: f, cls })));
    if (files.length === 0)
      throw new DataError(`${root}: no .png/.jpg/.jpeg files in the class folders ${names.join(', ')}`);
    if (files.length > spec.maxRows)
      throw new DataError(
        `${root}: ${files.length} images, more than data.maxRows (${spec.maxRows}); raise it or use data.limit`,
      );
    // data.limit: decode only a seeded random subset (prepareData would otherwise drop the rest after decoding).
    if (spec.limit !== undefined && spec.limit < files.length) {
      const pick = permutation(files.length, createRng(ctx.seed + 23))
        .slice(0, spec.limit)
        .sort((a, b) => a - b);
      files = pick.map((i) => files[i]!);
    }
    const channelsFirst = ctx.inputLayout === 'channelsFirst';
    const [h, w, c] = targetSize(spec, ctx, files[0]!.file);
    const featureShape = channelsFirst ? [c, h, w] : [h, w, c];
    ctx.checkShape(featureShape, root);
    // Before the array is allocated: data.size: [100000, 100000, 3] is a message, not "Invalid typed array length".
    checkValueCount([files.length, h, w, c], root, 'lower data.size or use data.limit');
    const size = h * w * c;
    const pixels = new Float32Array(files.length * size);
    const y = new Float32Array(files.length);
    files.forEach(({ file, cls }, i) => {
      resizeInto(decodeImage(openFileSync(file, 'image', DataError), file), h, w, c, spec, pixels, i * size);
      y[i] = cls;
    });
    // rescale and offset were applied while resizing; mean/std per channel, then PyTorch's layout when the model takes it.
    scalePixels(pixels, [h, w, c], { rescale: 1, offset: 0, mean: spec.mean, std: spec.std }, 'last', root);
    const x = channelsFirst ? toChannelsFirst(pixels, files.length, h, w, c) : pixels;
    const d: Dataset = {
      x,
      y,
      featureShape,
      featureNames: [],
      task: 'classification',
      numClasses: names.length,
      source: `images:${root}`,
      classes: { names, order: spec.classes ? 'data.classes' : SORTED_ORDER },
    };
    return d;
  },
});

function classFolders(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(confinePath(root, currentPolicy(), 'image folder'), { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof UserInputError) throw new DataError(e.message, { cause: e });
    throw new DataError(
      code === 'ENOENT'
        ? `${root}: image folder not found`
        : `${root}: cannot list the image folder (${code ?? 'error'})`,
    );
  }
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
}

function listImages(dir: string): string[] {
  // Everything but folders is kept: a FIFO, device or dangling symlink named *.png is refused by name when it
  // is read (the chokepoint checks it without blocking), rather than skipped silently or thrown as ENOENT.
  return readdirSync(dir)
    .filter((f) => IMAGE_FILE.test(f))
    .sort()
    .map((f) => path.join(dir, f))
    .filter((f) => !isFolder(f));
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The model's [h, w, c] if it says (read from [c, h, w] for a channels-first model); else data.size; else the first image's size, in RGB. */
function targetSize(spec: SpecOf<'images'>, ctx: SourceContext, first: string): [number, number, number] {
  const flatInput = ctx.inputShape?.length === 1 ? ctx.inputShape[0] : undefined;
  const modelShape =
    ctx.inputShape?.length === 3 && ctx.inputLayout === 'channelsFirst'
      ? [ctx.inputShape[1]!, ctx.inputShape[2]!, ctx.inputShape[0]!]
      : ctx.inputShape;
  // A flat (MLP) input takes images of data.size flattened, when the sizes agree (28x28x1 -> 784).
  const want =
    flatInput !== undefined && spec.size && spec.size[0] * spec.size[1] * spec.size[2] === flatInput
      ? null
      : modelShape;
  if (want && want.length !== 3) {
    const side = flatInput ? Math.round(Math.sqrt(flatInput)) : 0;
    const sizeHint =
      flatInput && side * side === flatInput
        ? `give data.size: [${side}, ${side}, 1] to flatten each grey image into it`
        : 'give data.size: [height, width, channels] whose product is its size';
    throw new DataError(
      `${spec.images}: images are [height, width, channels], but the model's input is [${want.map((d) => d ?? '?').join(', ')}]; ` +
        (flatInput ? sizeHint : 'use a model with an image input, or give the pixels as CSV/npy rows'),
    );
  }
  const img =
    want?.some((d) => d === null) || !want ? decodeImage(openFileSync(first, 'image', DataError), first) : null;
  const h = want?.[0] ?? spec.size?.[0] ?? img!.height;
  const w = want?.[1] ?? spec.size?.[1] ?? img!.width;
  const c = want?.[2] ?? spec.size?.[2] ?? 3;
  if (c !== 1 && c !== 3 && c !== 4)
    throw new DataError(
      `${spec.images}: the model wants ${c} channels per pixel; images give 1 (grey), 3 (RGB) or 4 (RGBA)`,
    );
  return [h, w, c];
}
