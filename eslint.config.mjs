// eslint (pinned in www/package.json, installed in www/node_modules) over
// the UI, the JavaScript tests and tools; `make lint` and `make test` run it. No
// plugins: the recommended rules, the browser's or node's globals, and a few
// rules of this house.
import { createRequire } from 'node:module';

const js = createRequire(new URL('./www/package.json', import.meta.url))('@eslint/js');

const browser = Object.fromEntries(['window', 'document', 'location', 'history', 'fetch', 'URL',
  'AbortController', 'performance', 'requestAnimationFrame', 'setTimeout', 'clearTimeout', 'setInterval',
  'clearInterval', 'ResizeObserver', 'MutationObserver', 'getComputedStyle', 'NodeFilter', 'navigator',
  'console'].map((g) => [g, 'readonly']));
const node = Object.fromEntries(['process', 'Buffer', 'console', 'setTimeout', 'clearTimeout', 'setInterval',
  'clearInterval', 'URL', 'fetch', 'AbortController', 'performance'].map((g) => [g, 'readonly']));

const house = {
  'no-var': 'error',
  'prefer-const': 'error',
  eqeqeq: ['error', 'always', { null: 'ignore' }],
  // www.mk strips comment lines and indentation from the shipped scripts:
  // a string spanning lines would change. tests/www/build.test.mjs checks
  // template literals; this checks the other strings.
  'no-multi-str': 'error',
  'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
};

export default [
  { ignores: ['build/**', 'www/node_modules/**', 'www/vendor/**'] },
  js.configs.recommended,
  {
    files: ['www/js/**/*.js', 'eslint.config.mjs'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: browser },
    rules: house,
  },
  {
    files: ['tests/**/*.mjs', 'tools/**/*.mjs'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...node, ...browser } },
    rules: house,
  },
];
