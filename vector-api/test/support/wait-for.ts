export { metricValue, waitFor } from '../../../shared/test/support/wait-for.ts';
