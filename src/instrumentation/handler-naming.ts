/** Class name suffixes dropped when a component name is derived from a class name. */
const CLASS_SUFFIXES = [
  'Controller',
  'Service',
  'Gateway',
  'Handler',
  'Provider',
  'Resolver',
  'Worker',
];

const snake = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();

/** `BackendService` -> `backend`, `LlmGatewayController` -> `llm_gateway`. */
export function componentFromClass(className: string): string {
  const suffix = CLASS_SUFFIXES.find((s) => className.endsWith(s) && className.length > s.length);
  return snake(suffix ? className.slice(0, -suffix.length) : className);
}

/** `generate` -> `generate`, `chatCompletions` -> `chat_completions`. */
export function endpointFromMethod(methodName: string): string {
  return snake(methodName);
}
