/**
 * Typed errors. Every error a user can cause by bad input is a `UserInputError`: the CLI prints its
 * message (no stack) and exits 2. Anything else is a bug or an environment failure.
 */
/** The longest message a UserInputError carries (a zod report of a dozen fields fits). */
export const MAX_MESSAGE_CHARS = 2000;

export class UserInputError extends Error {
  /** Short machine-readable kind, e.g. "spec", "model-load", "data". */
  readonly kind: string;
  constructor(kind: string, message: string, options?: { cause?: unknown }) {
    // Capped: a message quoting a 1 MB cell must not become a 1 MB job status, email or terminal line.
    super(
      message.length > MAX_MESSAGE_CHARS
        ? `${message.slice(0, MAX_MESSAGE_CHARS)}... (message cut at ${MAX_MESSAGE_CHARS} characters)`
        : message,
      options,
    );
    this.kind = kind;
    this.name = new.target.name;
  }
}

/** The spec file is missing, unparsable, or does not match the schema. */
export class SpecError extends UserInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('spec', message, options);
  }
}

/** A model.json (or its weights) cannot be loaded as a LayersModel. */
export class ModelLoadError extends UserInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('model-load', message, options);
  }
}

/** Data cannot be read or does not fit the model. */
export class DataError extends UserInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('data', message, options);
  }
}

/** An artifacts or result file is missing or malformed. */
export class ArtifactError extends UserInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('artifacts', message, options);
  }
}

export function isUserInputError(e: unknown): e is UserInputError {
  return e instanceof UserInputError;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
