import { availableParallelism, cpus, totalmem } from 'node:os';

/** The facts a reader needs to compare two runs. */
export function machineFacts(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    `machine: ${availableParallelism()} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `node:    ${process.version} (${process.platform}-${process.arch})`,
  ].join('\n');
}
