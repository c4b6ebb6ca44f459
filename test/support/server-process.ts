// The generic child-process handling now lives with the lab, which starts servers too.
export * from '../../src/lab/server-process.ts';
