// @ts-check
/**
 * The dependency rules of docs/design.md §2, checked by `npm run lint` (`npm run deps`): a rule broken
 * fails the build. Type-only imports count (tsPreCompilationDeps), so a cycle through a type is a cycle.
 *
 * Layers, innermost first: domain (pure rules) ← ports (interfaces) ← app (use cases) ← adapters, http,
 * triggers ← composition root (src/composition.ts, src/function-table.ts) ← hosts (functions/, src/local).
 */

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle means two modules cannot be understood, tested or moved apart; type imports count.",
      from: {},
      to: { circular: true },
    },
    {
      name: "web-pages-talk-to-the-api-only",
      severity: "error",
      comment:
        "src/web runs in the browser: it reaches the service through the public HTTP API, never by importing the service's code (no back doors, and nothing server-side in the bundle).",
      from: { path: "^src/web/" },
      to: { path: "^(src/(?!web/)|functions/)|^(fs|net|http|https|child_process|node:.*)$" },
    },
    {
      name: "nothing-imports-the-web-pages",
      severity: "error",
      comment:
        "The pages are built from their entry files (src/local/web-pages.ts), never imported by the service.",
      from: { path: "^(src/(?!web/)|functions/)" },
      to: { path: "^src/web/" },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment: "src/domain holds the policy's rules: it imports nothing of the service outside itself.",
      from: { path: "^src/domain/" },
      to: { path: "^(src/(?!domain/)|functions/)" },
    },
    {
      name: "domain-no-platform-sdks",
      severity: "error",
      comment:
        "The domain names no Azure SDK and no Node I/O module: only data libraries (zod, libphonenumber-js).",
      from: { path: "^src/domain/" },
      to: { path: "(^|/)node_modules/@azure/|^(fs|net|http|https|child_process)$" },
    },
    {
      name: "ports-are-interfaces",
      severity: "error",
      comment:
        "Ports are what the use cases need from the outside world: they know the domain, nothing else.",
      from: { path: "^src/ports/" },
      to: { path: "^(src/(?!ports/|domain/)|functions/)" },
    },
    {
      name: "app-uses-ports-not-adapters",
      severity: "error",
      comment:
        "Use cases reach the world through src/ports only: never an adapter, the HTTP edge, a trigger, a host or an Azure SDK.",
      from: { path: "^src/app/" },
      to: {
        path: "^(src/(adapters|http|triggers|local)/|src/(composition|function-table|runtime)\\.ts$|functions/)|(^|/)node_modules/@azure/",
      },
    },
    {
      name: "adapters-know-no-edge",
      severity: "error",
      comment: "Adapters implement ports; they never call the HTTP edge, triggers or hosts.",
      from: { path: "^src/adapters/" },
      to: { path: "^(src/(http|triggers|local)/|src/(composition|function-table)\\.ts$|functions/)" },
    },
    {
      name: "edge-not-from-hosts",
      severity: "error",
      comment:
        "HTTP routes and triggers are host-neutral: only functions/ and src/local know which host runs them.",
      from: { path: "^src/(http|triggers)/" },
      to: { path: "^(functions/|src/local/)" },
    },
    {
      name: "request-core-knows-no-kind",
      severity: "error",
      comment:
        "The request flow (src/app/requests) is the core every kind shares: what a kind does beyond it is a hook in its own folder, reached through app.kinds (src/app/kinds/registry.ts), never imported.",
      from: { path: "^src/app/requests/" },
      to: {
        path: "^src/app/((rights|account|export|whatsapp-erasure|backups|breach|retention)/|kinds/registry\\.ts$)",
      },
    },
    {
      name: "features-through-their-index",
      severity: "error",
      comment:
        "A feature of src/app (a folder) is used through its index.ts only: what it exports there is its contract, the rest its own.",
      from: { path: "^src/app/([^/]+)/" },
      to: { path: "^src/app/[^/]+/", pathNot: ["^src/app/$1/", "^src/app/[^/]+/index\\.ts$"] },
    },
    {
      name: "edge-uses-features-through-their-index",
      severity: "error",
      comment:
        "Routes, triggers, hosts and the composition root reach a feature of src/app through its index.ts only.",
      from: { path: "^(src/(?!app/)|functions/)" },
      to: { path: "^src/app/[^/]+/", pathNot: ["^src/app/[^/]+/index\\.ts$"] },
    },
    {
      name: "no-orphans",
      severity: "error",
      comment: "A module nothing imports is dead code (entry points and declaration files excepted).",
      from: {
        orphan: true,
        pathNot: ["\\.d\\.ts$", "^functions/index\\.ts$", "^src/local/main\\.ts$"],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
