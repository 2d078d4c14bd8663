/** ES2024 string methods (Node 20 has them; the project's lib is ES2022). */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * A label value as it will be written: lone UTF-16 surrogates become U+FFFD, as UTF-8 output
 * writes them anyway. Keying series by this form keeps `"a\ud800"` and `"a\ud801"` one series,
 * instead of two that are written identically and that Prometheus would merge, dropping counts.
 */
export function wellFormed(value: string): string {
  const s = value as unknown as WellFormedString;
  return s.isWellFormed() ? value : s.toWellFormed();
}
