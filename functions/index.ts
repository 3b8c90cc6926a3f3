// The Functions host loads this file (package.json "main"): every trigger family registers on import.
import "./http";
import "./queues";
import "./timers";
