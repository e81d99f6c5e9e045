/** The part of a BullMQ Job (or SandboxedJob) the processors use, so they run in both and in tests. */
export interface JobLike {
  id?: string | undefined;
  data: unknown;
  attemptsMade: number;
  updateProgress(progress: number | object): Promise<void>;
}
