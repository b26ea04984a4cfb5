import bcrypt from 'bcryptjs';

export type PasswordTask =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'compare'; password: string; hash: string };

/** Runs in a worker thread (piscina): bcrypt never blocks the event loop that serves requests. */
export default function passwordWorker(task: PasswordTask): string | boolean {
  if (task.op === 'hash') return bcrypt.hashSync(task.password, task.cost);
  return bcrypt.compareSync(task.password, task.hash);
}
