import type { LogBucketSpec } from './log-buckets';

/**
 * What an LLM frontend exports in one naming profile: every family (name, help, labels,
 * buckets), which are created on first use, the `error_type` mapping and the bucket variables.
 * Data only: the frontend layer builds the families from it and never asks which profile it is.
 */

/**
 * The error types today's Dynamo dashboard charts one by one ("Request Outcome Breakdown"):
 * exported at 0 from a (model, endpoint, type)'s first request so those panels have data. The
 * others appear when they first occur, as every series does in Dynamo.
 */
const CHARTED = [
  'validation',
  'not_found',
  'overload',
  'cancelled',
  'internal',
  'not_implemented',
] as const;

/**
 * `error_type` of a failed frontend request (`component`): Dynamo's set, plus the package's
 * `not_implemented`. Empty on success.
 */
export const FRONTEND_ERROR_TYPES = Object.freeze([
  ...CHARTED,
  'unavailable',
  'response_timeout',
  'first_token_timeout',
  'intra_token_timeout',
  'backend_error',
  'truncated_stream',
] as const);
/** The frontend's `error_type` label values (README, "Error types"). */
export type FrontendErrorType = (typeof FRONTEND_ERROR_TYPES)[number];

export const CHARTED_ERROR_TYPES: readonly FrontendErrorType[] = Object.freeze([...CHARTED]);

/** The five configurable bucket sets (Dynamo's `DYN_METRICS_<X>_{MIN,MAX,COUNT}`). */
export const FRONTEND_BUCKET_SETS = Object.freeze([
  'requestDuration',
  'inputSequence',
  'outputSequence',
  'timeToFirstToken',
  'interTokenLatency',
] as const);
export type FrontendBucketSet = (typeof FRONTEND_BUCKET_SETS)[number];

/** Families with a `model` label, resolved once per model. */
export type ModelGaugeRole = 'inflight' | 'active' | 'queued';
export type ModelHistogramRole =
  | 'duration'
  | 'inputTokens'
  | 'outputTokens'
  | 'timeToFirstToken'
  | 'interTokenLatency'
  | 'cachedTokens';
/** The model configuration gauges (`model_*{model}`), as FrontendMetrics.publishModelConfig names them. */
export type ModelConfigRole =
  | 'contextLength'
  | 'kvCacheBlockSize'
  | 'totalKvBlocks'
  | 'maxNumSeqs'
  | 'maxNumBatchedTokens'
  | 'migrationLimit';
export type FrontendRole =
  | 'requests'
  | 'requestsStarted'
  | ModelGaugeRole
  | ModelHistogramRole
  | ModelConfigRole
  | 'outputTokensTotal'
  | 'disconnected'
  | 'cancellation'
  | 'rejection'
  | 'tokenizerLatency'
  | 'stageRequests'
  | 'stageDuration';

export interface FrontendFamilySpec {
  readonly type: 'intCounter' | 'intGauge' | 'histogram';
  /** After the frontend prefix. */
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
  /** Histograms: a configurable set, or fixed bounds. */
  readonly buckets?: FrontendBucketSet | readonly number[];
  /** Created on first use rather than with the request families. */
  readonly lazy?: boolean;
}

export interface FrontendErrorMapping {
  /** By the HTTP status an exception carries. */
  readonly byStatus: Readonly<Record<number, FrontendErrorType>>;
  /** Any other 4xx. */
  readonly clientError: FrontendErrorType;
  /** By the error's `name` (e.g. `TimeoutError`, what `AbortSignal.timeout()` rejects with). */
  readonly byName: Readonly<Record<string, FrontendErrorType>>;
  /** A stream that failed, without a status, after its first chunk was sent. */
  readonly afterFirstChunk: FrontendErrorType;
  /** Anything else: other 5xx, a plain throw. */
  readonly otherwise: FrontendErrorType;
}

export interface FrontendNaming {
  /** Prefix of the family when neither `frontend.prefix` nor DYN_METRICS_PREFIX sets one. */
  readonly defaultPrefix: string;
  /** Labels every frontend metric carries, from the module's namespace. */
  constLabels(namespace: string): Readonly<Record<string, string>>;
  /** The families; a role not listed is not exported in this profile. */
  readonly families: Readonly<Partial<Record<FrontendRole, FrontendFamilySpec>>>;
  /** `requests_total` label values after model, endpoint and request_type. */
  outcomeLabels(status: 'success' | 'error', errorType: FrontendErrorType | undefined): string[];
  /** Outcomes exported at 0 from a (model, endpoint, request type)'s first request. */
  readonly presetOutcomes: ReadonlyArray<readonly ['success' | 'error', FrontendErrorType?]>;
  /** Whether requests refused before any response (4xx) count in `requests_total`. */
  readonly countsRefusals: boolean;
  readonly errorTypes: FrontendErrorMapping;
  /** Default bounds of each bucket set. */
  readonly buckets: Readonly<Record<FrontendBucketSet, readonly number[]>>;
  /** The sets read from DYN_METRICS_<variable>_{MIN,MAX,COUNT}, with Dynamo's defaults. */
  readonly bucketVariables: Readonly<
    Partial<Record<FrontendBucketSet, { variable: string; defaults: LogBucketSpec }>>
  >;
}
