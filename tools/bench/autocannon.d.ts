// The part of autocannon's API the bench uses (the package ships no types; @types/autocannon is not a dependency).
declare module 'autocannon' {
  namespace autocannon {
    interface Histogram {
      average: number;
      p50: number;
      p99: number;
      total: number;
    }
    interface Result {
      requests: Histogram;
      latency: Histogram;
      errors: number;
      timeouts: number;
      non2xx: number;
    }
    interface Options {
      url: string;
      method?: 'GET' | 'POST';
      duration?: number;
      /** A fixed number of requests instead of a duration. */
      amount?: number;
      connections?: number;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
