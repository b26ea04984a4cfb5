import { InvalidRequestError } from '@vectorauth/shared';
import type { Metric } from '../store/metric.ts';

/**
 * A request's numbers as the float32 vector that is indexed and stored: checked against the
 * collection's dimension, and scaled to unit length under `cosine` (a zero vector has no direction).
 */
export function prepareVector(
  values: ArrayLike<number>,
  dimension: number,
  metric: Metric,
  where: string,
): Float32Array {
  if (values.length !== dimension) {
    throw new InvalidRequestError(
      `${where}: expected ${dimension} numbers (the collection's dimension), got ${values.length}`,
    );
  }
  const vector = Float32Array.from(values);
  for (const x of vector) {
    if (!Number.isFinite(x))
      throw new InvalidRequestError(`${where}: every value must be a finite float32 number`);
  }
  if (metric !== 'cosine') return vector;
  let sum = 0;
  for (const x of vector) sum += x * x;
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) {
    throw new InvalidRequestError(
      `${where}: a zero vector has no direction, so it cannot be used with the cosine metric`,
    );
  }
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm;
  return vector;
}
