/** Whether `value` is one of `values` (a union's runtime list, such as SEED_MODES). */
export const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T => (values as readonly unknown[]).includes(value);

/**
 * The values as an error message lists them.
 *
 * @example
 * describeOneOf(['auto', 'store', 'generate']) // '"auto", "store" or "generate"'
 */
export const describeOneOf = (values: readonly string[]): string => {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
};
