/** `preferred` when it is free on 127.0.0.1, otherwise any free port. */
export declare function freePort(preferred?: number): Promise<number>;
