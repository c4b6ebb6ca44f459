// Raw HTTP/1.1 connections a test file opens, each closed after its test whatever happened.
import { afterEach } from 'vitest';
import { RawConnection } from '../../tools/harness/raw-connection.ts';

/** Call at a test file's top level; the function it returns opens a tracked connection. */
export function trackedRawConnections(): (port: number) => Promise<RawConnection> {
  const opened: RawConnection[] = [];
  afterEach(() => {
    for (const connection of opened.splice(0)) connection.close();
  });
  return async (port) => {
    const connection = await RawConnection.open(port);
    opened.push(connection);
    return connection;
  };
}
