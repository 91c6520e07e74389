/**
 * Deployment settings for the stack: the defaults in cdk.json's `context`,
 * overlaid by the optional settings file (infra/config.json, not committed),
 * overlaid by `-c key=value`. Values from `-c` arrive as strings, so every
 * reader accepts both forms.
 */
export { parseSettings } from './parseSettings';
export { SETTINGS_DEFAULTS, type ProxySettings, type ServedBucketInput } from './ProxySettings';
export { CDK_JSON, DEFAULT_SETTINGS_FILE, readCdkJsonContext, readSettings, SETTINGS_FILE_KEY, type ContextSource } from './readSettings';
export { SettingsError } from './SettingsError';
