import type { BuildOptions } from 'esbuild';

/** The CLI bundle's esbuild options (scripts/cli-bundle.mjs). */
export declare const CLI_BUNDLE: BuildOptions;
