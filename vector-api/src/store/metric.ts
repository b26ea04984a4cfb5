/** How a collection's vectors are compared: squared L2 distance, inner product, or cosine similarity. */
export const METRICS = ['l2', 'ip', 'cosine'] as const;
export type Metric = (typeof METRICS)[number];
