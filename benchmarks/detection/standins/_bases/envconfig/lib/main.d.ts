export interface ConfigOptions { path?: string; encoding?: BufferEncoding; override?: boolean; debug?: boolean }
export declare function config(options?: ConfigOptions): { parsed?: Record<string, string>; error?: Error };
export declare function parse(source: string | Buffer): Record<string, string>;
export declare function get(name: string, fallback?: string): string | undefined;
export declare function getNumber(name: string, fallback?: number): number | undefined;
export declare function getBoolean(name: string, fallback?: boolean): boolean;
