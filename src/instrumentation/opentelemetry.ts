/** The part of `@opentelemetry/api` the trace lookup uses. */
export interface OpenTelemetryApi {
  context: { active(): unknown };
  trace: { getSpanContext(context: unknown): { traceId: string; spanId: string } | undefined };
  isSpanContextValid(spanContext: { traceId: string; spanId: string }): boolean;
}

/**
 * `@opentelemetry/api` is an optional peer dependency: loaded only when exemplars are on, and
 * only if the application has it installed. Absent (or unusable), traces come from headers.
 */
export function loadOpenTelemetry(): OpenTelemetryApi | undefined {
  try {
    const api = require('@opentelemetry/api') as Partial<OpenTelemetryApi>;
    return typeof api.trace?.getSpanContext === 'function' &&
      typeof api.context?.active === 'function' &&
      typeof api.isSpanContextValid === 'function'
      ? (api as OpenTelemetryApi)
      : undefined;
  } catch {
    return undefined;
  }
}
