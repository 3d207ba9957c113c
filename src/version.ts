// Replaced at build time by esbuild's `define`; the fallback serves tests that run the sources.
declare const __DEC_VERSION__: string | undefined;

export const DEC_VERSION: string = typeof __DEC_VERSION__ === 'string' ? __DEC_VERSION__ : '0.0.0-dev';

/** dec's package on the npm registry (`dec` there is another package); the command stays `dec`. */
export const PACKAGE_NAME = 'dezoomcamp-cli';

/** What a student runs to update dec. */
export const UPDATE_COMMAND = `npm install -g ${PACKAGE_NAME}@latest`;
