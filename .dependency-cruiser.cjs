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

/** Test code: test files, test folders and `testing` helper folders (left out of builds). */
const TEST_CODE = '(\\.test\\.ts$|/test/|/testing/)';

// Tests of every package share one set of helpers (throwaway databases, SMTP capture):
// @hivebase/platform/testing, whatever the package's layer. So each lib has a rule for its code
// and one for its test code, the latter allowing platform/testing too.
const libRules = Object.entries(LIB_LAYERS).flatMap(([lib, allowed]) => {
  const comment = `libs/${lib} may import only ${allowed.length ? allowed.join(', ') : 'no workspace package'}`;
  const to = {
    path: '^(libs|services|admin-web|e2e|bench|tools)/',
    pathNot: `^libs/(${[lib, ...allowed].join('|')})/`,
  };
  return [
    { name: `layer-${lib}`, comment, severity: 'error', from: { path: `^libs/${lib}/`, pathNot: TEST_CODE }, to },
    {
      name: `layer-${lib}`,
      comment: `${comment} (its tests also @hivebase/platform/testing)`,
      severity: 'error',
      from: { path: `^libs/${lib}/.*${TEST_CODE}` },
      to: { ...to, pathNot: `${to.pathNot}|^libs/platform/src/testing/` },
    },
  ];
});

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
