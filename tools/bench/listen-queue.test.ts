import { describe, expect, it } from 'vitest';
import { listenOverflows } from './listen-queue.ts';

// The shape of /proc/net/netstat: a line of names, then a line of values, per protocol.
const netstat = [
  'TcpExt: SyncookiesSent ListenOverflows ListenDrops',
  'TcpExt: 7 123 130',
  'IpExt: InNoRoutes ListenOverflows',
  'IpExt: 1 999',
].join('\n');

describe('listenOverflows', () => {
  it("reads TcpExt's ListenOverflows, by name", () => {
    expect(listenOverflows(netstat)).toBe(123);
  });
  it('is undefined when the counter is not there', () => {
    expect(listenOverflows('TcpExt: SyncookiesSent\nTcpExt: 7\n')).toBeUndefined();
    expect(listenOverflows('')).toBeUndefined();
  });
});
