// One connection a request: shared with the lab, which fires concurrent requests the same way.
export * from '../../src/lab/http-client.ts';
