/**
 * esbuild plugin for the CLI bundle: zod's `locales` namespace (error messages in 60-odd languages,
 * re-exported by zod/v4/core and both APIs) down to the English one zod itself configures. The
 * namespace is kept alive by zod's own `import * as core`, so the bundle otherwise carries, and every
 * command that validates data parses and runs, some 200 KB of messages nobody here selects (nothing in
 * src/ calls z.config with a locale). English messages are exactly what they were.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const zodRoot = dirname(createRequire(import.meta.url).resolve('zod/package.json'));
const localesIndex = join(zodRoot, 'v4/locales/index.js');

export const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => {
      if (join(args.resolveDir, args.path) !== localesIndex) return undefined;
      return { path: localesIndex, namespace: 'zod-english-only' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(join(zodRoot, 'v4/locales/en.js'))};`,
      resolveDir: zodRoot,
      loader: 'js',
    }));
  },
};
