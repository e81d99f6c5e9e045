/**
 * Whether a parsed JSON/YAML value nests deeper than `max` levels, found without recursion (so 100k nested
 * arrays cannot overflow the stack here, as they would in a recursive validator or deserializer). A value
 * that contains itself (a YAML alias inside its own anchor) nests forever, so it is reported too.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.value === null || typeof top.value !== 'object') continue;
    if (top.depth >= max) return true;
    for (const child of Object.values(top.value))
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: top.depth + 1 });
  }
  return false;
}
