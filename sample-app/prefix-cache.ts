/**
 * A pretend prefix cache for the fake model: a prompt's leading words that match the previous
 * prompt of the same model count as cached, the way a real server reports
 * `usage.prompt_tokens_details.cached_tokens` (`dynamo_frontend_cached_tokens`).
 */
export class PrefixCache {
  private readonly last = new Map<string, string[]>();

  cachedTokens(model: string, prompt: string): number {
    const words = prompt.split(/\s+/).filter(Boolean);
    const previous = this.last.get(model) ?? [];
    let shared = 0;
    while (shared < words.length && shared < previous.length && words[shared] === previous[shared])
      shared++;
    // Bounded: one prompt kept per model, and at most 100 models.
    if (this.last.size >= 100 && !this.last.has(model)) this.last.clear();
    this.last.set(model, words);
    return shared;
  }
}
