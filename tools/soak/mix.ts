// The soak's request mix: every route of the contract, valid and invalid, each with the status it
// must get. Weights are relative; a request kind is drawn per request.

export interface PlannedRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface RequestKind {
  /** Short and stable: the key of the per-kind counts and of "errors by kind". */
  name: string;
  weight: number;
  /** The only status that counts as a success for this kind. */
  expected: number;
  /** Only drawn when the server has a pool (Workers answers 501 to pool mode, by contract). */
  needsPool?: boolean;
  make(random: () => number): PlannedRequest;
}

/** An integer from min to max inclusive. */
const between = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

export const REQUEST_KINDS: readonly RequestKind[] = [
  { name: 'GET /', weight: 20, expected: 200, make: () => ({ method: 'GET', path: '/' }) },
  { name: 'GET /health', weight: 10, expected: 200, make: () => ({ method: 'GET', path: '/health' }) },
  { name: 'GET /info', weight: 5, expected: 200, make: () => ({ method: 'GET', path: '/info' }) },
  // A timer: the loop stays free, so short waits here are the bulk of the concurrency.
  {
    name: 'delay async',
    weight: 25,
    expected: 200,
    make: (r) => ({ method: 'POST', path: `/delay?mode=async&ms=${between(r, 0, 50)}` }),
  },
  // Parameters in a JSON body this time, so the body parser is soaked too.
  {
    name: 'delay pool',
    weight: 15,
    expected: 200,
    needsPool: true,
    make: (r) => ({ method: 'POST', path: '/delay', body: JSON.stringify({ mode: 'pool', ms: between(r, 0, 20) }) }),
  },
  // Blocking holds the event loop: tiny waits only, or every other kind would queue behind them.
  {
    name: 'delay blocking',
    weight: 10,
    expected: 200,
    make: (r) => ({ method: 'POST', path: `/delay?mode=blocking&ms=${between(r, 0, 5)}` }),
  },
  {
    name: 'invalid ms',
    weight: 5,
    expected: 400,
    make: (r) => ({
      method: 'POST',
      path: `/delay?mode=async&ms=${['-1', 'abc', '1.5', '99999999'][between(r, 0, 3)]}`,
    }),
  },
  { name: 'unknown mode', weight: 4, expected: 400, make: () => ({ method: 'POST', path: '/delay?mode=warp&ms=1' }) },
  {
    name: 'not found',
    weight: 6,
    expected: 404,
    make: (r) => ({ method: 'GET', path: `/no-such-route/${between(r, 0, 999)}` }),
  },
];

/** The kinds this server can be asked for. */
export function mixFor(hasPool: boolean, kinds: readonly RequestKind[] = REQUEST_KINDS): RequestKind[] {
  return kinds.filter((kind) => hasPool || !kind.needsPool);
}

/** Draws one kind by weight. `random` returns [0, 1), like Math.random. */
export function pickKind(kinds: readonly RequestKind[], random: () => number): RequestKind {
  const total = kinds.reduce((sum, kind) => sum + kind.weight, 0);
  let point = random() * total;
  for (const kind of kinds) {
    point -= kind.weight;
    if (point < 0) return kind;
  }
  return kinds.at(-1)!;
}
