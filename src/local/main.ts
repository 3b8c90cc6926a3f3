import { startLocalHost } from "./host";
import { ConfigError } from "../config/load";
import { grantConsent } from "../app/rights";
import { PURPOSE_DEFINITIONS } from "../domain/consent/purposes";

/** `npm start`: the service on embedded defaults, two demo tenants, API on http://localhost:7071/api. */
async function main() {
  const t0 = Date.now();
  const host = await startLocalHost();
  const rt = host.runtime;
  const dev = rt.dev!;
  console.log(`Cosmos DB API (@vercel/cosmosdb-server, in memory)  ${host.cosmos.endpoint}`);
  console.log(`Blob Storage (Azurite, --disableTelemetry)           ${host.blob.endpoint || "(configured)"}`);
  console.log(
    `Local scheduler (stands in for Service Bus)          ${rt.config.DPDP_PROFILE === "local" ? rt.config.LOCAL_DATA_DIR : ""}/scheduler.json`,
  );
  if (rt.config.DPDP_PROFILE === "local" && rt.config.LOCAL_SEED_DEMO === "true") {
    for (const organisation of ["Sharma Dental Clinic", "Pune Bakers"]) {
      const seeded = await dev.seed({
        organisation,
        conversations: 10,
        messagesPerConversation: 6,
        audioPerConversation: 1,
      });
      console.log(`Demo tenant ${seeded.tenantId} (${organisation}), owner token:\n  ${seeded.ownerToken}`);
      // One consent artefact per demo account, so POST /api/v1/consents/history has something to show.
      const { notice } = PURPOSE_DEFINITIONS.marketing_email;
      await grantConsent(
        rt.app,
        {
          kind: "dashboard",
          subject: `demo-owner-${seeded.tenantId}`,
          tenantId: seeded.tenantId,
          role: "owner",
        },
        {
          subject: { type: "tenant", tenantId: seeded.tenantId },
          purpose: "marketing_email",
          notice: { id: notice.id, version: notice.version, language: "en" },
          affirmativeAction: { kind: "checkbox_ticked", at: rt.app.ports.clock.now().toISOString() },
        },
      );
    }
    const partners = await dev.seedProcessors();
    if (partners) console.log(`Processor register: ${partners} demo partners (GET /api/v1/processors)`);
    console.log(`Privacy officer token:\n  ${await dev.mintToken({ role: "privacy_officer" })}`);
    console.log(`Support token:\n  ${await dev.mintToken({ role: "support" })}`);
  }
  await host.pages.prepare();
  console.log(
    `Privacy center (public)                              ${host.pages.privacyUrl.replace("127.0.0.1", "localhost")}`,
  );
  console.log(
    `Staff console (sign in with a staff token)           ${host.pages.consoleUrl.replace("127.0.0.1", "localhost")}`,
  );
  console.log(
    `dpdp-rights ready on ${host.url.replace("127.0.0.1", "localhost")} in ${((Date.now() - t0) / 1000).toFixed(1)} s (Ctrl-C stops)`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping…`);
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
  console.error(
    e instanceof ConfigError
      ? e.message
      : `dpdp-rights could not start: ${e instanceof Error ? e.message : String(e)}`,
  );
  process.exit(1);
});
