import { startCosmos } from "../../src/local/emulators";

// The emulator of ./cosmos-process.ts: it says where it listens, and ends when its parent's pipe closes.
void startCosmos(0).then((cosmos) => {
  process.stdout.write(`listening ${cosmos.endpoint}\n`);
  process.stdin.resume();
  process.stdin.once("end", () => void cosmos.stop().then(() => process.exit(0)));
});
