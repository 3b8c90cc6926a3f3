// The Functions host loads this file (package.json "main"): every trigger family registers on import.
// Telemetry first: it instruments the Azure SDKs before the triggers load them (functions/telemetry.ts).
import "./telemetry";
import "./http";
import "./queues";
import "./timers";

// No app.setup({ enableHttpStream: true }): the host's HTTP binding reads the whole body before an
// invocation either way (up to its own limit), and with streaming the library hands the handler query
// and top-level body fields inside `req.params` too. MAX_BODY_BYTES is enforced where the body is read
// (src/http/route.ts), on both hosts.
