export declare function words(input: string): string[];
export declare function camelCase(input: string): string;
export declare function pascalCase(input: string): string;
export declare function kebabCase(input: string): string;
export declare function snakeCase(input: string): string;
export declare function padStart(input: unknown, length: number, fill?: string): string;
export declare function padEnd(input: unknown, length: number, fill?: string): string;
export declare function truncate(input: unknown, length: number, omission?: string): string;
export declare function slugify(input: string, separator?: string): string;
