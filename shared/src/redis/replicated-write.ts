import type { Redis } from './create-redis.ts';

type Pipeline = ReturnType<Redis['pipeline']>;

/** How many replicas a write must reach before it counts, and how long to wait for them. */
export interface ReplicaWait {
  /** 0: the master's own acknowledgement is enough (one server, or no replicas to wait for). */
  replicas: number;
  timeoutMs?: number;
}

/**
 * One write (the commands `add` puts on a pipeline), resolved once Redis has it and, when
 * replicas are asked for, once that many replicas have it too: `WAIT` in the same pipeline (in a
 * Cluster it goes to the node of the write's keys). Redis replicates asynchronously, so without it a
 * failover to a replica can lose a write the old master acknowledged. Rejects when a command fails
 * or fewer replicas confirm in time; the write may then still be on the master. Resolves with the
 * replies of the commands `add` put on.
 */
export async function replicatedWrite(
  redis: Redis,
  wait: ReplicaWait,
  add: (pipeline: Pipeline) => void,
): Promise<unknown[]> {
  const pipeline = redis.pipeline();
  add(pipeline);
  const commands = pipeline.length;
  if (wait.replicas > 0) pipeline.wait(wait.replicas, wait.timeoutMs ?? 1000);
  const replies = (await pipeline.exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const confirmed = replies[commands]?.[1];
  if (wait.replicas > 0 && !(typeof confirmed === 'number' && confirmed >= wait.replicas)) {
    throw new Error(`the write reached ${String(confirmed)} of ${wait.replicas} replicas in time`);
  }
  return replies.slice(0, commands).map(([, reply]) => reply);
}
