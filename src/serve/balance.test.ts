import { describe, expect, it } from 'vitest';
import { BackendSet, HandedConnection } from './balance.ts';

/** Hands `n` connections over, each left busy, and returns which backend took each. */
function handOut(set: BackendSet<string>, n: number): string[] {
  return Array.from({ length: n }, () => {
    const backend = set.pick()!;
    backend.busy++;
    backend.open++;
    return backend.id;
  });
}

describe('BackendSet least-busy', () => {
  it('gives connections that arrive together to distinct processes', () => {
    const set = new BackendSet<string>('least-busy');
    for (const id of ['a', 'b', 'c', 'd']) set.add(id);
    expect(new Set(handOut(set, 4)).size).toBe(4);
  });

  it('never picks a busy process while another is free, however many idle connections the free one holds', () => {
    const set = new BackendSet<string>('least-busy');
    const [a, b] = [set.add('a'), set.add('b')];
    a.busy = 1;
    a.open = 1;
    b.open = 10; // kept alive, idle
    for (let i = 0; i < 5; i++) expect(set.pick()!.id).toBe('b');
  });

  it('among equally busy processes, prefers fewer open connections, then the one that waited longest', () => {
    const set = new BackendSet<string>('least-busy');
    const [a, b, c] = [set.add('a'), set.add('b'), set.add('c')];
    a.open = 2;
    b.open = 1;
    c.open = 1;
    expect(set.pick()!.id).toBe('b');
    expect(set.pick()!.id).toBe('c');
    expect(set.pick()!.id).toBe('b');
  });

  it('leaves out the processes that refused the connection, and a removed one', () => {
    const set = new BackendSet<string>('least-busy');
    for (const id of ['a', 'b', 'c']) set.add(id);
    set.remove('b');
    expect(set.pick(new Set(['a']))!.id).toBe('c');
    expect(set.pick(new Set(['a', 'c']))).toBeUndefined();
  });
});

describe('BackendSet round-robin', () => {
  it('takes each process in turn, busy or not', () => {
    const set = new BackendSet<string>('round-robin');
    set.add('a').busy = 5;
    set.add('b');
    expect(handOut(set, 4)).toEqual(['a', 'b', 'a', 'b']);
  });
});

describe('HandedConnection', () => {
  it('counts a connection busy from the choice, idle once its process speaks, busy again when its client does', () => {
    const set = new BackendSet<string>('least-busy');
    const backend = set.add('a');
    const connection = new HandedConnection(backend);
    expect(backend).toMatchObject({ handed: 1, open: 1, busy: 1 });
    connection.clientSpoke();
    expect(backend.busy).toBe(1);
    connection.serverSpoke();
    connection.serverSpoke();
    expect(backend).toMatchObject({ open: 1, busy: 0 });
    connection.clientSpoke();
    expect(backend.busy).toBe(1);
  });

  it('leaves the counts once when it ends, however often the end is seen, and stays out of them after', () => {
    const backend = new BackendSet<string>('least-busy').add('a');
    const connection = new HandedConnection(backend);
    connection.end();
    connection.end();
    connection.clientSpoke();
    expect(backend).toMatchObject({ handed: 1, open: 0, busy: 0 });
    const idle = new HandedConnection(backend);
    idle.serverSpoke();
    idle.end();
    expect(backend).toMatchObject({ handed: 2, open: 0, busy: 0 });
  });

  it('is as if never handed when its process refused it', () => {
    const backend = new BackendSet<string>('least-busy').add('a');
    new HandedConnection(backend).undo();
    expect(backend).toMatchObject({ handed: 0, open: 0, busy: 0 });
  });
});
