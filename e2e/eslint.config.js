// ESLint for every JavaScript file of the project: the pages' modules
// (web/static, in the browser) and these tests and tools (in node, with
// page.evaluate callbacks that run in the browser). Run from the
// repository root: `npm run lint` here does.

import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['e2e/node_modules/**'] },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      'no-implicit-globals': 'error',
      'no-shadow': ['error', { builtinGlobals: false }],
    },
  },
  {
    files: ['web/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['e2e/**/*.js', 'e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
