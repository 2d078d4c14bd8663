/**
 * The frontend's names, labels, buckets and error types live in the naming profile
 * (core/frontend-profiles.ts); these are the values every profile shares.
 */
export { FRONTEND_ERROR_TYPES } from '../core';
export type { FrontendErrorType } from '../core';

export type RequestType = 'unary' | 'stream';
export type RequestStatus = 'success' | 'error';

/** Metadata key set by @LlmFrontendEndpoint(). */
export const LLM_FRONTEND_METADATA = 'dynamo:llm-frontend';
