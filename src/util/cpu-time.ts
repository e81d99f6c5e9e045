/** Milliseconds of this process's CPU time (user and system, all threads) since `start` (process.cpuUsage()). */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
