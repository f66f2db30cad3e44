// Types for scripts/lambda-bundle.mjs (plain JS so the osls plugin can load it without a TypeScript loader).
import type { BuildOptions, Metafile } from 'esbuild';

export declare const BUNDLE_OPTIONS: Readonly<BuildOptions>;
export declare function handlerOf(exportName: string): string;
export declare function bundleFunction(args: { root: string; handler: string; outDir: string; options?: BuildOptions }): Promise<{ entryFile: string; exportName: string; metafile: Metafile }>;
export declare function zipBundle(dir: string, zipPath: string): number;
export declare function staticBytes(metafile: Metafile): number;
