import { CLASSIC_FAMILIES, COMPONENT_FAMILIES } from './frontend-family-specs';
import { CHARTED_ERROR_TYPES, FrontendBucketSet, FrontendNaming } from './frontend-naming';
import { generateLogBuckets, LogBucketSpec } from './log-buckets';

const freeze = <T extends object>(o: T): T => Object.freeze(o);

/** Dynamo's defaults: request duration 1..512 x10, ISL 50..128000 x12, OSL 50..32000 x10, ... */
const DYNAMO_BUCKETS: Readonly<
  Record<FrontendBucketSet, { variable: string; defaults: LogBucketSpec }>
> = freeze({
  requestDuration: { variable: 'REQUEST_DURATION', defaults: { min: 1, max: 512, count: 10 } },
  inputSequence: { variable: 'INPUT_SEQUENCE', defaults: { min: 50, max: 128000, count: 12 } },
  outputSequence: { variable: 'OUTPUT_SEQUENCE', defaults: { min: 50, max: 32000, count: 10 } },
  timeToFirstToken: { variable: 'TTFT', defaults: { min: 0.001, max: 480, count: 18 } },
  interTokenLatency: { variable: 'ITL', defaults: { min: 0.001, max: 2, count: 13 } },
});

const logDefaults = (): Record<FrontendBucketSet, readonly number[]> => {
  const out = {} as Record<FrontendBucketSet, readonly number[]>;
  for (const [set, { defaults }] of Object.entries(DYNAMO_BUCKETS)) {
    out[set as FrontendBucketSet] = Object.freeze(generateLogBuckets(defaults));
  }
  return freeze(out);
};

export const CLASSIC_FRONTEND: FrontendNaming = freeze({
  defaultPrefix: 'nv_llm_http_service',
  constLabels: () => ({}),
  families: CLASSIC_FAMILIES,
  outcomeLabels: (status) => [status],
  presetOutcomes: [],
  countsRefusals: false,
  // Not exported under classic (no error_type label); kept as the guide-era mapping.
  errorTypes: freeze({
    byStatus: {
      404: 'not_found',
      429: 'overload',
      503: 'overload',
      501: 'not_implemented',
      499: 'cancelled',
    },
    clientError: 'validation',
    byName: {},
    afterFirstChunk: 'internal',
    otherwise: 'internal',
  }),
  buckets: freeze({
    requestDuration: [0, 1, 2, 4, 8, 16, 32, 64, 128, 256],
    inputSequence: [0, 50, 100, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000],
    outputSequence: [0, 50, 100, 500, 1000, 2000, 4000, 8000, 16000, 32000],
    timeToFirstToken: [
      0, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 240, 480,
    ],
    interTokenLatency: [0, 0.001, 0.005, 0.01, 0.015, 0.02, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
  }),
  bucketVariables: {},
} satisfies FrontendNaming);

export const COMPONENT_FRONTEND: FrontendNaming = freeze({
  defaultPrefix: 'dynamo_frontend',
  // Dynamo's planner filters its frontend queries on the namespace as well as the model.
  constLabels: (namespace: string) => ({ dynamo_namespace: namespace }),
  families: COMPONENT_FAMILIES,
  outcomeLabels: (status, errorType) => [status, errorType ?? ''],
  // Success and the error types Dynamo's dashboard charts, at 0 from the first request on (7
  // series per model, endpoint and type); the rest when they occur. Presetting all 12 error types
  // (13 series) hit the series budget at ~38 models and passed 2 MB of /metrics under a
  // random-model attack.
  presetOutcomes: [['success'], ...CHARTED_ERROR_TYPES.map((e) => ['error', e] as const)],
  countsRefusals: true,
  errorTypes: freeze({
    byStatus: {
      404: 'not_found',
      429: 'overload',
      529: 'overload',
      503: 'unavailable',
      501: 'not_implemented',
      502: 'backend_error',
      504: 'response_timeout',
      499: 'cancelled',
    },
    clientError: 'validation',
    byName: { TimeoutError: 'response_timeout' },
    afterFirstChunk: 'truncated_stream',
    otherwise: 'internal',
  }),
  buckets: logDefaults(),
  bucketVariables: DYNAMO_BUCKETS,
} satisfies FrontendNaming);
