// What a browser bundle gets for the native addon's loader (package.json `imports`,
// `#native-addon`, condition `browser`): no addon, and nothing that names a Node module or the
// addon's path, so a bundler neither follows nor warns about them.

import type { Addon } from './addon.js';

/** No addon in a browser. */
export const addon: Addon | null = null;

/** Null: outside Node there is nothing to explain. */
export const addonLoadError: string | null = null;
