// How every command of the project ends, so that a process manager (systemd, Docker, a supervisor
// of our own) can tell a clean stop from a failure without reading logs.

/** A clean stop: SIGINT/SIGTERM drained the server, or --help was asked for. */
export const EXIT_OK = 0;
/** The server could not start (its port is taken or not permitted), or its supervisor gave up restarting. */
export const EXIT_FAILED = 1;
/** A bad flag or environment variable: nothing was started. */
export const EXIT_BAD_USAGE = 2;
