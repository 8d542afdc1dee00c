import type { IncomingMessage } from 'http';
export interface RequestOptions {
    method: string;
    url: string;
    headers?: Record<string, string>;
    json?: unknown;
    body?: string | Buffer;
    timeout?: number;
    baseUrl?: string;
}
export interface Response extends IncomingMessage {
    body: unknown;
}
export declare class HTTPError extends Error {
    response: Response;
    constructor(response: Response);
}
export declare function request(options: RequestOptions): Promise<Response>;
