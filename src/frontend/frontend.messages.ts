/** Errors and texts of the LLM frontend layer, as small functions taking the names they mention. */
export const FRONTEND_MESSAGES = {
  invalidTokenizerOperation: (operation: unknown, accepted: readonly string[]) =>
    `FrontendMetrics.tokenizerLatency(): operation ${JSON.stringify(operation)} is not valid; accepted values: ${accepted.map((a) => `"${a}"`).join(' or ')}.`,
  invalidModelConfig: (model: string, key: string, value: unknown) =>
    `FrontendMetrics.publishModelConfig("${model}"): ${key}=${JSON.stringify(value)} is not valid; accepted values: a whole number >= 0.`,
  unknownModelConfig: (model: string, key: string, accepted: readonly string[]) =>
    `FrontendMetrics.publishModelConfig("${model}"): "${key}" is not a model configuration value; accepted keys: ${accepted.join(', ')}.`,
  firstTokenTimeout: (ms: number) =>
    `No token within ${ms} ms of the request's start (frontend.firstTokenTimeoutMs).`,
  interTokenTimeout: (ms: number) =>
    `No token within ${ms} ms of the previous one (frontend.interTokenTimeoutMs).`,
} as const;
