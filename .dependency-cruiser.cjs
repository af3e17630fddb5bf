/**
 * Layering rules over the whole tree (`npm run lint`): dependencies point one way,
 * core ← sim ← model, and the serving apps (edge, backplane, web) never import training code.
 * core/ is pure domain code that runs in Workers, Node and the browser.
 */
const WORKSPACES = '(core|node-runtime|sim|model|edge|backplane|web|tools/upstash-rest)';

module.exports = {
  forbidden: [
    {
      name: 'core-no-node-builtins',
      comment: 'core/ runs in Workers and browsers: no node:* or Node built-ins.',
      severity: 'error',
      from: { path: '^core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-imports-nothing-of-ours',
      comment: 'core/ is the centre: it never imports another workspace, bench or scripts.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(node-runtime|sim|model|edge|backplane|web|tools|bench|scripts)/' },
    },
    {
      name: 'core-only-allowed-deps',
      comment:
        'core/ may depend on zod and @marcbachmann/cel-js (the rules; docs/dependencies.md) only (small, Worker-safe); anything else needs a review.',
      severity: 'error',
      from: { path: '^core/' },
      to: {
        dependencyTypes: [
          'npm',
          'npm-dev',
          'npm-optional',
          'npm-peer',
          'npm-no-pkg',
          'npm-unknown',
        ],
        pathNot: 'node_modules/(zod|@marcbachmann/cel-js|@bufbuild/cel-spec|fast-check|vitest)/',
      },
    },
    {
      name: 'node-runtime-imports-nothing-of-ours',
      comment:
        'node-runtime/ (Node-only helpers of the Node edge and the backplane) is a leaf: it imports ' +
        'no workspace, so serving code that uses it depends on nothing more.',
      severity: 'error',
      from: { path: '^node-runtime/' },
      to: { path: '^(core|sim|model|edge|backplane|web|tools|bench|scripts)/' },
    },
    {
      name: 'node-runtime-not-in-browser-or-worker',
      comment:
        'node-runtime/ needs Node: the dashboard and the Worker (edge/src/runtime/workers) never ' +
        'import it.',
      severity: 'error',
      from: { path: '^(web/|edge/src/runtime/workers/|edge/src/app/|core/)' },
      to: { path: '^node-runtime/' },
    },
    {
      name: 'sim-only-core',
      comment: 'sim/ (the simulator) builds on core only.',
      severity: 'error',
      from: { path: '^sim/' },
      to: { path: '^(node-runtime|model|edge|backplane|web|tools|bench|scripts)/' },
    },
    {
      name: 'model-only-core-and-sim',
      comment:
        'model/ (training) builds on core, sim and node-runtime (the data directory lock of train --from-db) only; it writes edge/model/ as files.',
      severity: 'error',
      from: { path: '^model/' },
      to: { path: '^(edge|backplane|web|tools|bench|scripts)/' },
    },
    {
      name: 'serving-never-model',
      comment:
        'edge, backplane and web serve: they never import training code. The one exception is ' +
        'the script that makes the edge test model (edge/test-model/), which no test imports.',
      severity: 'error',
      from: { path: '^(edge|backplane|web)/', pathNot: '^edge/test-model/make-test-model\\.ts$' },
      to: { path: '^model/' },
    },
    {
      name: 'serving-sim-only-traffic-panel',
      comment:
        "Of the serving apps only the backplane's traffic panel (backplane/src/api) draws " +
        'simulated traffic from sim; the edge and the dashboard never import it.',
      severity: 'error',
      from: {
        path: '^(edge|backplane|web)/',
        pathNot: '^(backplane/src/api/|edge/test-model/make-test-model\\.ts$)',
      },
      to: { path: '^sim/' },
    },
    {
      name: 'no-relative-imports-across-workspaces',
      comment: 'A workspace imports another by its package name (@vigil/…), never by a path.',
      severity: 'error',
      from: { path: `^${WORKSPACES}/` },
      // scripts/ is no workspace: its service and system harnesses are shared by path.
      to: { dependencyTypes: ['local'], pathNot: '^($1|scripts)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^(core|node-runtime|sim|model|edge|backplane|web|tools|bench|scripts)/',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default'] },
  },
};
