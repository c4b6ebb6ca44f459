// What stands between the load and the app on a runtime, where something does: the scale rows say
// so, since there it decides the figure.

/**
 * wrangler dev listens with a proxy Worker of its own (one Durable Object, in a second workerd
 * process) that forwards each request to the app's workerd with a fetch of its own: a burst of
 * 10,000 connections piles up in that proxy, not in the app (docs/performance.md, "10,000
 * connections on workerd").
 */
export const IN_FRONT: Partial<Record<string, string>> = {
  workerd:
    "through wrangler dev's proxy Worker (one Durable Object in a second workerd, a fetch of its own to the app for each request): at this many connections the figure is the proxy's, not the app's (docs/performance.md)",
};
