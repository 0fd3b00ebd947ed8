// Import rules: the layers of DESIGN.md "Shape", imports pointing down only. test/import-rules.test.ts
// runs each rule as its own test (so a failure names the rule) and proves each one fires on a bad
// import; `npx depcruise src` runs them from the shell.
//
// The layers, top to bottom (each may import any layer below it, never one above):
//   4  src/main.ts                     commander program, errors → exit codes
//   3  src/commands/, src/io.ts        parse flags, read env, print, prompt
//   2  use cases                       campaign/, reconcile/, webhook/, emulator/ (never each other)
//   1  domain                          ledger/ → providers/, recipients/ → template/
//                                      (ledger's records name a provider and its resume plan keys
//                                      phones; recipients bind the template; providers render it)
//   0  base                            codes/, config/, fs/, net/, errors.ts, clock.ts, parse-yaml.ts, plural.ts
//
// A rule's `to` may name `$1`: the folder its `from` matched.

const USE_CASES = '(campaign|reconcile|webhook|emulator)';
const TOP = '^src/(main\\.ts$|io\\.ts$|commands/)';
const BASE = '^src/(codes/|config/|fs/|net/|errors\\.ts$|clock\\.ts$|parse-yaml\\.ts$|plural\\.ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A module reaches itself through its imports: a layer is not a layer.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-main',
      comment: 'main.ts is the program: only the launcher (bin/) imports it.',
      severity: 'error',
      from: {},
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'only-main-imports-commands',
      comment: 'commands/ sit under main alone; the domain never reaches up for a command, a prompt or a table.',
      severity: 'error',
      from: { pathNot: '^src/(main\\.ts$|commands/)' },
      to: { path: '^src/(commands/|io\\.ts$)' },
    },
    {
      name: 'use-cases-apart',
      comment: 'campaign, reconcile, webhook and emulator share what they need through the layers below, never each other.',
      severity: 'error',
      from: { path: `^src/${USE_CASES}/` },
      to: { path: `^src/${USE_CASES}/`, pathNot: '^src/$1/' },
    },
    {
      name: 'domain-below-use-cases',
      comment: 'ledger, providers, recipients and template never import a use case or anything above.',
      severity: 'error',
      from: { path: '^src/(ledger|providers|recipients|template)/' },
      to: { path: `^src/${USE_CASES}/|${TOP}` },
    },
    {
      name: 'ledger-top-of-domain',
      comment: 'providers, recipients and template never import the ledger (it records what they decide).',
      severity: 'error',
      from: { path: '^src/(providers|recipients|template)/' },
      to: { path: '^src/ledger/' },
    },
    {
      name: 'providers-and-recipients-apart',
      comment: 'A provider builds requests from a rendered message; the CSV rules know nothing of providers.',
      severity: 'error',
      from: { path: '^src/(providers|recipients)/' },
      to: { path: '^src/(providers|recipients)/', pathNot: '^src/$1/' },
    },
    {
      name: 'template-bottom-of-domain',
      comment: 'The template spec is loaded and rendered on its own: template/ imports only the base.',
      severity: 'error',
      from: { path: '^src/template/' },
      to: { path: '^src/(ledger|providers|recipients)/' },
    },
    {
      name: 'base-imports-only-base',
      comment: 'codes, config, fs, net, errors, clock and parse-yaml are the floor: they import nothing above them.',
      severity: 'error',
      from: { path: BASE },
      to: { path: '^src/', pathNot: BASE },
    },
    {
      name: 'fs-and-net-import-only-errors',
      comment: 'Files and sockets, whatever they carry: no code table, no configuration (the errors and the clock only).',
      severity: 'error',
      from: { path: '^src/(fs|net)/' },
      to: { path: '^src/', pathNot: '^src/($1/|errors\\.ts$|clock\\.ts$)' },
    },
    {
      name: 'provider-folders-apart',
      comment: 'providers/<a>/ never imports providers/<b>/, except the shared Cloud API payload (cloud-api/).',
      severity: 'error',
      from: { path: '^src/providers/([^/]+)/' },
      to: { path: '^src/providers/[^/]+/', pathNot: '^src/providers/($1|cloud-api)/' },
    },
    {
      name: 'provider-folders-through-the-registry',
      comment: 'Outside the provider folders only the registry (providers/index.ts) names one: everything else asks the registry.',
      severity: 'error',
      from: { pathNot: '^src/providers/(index\\.ts$|[^/]+/)' },
      to: { path: '^src/providers/[^/]+/' },
    },
    {
      name: 'only-commands-load-env',
      comment: 'The environment is read by the commands, which pass what it says down (DESIGN.md: the domain never reads env).',
      severity: 'error',
      from: { pathNot: '^src/commands/' },
      to: { path: '^src/config/load-env\\.ts$' },
    },
    {
      name: 'campaign-takes-the-provider-given',
      comment: 'The registry builds providers from the environment: the send pipeline may name its types, never call it.',
      severity: 'error',
      from: { path: '^src/campaign/' },
      to: { path: '^src/providers/index\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import the cruiser cannot resolve is an import no rule above can see.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
