// The Functions host loads this file (package.json "main"): every trigger family registers on import.
import { app } from "@azure/functions";
import "./http";
import "./queues";
import "./timers";

// Bodies reach the handlers as streams, so MAX_BODY_BYTES holds while a body arrives (src/http/route.ts
// reads and stops at the limit); without it the worker receives the whole body, up to the host's 100 MB,
// before a handler runs (https://aka.ms/AzFuncNodeHttpStreams).
app.setup({ enableHttpStream: true });
