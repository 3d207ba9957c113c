// Replaced at build time by esbuild's `define`; the fallback serves tests that run the sources.
declare const __DEC_VERSION__: string | undefined;

export const DEC_VERSION: string = typeof __DEC_VERSION__ === 'string' ? __DEC_VERSION__ : '0.0.0-dev';
