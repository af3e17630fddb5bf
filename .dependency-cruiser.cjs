/** Layering rules: core/ is pure domain code that runs in Workers, Node and the browser. */
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
      name: 'core-no-other-packages',
      comment: 'core/ is the centre: it never imports edge, backplane, web or model.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(edge|backplane|web|model)/' },
    },
    {
      name: 'core-only-allowed-deps',
      comment: 'core/ may depend on zod only (small, Worker-safe); anything else needs a review.',
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
        pathNot: 'node_modules/(zod|fast-check|vitest)/',
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default'] },
  },
};
