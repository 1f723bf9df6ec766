// Layer rules of docs/architecture.md, checked by `npm run lint` (and `npm test`). Paths are the
// resolved files (tsconfig aliases followed), so `@hivebase/x` and a relative `../../libs/x` are
// the same import. libs/platform/test/layer-rules.test.ts proves each rule bites.

/** What each lib may import besides itself (workspace packages only). */
const LIB_LAYERS = {
  contracts: [],
  schema: ['contracts'],
  filter: ['contracts', 'schema'],
  records: ['contracts', 'schema', 'filter'],
  storage: ['contracts'],
  platform: ['contracts'],
  runtime: ['contracts', 'schema', 'filter', 'records', 'storage', 'platform'],
};

const libRules = Object.entries(LIB_LAYERS).map(([lib, allowed]) => ({
  name: `layer-${lib}`,
  comment: `libs/${lib} may import only ${allowed.length ? allowed.join(', ') : 'no workspace package'}`,
  severity: 'error',
  from: { path: `^libs/${lib}/` },
  to: { path: '^(libs|services|admin-web|e2e|bench|tools)/', pathNot: `^libs/(${[lib, ...allowed].join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...libRules,
    {
      name: 'gateway-platform-only',
      comment: 'the gateway needs infrastructure only: platform and contracts',
      severity: 'error',
      from: { path: '^services/gateway/' },
      to: { path: '^libs/', pathNot: '^libs/(platform|contracts)/' },
    },
    {
      name: 'no-service-to-service',
      comment: 'services never import each other; only services/standalone composes them',
      severity: 'error',
      from: { path: '^services/(?!standalone/)([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'services-no-tools',
      comment: 'services import libs, never e2e, bench or tools',
      severity: 'error',
      from: { path: '^services/' },
      to: { path: '^(e2e|bench|tools|admin-web/src)/' },
    },
    {
      name: 'no-foreign-test-folder',
      comment: "tests may not reach into another package's test folder (share through a package's src/testing)",
      severity: 'error',
      from: { path: '^(libs|services)/([^/]+)/' },
      to: { path: '^(libs|services)/[^/]+/test/', pathNot: '^$1/$2/test/' },
    },
    {
      name: 'no-test-folder-from-outside',
      comment: "e2e and bench may not reach into a package's test folder either",
      severity: 'error',
      from: { path: '^(e2e|bench|tools)/' },
      to: { path: '^(libs|services)/[^/]+/test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.nx)/' },
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.json'],
    },
  },
};
