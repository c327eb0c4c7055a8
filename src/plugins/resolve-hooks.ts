/**
 * Module resolution hooks of the plugin process (registered by runner.ts with
 * `module.register`): `import ... from 'vigil/plugin'` resolves to this Vigil's SDK wherever
 * the plugin is installed, without the plugin depending on the vigil package.
 */
import type { InitializeHook, ResolveHook } from 'node:module';

/** The specifier plugins import the SDK by. */
export const SDK_SPECIFIER = 'vigil/plugin';

let sdkUrl: string | null = null;

export const initialize: InitializeHook<{ sdk: string }> = (data) => {
  sdkUrl = data.sdk;
};

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  if (specifier === SDK_SPECIFIER && sdkUrl !== null) return { url: sdkUrl, shortCircuit: true };
  return nextResolve(specifier, context);
};
