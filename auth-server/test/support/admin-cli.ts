import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '../../../scripts/admin-cli.ts');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The operator CLI (`npm run admin -- <args>`) against an admin API: `ADMIN_URL` and `ADMIN_TOKEN` in `env`. */
export function runAdminCli(
  env: { ADMIN_URL: string; ADMIN_TOKEN: string },
  args: string[],
): Promise<CliRun> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
