/** The part of a BullMQ Job (or SandboxedJob) the processors use, so they run in both and in tests. */
export interface JobLike {
  id?: string | undefined;
  data: unknown;
  attemptsMade: number;
  /** Creation time (ms): with the id and the prefix it tells this job from an older one with the same counter id. */
  timestamp?: number;
  updateProgress(progress: number | object): Promise<void>;
}
