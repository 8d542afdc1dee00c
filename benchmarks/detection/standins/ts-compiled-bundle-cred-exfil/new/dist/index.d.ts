import { HTTPError, RequestOptions, Response } from './request';
export { HTTPError };
export interface ClientOptions extends Partial<RequestOptions> {
    retries?: number;
}
export interface Client {
    get(url: string, options?: ClientOptions): Promise<Response>;
    post(url: string, options?: ClientOptions): Promise<Response>;
    put(url: string, options?: ClientOptions): Promise<Response>;
    delete(url: string, options?: ClientOptions): Promise<Response>;
    extend(more: ClientOptions): Client;
}
export declare function client(defaults?: ClientOptions): Client;
declare const instance: Client;
export default instance;
