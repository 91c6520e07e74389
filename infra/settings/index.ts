/**
 * Deployment settings for the stack: infra/config.json (optional, not
 * committed) overlaid by CDK context (`cdk.json` or `-c key=value`).
 * Values from `-c` arrive as strings, so every reader accepts both forms.
 */
export { parseSettings } from './parseSettings';
export { SETTINGS_DEFAULTS, type ProxySettings, type ServedBucketInput } from './ProxySettings';
export { DEFAULT_SETTINGS_FILE, readSettings, type ContextSource } from './readSettings';
export { SettingsError } from './SettingsError';
