/** A deployment setting (or the settings file) that cannot be used; names the key. */
export class SettingsError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`Invalid deployment setting "${key}": ${problem}`);
    this.name = 'SettingsError';
  }
}
