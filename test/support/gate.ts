/** A promise the test opens, for holding a handler or lifecycle hook while the test looks. */
export interface Gate {
  wait(): Promise<void>;
  open(): void;
}

/** A closed gate; `open()` releases every waiter, now and later. */
export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => promise, open };
}
