import type { ChildProcess } from 'node:child_process';

/** Collects everything `child` writes to stdout and stderr; the function gives it so far. */
export function collectOutput(child: ChildProcess): () => string {
  let output = '';
  const add = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => output;
}
