export * from '../../src/lab/free-port.ts';
